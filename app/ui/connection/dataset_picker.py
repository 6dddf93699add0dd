"""The dataset picker: listed from the API (name, region, description), searchable, refresh,
"New dataset…", and typed names with recent ones offered when the token may not list."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeView,
    QWidget,
)

from app.core import connect
from app.core.axiom import dataset_name_problem, region_label
from app.ui.context import AppContext
from app.ui.widgets.fitting import grow_to_fit

COLUMNS = ("Dataset", "Region", "Description")
RECENT_REGION = "recent"


class NewDatasetDialog(QDialog):
    """Name and description; a name Axiom would refuse is said before asking, the server's answer
    (409 exists, 400) inline. The dataset is made in the profile's region, which cannot change."""

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("New dataset")
        self.setAccessibleName("New dataset dialog")
        self.setMinimumWidth(420)
        self.name_edit = QLineEdit(self)
        self.name_edit.setAccessibleName("Dataset name")
        self.name_edit.setToolTip("Up to 80 letters, digits, “-”, “_” and “.”, starting and ending with a letter "
                                  "or a digit; it cannot be renamed later")
        self.description_edit = QLineEdit(self)
        self.description_edit.setAccessibleName("Dataset description")
        self.description_edit.setToolTip("Optional; shown next to the name in the picker")
        client = ctx.client()
        region = region_label(client.endpoint.region) if client is not None else ""
        self.region_note = QLabel(f"{region} — a dataset's region cannot change later" if region
                                   else "the server's default", self)
        self.region_note.setAccessibleName("Region of the new dataset")
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName("Problem creating the dataset")
        self.error_label.hide()
        self.buttons = QDialogButtonBox(self)
        self.create_button = self.buttons.addButton("Create", QDialogButtonBox.AcceptRole)
        self.create_button.setAccessibleName("Create dataset")
        self.create_button.setToolTip(f"Create the dataset on {ctx.profile().name}")
        self.create_button.setEnabled(False)
        cancel = self.buttons.addButton(QDialogButtonBox.Cancel)
        cancel.clicked.connect(self.reject)
        self.create_button.clicked.connect(self._create)
        self.name_edit.textChanged.connect(lambda t: self.create_button.setEnabled(bool(t.strip())))
        form = QFormLayout(self)
        form.addRow("Name:", self.name_edit)
        form.addRow("Description:", self.description_edit)
        form.addRow("Region:", self.region_note)
        form.addRow(self.error_label)
        form.addRow(self.buttons)
        self.task: asyncio.Task | None = None

    def _create(self) -> None:
        name = self.name_edit.text().strip()
        problem = dataset_name_problem(name)
        if problem:  # Axiom would refuse it: say so without asking
            self._fail(f"“{name}” cannot be a dataset name: {problem}.")
            return
        self.create_button.setEnabled(False)
        self.error_label.hide()
        self.task = self.ctx.tasks.spawn(self._create_async(), "create dataset")

    async def _create_async(self) -> None:
        from app.core import axiom

        name = self.name_edit.text().strip()
        try:
            await self.ctx.create_dataset(name, self.description_edit.text().strip())
        except axiom.Conflict:
            self._fail(f"A dataset named “{name}” already exists.")
        except axiom.AxiomError as e:
            self._fail(connect.create_failure_text(name, e))
        except RuntimeError as e:
            self._fail(str(e))
        else:
            self.ctx.status(f"Dataset “{name}” created")
            self.accept()

    def _fail(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        grow_to_fit(self)  # the whole message, never clipped
        self.create_button.setEnabled(True)


class DatasetPicker(QWidget):
    """An editable combo over a three-column model, with a contains-match completer."""

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Dataset picker")
        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))

        self.combo = QComboBox(self)
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.NoInsert)
        self.combo.setAccessibleName("Dataset")
        self.combo.setToolTip("The dataset to send to: pick one, or type to search; Enter to choose a typed name")
        self.combo.setMinimumContentsLength(28)
        self.combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setModel(self.model)
        self.combo.setModelColumn(0)
        view = QTreeView(self.combo)
        view.setRootIsDecorated(False)
        view.setUniformRowHeights(True)
        view.setSelectionBehavior(QAbstractItemView.SelectRows)
        view.setAllColumnsShowFocus(True)
        view.header().setSectionResizeMode(QHeaderView.ResizeToContents)
        view.header().setStretchLastSection(True)
        view.setMinimumWidth(520)
        view.setAccessibleName("Datasets")
        self.combo.setView(view)

        # Search anywhere in the name, not only the prefix.
        self.completer = QCompleter(self)
        self.completer.setModel(self.model)
        self.completer.setCompletionColumn(0)
        self.completer.setFilterMode(Qt.MatchContains)
        self.completer.setCaseSensitivity(Qt.CaseInsensitive)
        self.completer.setCompletionMode(QCompleter.PopupCompletion)
        self.combo.setCompleter(self.completer)
        self.combo.lineEdit().setPlaceholderText("choose or type a dataset")
        self.combo.lineEdit().setAccessibleName("Dataset name")

        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.setAccessibleName("Refresh datasets")
        self.refresh_button.setToolTip("List the datasets again")
        self.new_button = QPushButton("New dataset…", self)
        self.new_button.setAccessibleName("New dataset")
        self.new_button.setToolTip("Create a dataset on this profile")
        self.hint_label = QLabel(self)
        self.hint_label.setAccessibleName("Dataset hint")
        # Wraps: unwrapped, the longest hint alone made the window wider than 900 px and was
        # cut off at the right edge of a narrow window.
        self.hint_label.setWordWrap(True)

        label = QLabel("&Dataset:", self)
        label.setBuddy(self.combo)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(label)
        layout.addWidget(self.combo, 2)
        layout.addWidget(self.refresh_button)
        layout.addWidget(self.new_button)
        layout.addWidget(self.hint_label, 1)

        self.dialog: NewDatasetDialog | None = None
        self.combo.activated.connect(self._on_activated)
        self.combo.lineEdit().editingFinished.connect(self._on_edited)
        self.completer.activated[str].connect(self.choose)
        self.refresh_button.clicked.connect(self.refresh)
        self.new_button.clicked.connect(self.open_new_dialog)
        ctx.datasetsChanged.connect(self._fill)
        ctx.datasetChanged.connect(self._show_current)
        ctx.connectionChanged.connect(self._update_enabled)
        self._fill()
        self._update_enabled()

    # --- model ----------------------------------------------------------------------------
    def names(self) -> list[str]:
        return [self.model.item(r, 0).text() for r in range(self.model.rowCount())]

    def _row(self, name: str, region: str, description: str, tooltip: str) -> list[QStandardItem]:
        items = [QStandardItem(name), QStandardItem(region), QStandardItem(description)]
        for item in items:
            item.setEditable(False)
            item.setToolTip(tooltip)
        return items

    def _fill(self) -> None:
        ctx = self.ctx
        self.model.removeRows(0, self.model.rowCount())
        if ctx.can_list:
            for ds in sorted(ctx.datasets, key=lambda d: d.name.lower()):
                region = region_label(ds.region, short=True)  # from edgeDeployment: "eu-central-1"
                tip = (ds.name + (f" — {ds.description}" if ds.description else "")
                       + (f"\nRegion: {region_label(ds.region)}" if region else ""))
                self.model.appendRow(self._row(ds.name, region, ds.description or "", tip))
            self.hint_label.setText("" if ctx.datasets else self._empty_hint())
        else:
            for name in ctx.profile().recent_datasets:
                self.model.appendRow(self._row(name, RECENT_REGION, "used recently", f"{name} (used recently)"))
            if ctx.can_list is False:
                self.hint_label.setText("This token cannot list datasets: type the name")
            else:
                self.hint_label.setText("")
        self.hint_label.setToolTip(self.hint_label.text())
        self._show_current(ctx.dataset())

    def _empty_hint(self) -> str:
        return "No datasets yet: create one with “New dataset…”"

    def _show_current(self, name: str) -> None:
        if self.ctx.can_list and not self.ctx.datasets:
            self.hint_label.setText(self._empty_hint())
            self.hint_label.setToolTip(self.hint_label.text())
        if self.combo.currentText() != name:
            idx = self.combo.findText(name, Qt.MatchExactly) if name else -1
            if idx >= 0:
                self.combo.setCurrentIndex(idx)
            else:
                self.combo.setCurrentIndex(-1)
                self.combo.setEditText(name)

    def _update_enabled(self) -> None:
        ctx = self.ctx
        connected = ctx.client() is not None
        self.refresh_button.setEnabled(connected)
        self.new_button.setEnabled(connected and ctx.can_list is not False)
        self.new_button.setToolTip(
            "Create a dataset on this profile" if ctx.can_list is not False
            else "This token may not manage datasets; create it in Axiom's settings"
        )

    # --- choosing ---------------------------------------------------------------------------
    def _on_activated(self, index: int) -> None:
        item = self.model.item(index, 0) if index >= 0 else None
        self.choose(item.text() if item else self.combo.currentText())

    def _on_edited(self) -> None:
        self.choose(self.combo.currentText())

    def choose(self, name: str) -> None:
        name = name.strip()
        if name and name != self.ctx.dataset():
            self.ctx.set_dataset(name)
            if self.ctx.can_list and name not in self.names():
                self.ctx.status(f"“{name}” is not among the listed datasets: an upload will offer to create it", 10000)

    def refresh(self) -> asyncio.Task:
        return self.ctx.tasks.spawn(self.ctx.refresh_datasets(), "list datasets")

    def open_new_dialog(self) -> NewDatasetDialog:
        dlg = self.dialog = NewDatasetDialog(self.ctx, self)
        typed = self.combo.currentText().strip()
        if typed and typed not in self.names():
            dlg.name_edit.setText(typed)
        dlg.open()
        return dlg
