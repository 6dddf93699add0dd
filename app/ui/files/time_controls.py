"""The card's time controls: the time format (a Go layout), the order of dates that fit both,
the zone of times written without one, and how the first values will be read. A view only: the
rules are core's (plan.check_plan_times, time.check, time.civil)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QWidget

from app.core.time import TIME_FIELD_NAMES
from app.core.time.check import TimeCheck, describe_reading
from app.core.time.civil import NaiveZone, local_zone_name, zone_for_name
from app.ui.files.preview import KIND_NAMES
from app.ui.widgets import theme
from app.ui.widgets.reflow import ReflowGrid

ORDER_ITEMS = [("Choose…", None), ("Day first (02/12 = 2 December)", "dmy"),
               ("Month first (02/12 = February 12)", "mdy")]
ZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "America/Chicago", "America/Los_Angeles",
         "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney"]


class TimeControls(ReflowGrid):
    """Emits `changed` when the user changes one of them; `overrides()` is what they say."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._guess_layout: str | None = None
        self._orders: dict[str, str] = {}
        self._updating = False
        self.format_edit = QLineEdit()
        self.format_edit.setAccessibleName("Time format")
        self.format_edit.setPlaceholderText("automatic")  # short: the card's field is narrow
        self.format_edit.setToolTip("Empty: RFC 3339 times and epoch numbers are read as they are. Otherwise a "
                                    "Go time layout, e.g. 02.01.2006 15:04 or Jan _2 15:04:05")
        self.order_combo = QComboBox()
        self.order_combo.setAccessibleName("Date order")
        for text, data in ORDER_ITEMS:
            self.order_combo.addItem(text, data)
        self.zone_combo = QComboBox()
        self.zone_combo.setAccessibleName("Time zone")
        self.zone_combo.setEditable(True)
        self.zone_combo.lineEdit().setAccessibleName("Time zone")  # the editable part is a control of its own
        self.zone_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.zone_combo.setToolTip("The zone of times written without one (Axiom reads them as UTC)")
        self.zone_combo.addItem("UTC", "UTC")
        self.zone_combo.addItem(f"This computer ({local_zone_name()})", "local")
        for z in ZONES:
            self.zone_combo.addItem(z, z)
        for combo in (self.order_combo, self.zone_combo):
            combo.setMinimumContentsLength(8)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.order_caption = QLabel("Dates")
        self.reading = QLabel("")
        self.reading.setWordWrap(True)
        self.reading.setObjectName("cardMuted")

        self.add_pair(QLabel("Time format"), self.format_edit)  # two a row when the card is wide enough
        self.add_pair(QLabel("Zone"), self.zone_combo)
        self.add_pair(self.order_caption, self.order_combo, whole_row=True)
        self.add_row(self.reading)
        self._show_order(False)

        self.format_edit.editingFinished.connect(self._emit)
        self.order_combo.currentIndexChanged.connect(self._order_changed)
        self.zone_combo.currentIndexChanged.connect(self._emit)
        self.zone_combo.lineEdit().editingFinished.connect(self._emit)

    # -- what the card feeds in ----------------------------------------------------------------
    def follow(self, sniff, field_name: str | None) -> None:
        """The time field changed (or a new sniff): start from the sniff's layout for it."""
        guess = sniff.timestamp if sniff else None
        mine = guess is not None and guess.field == field_name
        self.set_guess(guess.layout if mine else None, guess.orders if mine else None)

    def show_plan(self, sniff, plan) -> None:
        """Try the plan's time settings on the sampled events and show the outcome."""
        from app.core.plan import check_plan_times

        self.show_check(check_plan_times(sniff, plan), plan.time_zone)

    def set_guess(self, layout: str | None, orders: dict[str, str] | None) -> None:
        """The sniff's layout for the chosen field (None: none), and the orders still open."""
        self._updating = True
        try:
            self._guess_layout = layout
            self._orders = dict(orders or {}) if orders and len(orders) > 1 else {}
            self.format_edit.setText(layout or "")
            self.order_combo.setCurrentIndex(0)
            self._show_order(bool(self._orders))
        finally:
            self._updating = False

    def show_check(self, check: TimeCheck | None, zone: NaiveZone) -> None:
        """How the first values read (in the zone and in UTC), or what is wrong with them."""
        if check is None or not check.field:
            self.reading.setText("")
            self.reading.setMinimumHeight(0)  # no blank lines kept from an earlier reading
            self.reading.hide()
            return
        problem = check.problem
        lines = [describe_reading(r, zone) for r in check.first[:2]]
        if check.why_client and check.first:
            lines.append(f"_time is computed by this app: {check.why_client}")
        if problem:
            lines.insert(0, problem[0].upper() + problem[1:])
        self.reading.setText("\n".join(lines))
        self.reading.setVisible(bool(lines))
        color = theme.css(theme.status_color("error")) if problem else ""
        self.reading.setStyleSheet(f"color: {color};" if color else "")
        self._fit()  # after the style sheet: it can change the font the height is measured with

    # -- what the card reads out ---------------------------------------------------------------
    def zone_name(self) -> str | None:
        """The chosen zone ("UTC", "local", a name), or None when the typed one is unknown."""
        idx = self.zone_combo.currentIndex()
        text = self.zone_combo.currentText().strip()
        if idx >= 0 and self.zone_combo.itemText(idx) == text:
            return self.zone_combo.itemData(idx)
        return text if zone_for_name(text) is not None else None

    def overrides(self) -> dict:
        """Overrides fields: timestamp_format (when changed), date_order, time_zone."""
        out: dict = {"date_order": self.order_combo.currentData(), "time_zone": self.zone_name() or "UTC"}
        text = self.format_edit.text().strip()
        if text and text != (self._guess_layout or ""):
            out["timestamp_format"] = text
        return out

    def _fit(self) -> None:
        """Wrapped text in nested layouts does not grow the card by itself: ask for its height."""
        width = self.width() or 300  # the reading spans the whole row; its own width lags a resize
        self.reading.setMinimumHeight(max(0, self.reading.heightForWidth(width)))  # -1: no text
        self.updateGeometry()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def _show_order(self, on: bool) -> None:
        self.order_caption.setVisible(on)
        self.order_combo.setVisible(on)

    def _order_changed(self, *_) -> None:
        """A chosen order shows its layout in the time format field (still the order's, not typed)."""
        if self._updating:
            return
        layout = self._orders.get(self.order_combo.currentData() or "")
        self._guess_layout = layout
        self.format_edit.setText(layout or "")
        self._emit()

    def _emit(self, *_) -> None:
        if self._updating:
            return
        ok = self.zone_name() is not None
        self.zone_combo.setStyleSheet(
            "" if ok else f"QComboBox {{ border: 1px solid {theme.css(theme.status_color('error'))}; }}")
        self.changed.emit()


def time_field_text(field: str | None, kind: str | None, layout: str | None, guess) -> str:
    """The card's line about its time field: which, and how it is read."""
    if not field:
        return "Time field: none chosen; events use their _time field if they have one, else the ingest time"
    if kind:
        how = f"the layout {layout}" if kind == "layout" and layout else KIND_NAMES.get(kind, kind)
        example = f", e.g. {guess.example}" if guess and guess.example else ""
        return f"Time field: {field}, read as {how}{example}"
    return f"Time field: {field}, read by the server (RFC 3339, ISO 8601 or epoch numbers)"


def name_guess(fields: list[str]) -> str | None:
    """A time field by name alone (after the user changed the dialect)."""
    lower = {f.lower(): f for f in fields}
    for name in TIME_FIELD_NAMES:
        if name in lower:
            return lower[name]
    return None
