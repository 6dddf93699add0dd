"""The drop zone: files, folders and pasted paths become cards with a preview, then a send.

Everything that touches the disk (expanding folders, sniffing, re-reading the head for a
preview) runs in the context's thread pool; results come back to the GUI thread through the
asyncio loop. Results that arrive for a card that has since been removed or changed are dropped.
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QPushButton, QSplitter, QStackedWidget, QVBoxLayout, QWidget,
)

from app.core import sniff as sniffing
from app.core.io import expand_paths, is_supported_name, paths_from_text
from app.ui.files.drop_zone import DropOverlay, DropZone, notice_style
from app.ui.files.file_card import FileCard
from app.ui.files.folder_card import FolderCard
from app.ui.files.folder_groups import FolderGroups, path_key as _key
from app.ui.files.send_check import confirm_times
from app.ui.files.preview_pane import PreviewPane
from app.ui.widgets.file_dialogs import open_files_dialog
from app.ui.widgets.splitter import share_parent_splitter
from app.ui.widgets.scroll_area import ScrollArea

log = logging.getLogger(__name__)

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "samples"


def sample_files() -> list[Path]:
    """The sample inputs shipped with the app ("Try sample data")."""
    if not SAMPLES_DIR.is_dir():
        return []
    return sorted(p for p in SAMPLES_DIR.iterdir() if p.is_file() and is_supported_name(p.name))


class DropPanel(QWidget):
    """Drop zone + file cards + preview + the send button."""

    sendRequested = Signal(list)  # list[tuple[Source, Plan]]
    cardsChanged = Signal()

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setAcceptDrops(True)
        self._cards: list[FileCard] = []
        self._selected: FileCard | None = None
        self._pending = 0  # folder expansions in progress
        self.groups = FolderGroups(ctx, self)  # a dropped folder is one card (app.core.folder)
        self.groups.added.connect(self._folder_added)
        self.groups.progressed.connect(lambda card: self._after_cards_changed())
        self.groups.problems.connect(self._show_notice)

        self.zone = DropZone()
        self.zone.browseRequested.connect(self.browse)
        self.zone.samplesRequested.connect(self.add_samples)

        # Cards column.
        self.cards_box = QWidget()
        self.cards_layout = QVBoxLayout(self.cards_box)
        self.cards_layout.setContentsMargins(2, 2, 6, 2)
        self.cards_layout.setSpacing(8)
        self.cards_layout.addStretch(1)
        self.cards_scroll = ScrollArea()  # not QScrollArea: see widgets/scroll_area.py
        self.cards_scroll.setWidgetResizable(True)
        self.cards_scroll.setWidget(self.cards_box)
        self.cards_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.cards_scroll.setMinimumWidth(360)
        self.notice = QLabel("")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(notice_style())
        self.notice.hide()
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.notice)
        ll.addWidget(self.cards_scroll, 1)
        self.preview = PreviewPane(ctx, lambda card: card in self._cards)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.preview)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([400, 700])
        self.splitter.setChildrenCollapsible(False)

        # Bottom bar.
        self.add_button = QPushButton("Add files…")
        self.add_button.clicked.connect(self.browse)
        self.folder_button = QPushButton("Add folder…")  # a folder is one card (folder_card.py)
        self.folder_button.clicked.connect(lambda: self.add_paths(self.groups.ask_folder(self)))
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Remove all the files above (nothing is sent)")
        self.clear_button.clicked.connect(self.clear)
        self.summary_label = QLabel("")
        self.summary_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.send_button = QPushButton("Send")
        self.send_button.setDefault(True)
        self.send_button.setMinimumWidth(200)
        self.send_button.setStyleSheet(
            "QPushButton:enabled { background: palette(highlight); color: palette(highlighted-text);"
            " font-weight: 600; border-radius: 4px; padding: 5px 14px; border: 1px solid palette(highlight); }"
            "QPushButton:enabled:hover { border: 1px solid palette(highlighted-text); }"
            "QPushButton:enabled:focus { border: 2px solid palette(highlighted-text); }")
        self.send_button.clicked.connect(self.send)
        bar = QHBoxLayout()
        bar.addWidget(self.add_button)
        bar.addWidget(self.folder_button)
        bar.addWidget(self.clear_button)
        bar.addSpacing(8)
        bar.addWidget(self.summary_label, 1)
        bar.addWidget(self.send_button)

        self.files_page = QWidget()
        fl = QVBoxLayout(self.files_page)
        fl.setContentsMargins(0, 0, 0, 0)
        fl.addWidget(self.splitter, 1)
        fl.addLayout(bar)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.zone)
        self.stack.addWidget(self.files_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.overlay = DropOverlay(self)

        ctx.datasetChanged.connect(self._update_send)
        ctx.connectionChanged.connect(self._update_send)
        self._update_send()

    # -- public -------------------------------------------------------------------------------
    def cards(self) -> list[FileCard]:
        return list(self._cards)

    def card_for(self, path: str | os.PathLike) -> FileCard | None:
        key = _key(path)
        for card in self._cards:
            if _key(card.path) == key:
                return card
        return None

    def busy(self) -> bool:
        """True while folders are being expanded or cards are being sniffed."""
        return self._pending > 0 or any(c.sniffing for c in self._cards) or self.groups.busy()

    def selected_card(self) -> FileCard | None:
        return self._selected

    def add_paths(self, paths: list[str | os.PathLike]) -> None:
        """Add files and folders (a folder means its supported files); sniffing happens off the GUI thread."""
        paths = [str(p) for p in paths if str(p).strip()]
        if not paths:
            return
        self._pending += 1
        self._update_send()
        self.ctx.tasks.spawn(self._expand_and_add(paths), "add files")

    def add_samples(self) -> None:
        files = sample_files()
        if not files:
            self.ctx.status("The sample files are missing from this installation")
            return
        self.add_paths([str(p) for p in files])

    def browse(self) -> None:
        """The same dialog as Ctrl+O (filters, last folder)."""
        self._file_dialog = open_files_dialog(self, self.ctx, "Add files to send", self.add_paths)

    def paste_from_clipboard(self) -> bool:
        """Ctrl+V: add the files whose paths (or file URLs) are on the clipboard."""
        mime = QGuiApplication.clipboard().mimeData()
        paths: list[str] = []
        if mime is not None and mime.hasUrls():
            paths = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
        if not paths and mime is not None and mime.hasText():
            paths = paths_from_text(mime.text())
        if not paths:
            self.ctx.status("The clipboard holds no file paths (to send JSON text, use the Paste JSON tab)")
            return False
        self.add_paths(paths)
        return True

    def folder_cards(self) -> list[FolderCard]:
        return self.groups.cards()

    def remove_card(self, card: FileCard | FolderCard) -> None:
        if self.groups.remove(card):  # a folder card (deleted by its FolderGroups)
            self.cards_layout.removeWidget(card)
        elif card in self._cards:
            self._cards.remove(card)
            self.cards_layout.removeWidget(card)
            card.deleteLater()
        else:
            return
        if self._selected is card:
            self._selected = None
            self.select(next(iter(self._cards + self.groups.cards()), None))
        self._after_cards_changed()

    def clear(self) -> None:
        for card in list(self._cards) + self.groups.cards():
            self.remove_card(card)
        self.notice.hide()

    def select(self, card: FileCard | None) -> None:
        if self._selected is not None and self._selected is not card and (
                self._selected in self._cards or self._selected in self.groups.cards()):
            self._selected.set_selected(False)
        self._selected = card
        if card is None:
            self.preview.clear()
            return
        card.set_selected(True)
        self.cards_scroll.ensureWidgetVisible(card)
        if isinstance(card, FolderCard):  # a folder's files are listed on its card
            self.preview.clear()
            self.preview.empty.setText(card.preview_hint())
            return
        self.preview.refresh(card)

    def sendable_cards(self) -> list[FileCard]:
        return [c for c in self._cards if c.sendable]

    def send(self) -> None:
        """Hand the ready cards to the queue (as (Source, Plan) pairs) and clear them."""
        if not self.send_button.isEnabled():
            return
        from app.core.job import Source

        cards, groups = self.sendable_cards(), [g for g in self.groups.cards() if g.sendable]
        if not confirm_times(self, cards, [g.group for g in groups]):  # times that do not read, dates in either order
            return
        jobs = []
        for card in cards:
            try:
                jobs.append((Source.from_path(card.path), card.plan()))
            except Exception as e:  # a plan that cannot be built must not lose the other files
                log.exception("cannot plan %s", card.path)
                self.ctx.status(f"{card.name}: {e}")
                return
        jobs += [job for g in groups for job in g.jobs()]  # (Source, Plan, dataset): "apply to all"
        if not jobs:
            return
        self.sendRequested.emit(jobs)
        for card in cards + groups:
            self.remove_card(card)
        n = len(jobs)
        self.ctx.status(f"Queued {n} file{'s' if n != 1 else ''} for {self.ctx.dataset()}")

    # -- drag and drop, paste --------------------------------------------------------------------
    def _accepts(self, mime) -> bool:
        if mime is None:
            return False
        if mime.hasUrls() and any(u.isLocalFile() for u in mime.urls()):
            return True
        return mime.hasText() and bool(paths_from_text(mime.text()))

    def dragEnterEvent(self, event) -> None:
        if self._accepts(event.mimeData()):
            event.acceptProposedAction()
            self._set_highlight(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if self._accepts(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event) -> None:
        self._set_highlight(False)

    def dropEvent(self, event) -> None:
        self._set_highlight(False)
        mime = event.mimeData()
        paths = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()] if mime.hasUrls() else []
        if not paths and mime.hasText():
            paths = paths_from_text(mime.text())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_paths(paths)

    def _set_highlight(self, on: bool) -> None:
        self.zone.highlight = on
        self.zone.update()
        if on and self.stack.currentWidget() is self.files_page:
            self.overlay.setGeometry(self.rect())
            self.overlay.raise_()
            self.overlay.show()
        else:
            self.overlay.hide()

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste_from_clipboard()
            event.accept()
            return
        if event.key() == Qt.Key.Key_Delete and self._selected is not None:
            self.remove_card(self._selected)
            event.accept()
            return
        super().keyPressEvent(event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.overlay.setGeometry(self.rect())

    # -- cards ------------------------------------------------------------------------------------
    async def _expand_and_add(self, paths: list[str]) -> None:
        folders = [p for p in paths if os.path.isdir(p)]
        again = [p for p in folders if self.groups.card_for(p) is not None]
        for p in folders:
            if p not in again:
                self.groups.add(p)
        paths = [p for p in paths if p not in folders]
        try:
            files, problems = await self.ctx.run_blocking(expand_paths, paths)
        except Exception as e:
            files, problems = [], [f"cannot read the dropped items: {e}"]
        finally:
            self._pending -= 1
        added, duplicates = [], len(again)
        for f in files:
            if self.card_for(f) is not None or self.groups.holds(f):
                duplicates += 1
                continue
            added.append(self._new_card(str(f)))
        messages = list(problems)  # missing files are said plainly (empty folders: FolderGroups)
        if duplicates:
            messages.append(f"{duplicates} file{'s were' if duplicates != 1 else ' was'} already in the list")
        self._show_notice(messages)
        if added and (self._selected is None):
            self.select(added[0])
        self._after_cards_changed()

    def _folder_added(self, card: FolderCard) -> None:
        card.removeRequested.connect(self.remove_card)
        card.clicked.connect(self.select)
        card.fileChosen.connect(self._folder_file_chosen)
        card.changed.connect(lambda _card: self._update_send())
        self.cards_layout.insertWidget(self.cards_layout.count() - 1, card)
        if self._selected is None:
            self.select(card)
        self._after_cards_changed()

    def _folder_file_chosen(self, card: FolderCard, f) -> None:
        """A file picked in a folder card's list: the card selected, the file previewed."""
        if self._selected is not card:
            self.select(card)
        self.preview.show_folder_file(card, f)

    def _new_card(self, path: str) -> FileCard:
        card = FileCard(path)
        card.removeRequested.connect(self.remove_card)
        card.clicked.connect(self.select)
        card.changed.connect(self._card_changed)
        self._cards.append(card)
        self.cards_layout.insertWidget(self.cards_layout.count() - 1, card)
        self.ctx.tasks.spawn(self._sniff(card), f"sniff {card.name}")
        return card

    async def _sniff(self, card: FileCard) -> None:
        try:
            result = await self.ctx.run_blocking(sniffing.sniff_path, card.path)
        except asyncio.CancelledError:
            raise
        except Exception as e:  # sniff_path should never raise; still show the card as broken
            log.exception("sniffing %s failed", card.path)
            result = sniffing.Sniff(path=card.path, error=f"{card.path}: cannot be read ({e})")
        if card not in self._cards:
            return
        card.set_sniff(result)
        if card is self._selected:
            self.preview.refresh(card)
        self._after_cards_changed()

    def _card_changed(self, card: FileCard) -> None:
        self.preview.refresh(card, show=card is self._selected)
        self._update_send()

    def _after_cards_changed(self) -> None:
        has_cards = bool(self._cards) or self._pending > 0 or bool(self.groups.cards()) or self.groups.pending > 0
        if has_cards and self.stack.currentWidget() is not self.files_page and self.height() < 380:
            share_parent_splitter(self, 0.6)  # cards and a preview need room
        self.stack.setCurrentWidget(self.files_page if has_cards else self.zone)
        if not self._cards and not self.groups.cards():
            self.select(None)
        self._update_send()
        self.cardsChanged.emit()

    def _show_notice(self, messages: list[str]) -> None:
        if not messages:
            return
        shown = messages[:5] + ([f"… and {len(messages) - 5} more"] if len(messages) > 5 else [])
        self.notice.setText("\n".join(shown))
        self.notice.setStyleSheet(notice_style())  # the palette may have changed since
        self.notice.show()
        self.ctx.status(messages[0])

    def _update_send(self, *_) -> None:
        ready = self.sendable_cards()
        broken = [c for c in self._cards if c.sniff is not None and c.sniff.error]
        waiting = [c for c in self._cards if c.sniffing]
        folders = [g.group.totals() for g in self.groups.cards()]
        dataset = self.ctx.dataset()
        n = len(ready) + sum(t.sendable for t in folders)
        sniffed, in_folders = sum(t.sniffed for t in folders), sum(t.files for t in folders)
        files = f"{n:,} file{'s' if n != 1 else ''}"
        client = self.ctx.client()
        if sniffed < in_folders:
            text, ok, tip = f"Sniffing {sniffed:,} / {in_folders:,}…", False, "Reading the head of every file"
        elif waiting or self._pending or self.groups.pending:
            text, ok, tip = "Looking at the files…", False, "Sniffing the files; this takes a moment"
        elif not n:
            text, ok, tip = "Send", False, "Add a file that can be sent"
        elif not dataset:
            text, ok, tip = f"Send {files} to…", False, "Choose a dataset above first"
        elif client is None:
            text, ok, tip = f"Send {files} to {dataset}", False, "Not connected: choose a profile and a token above"
        else:
            text, ok, tip = f"Send {files} to {dataset}", True, "Ctrl+Enter"
        self.send_button.setText(text)
        self.send_button.setEnabled(ok)
        self.send_button.setToolTip(tip)
        bits = []
        if n:
            bits.append(f"{n:,} ready")
        if waiting:
            bits.append(f"{len(waiting)} being read")
        unsent = len(broken) + sum(t.files - t.sendable for t in folders if t.done_sniffing)
        if unsent:
            bits.append(f"{unsent:,} can't be sent")
        if n and not dataset:
            bits.append("choose a dataset above to send")
        self.summary_label.setText(" · ".join(bits))
