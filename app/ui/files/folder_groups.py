"""The drop panel's folder cards: a dropped folder is scanned and sniffed in chunks in the
context's thread pool, the card hearing after each chunk ("Sniffing 340 / 2,000"), so the
event loop never waits on the disk and the window stays responsive however big the folder."""

from __future__ import annotations

import asyncio
import logging
import os

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog

from app.core import folder
from app.ui.files.folder_card import FolderCard

log = logging.getLogger(__name__)


class FolderGroups(QObject):
    """The folder cards of a drop panel, in the order they were dropped."""

    added = Signal(object)  # FolderCard, once scanned (its files are being sniffed)
    progressed = Signal(object)  # FolderCard: another chunk sniffed (or the last)
    problems = Signal(list)  # messages: an empty folder, a folder that cannot be read

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self._cards: list[FolderCard] = []
        self.pending = 0  # folders being scanned

    def cards(self) -> list[FolderCard]:
        return list(self._cards)

    def card_for(self, path) -> FolderCard | None:
        key = path_key(path)
        return next((c for c in self._cards if path_key(c.path) == key), None)

    def busy(self) -> bool:
        return self.pending > 0 or any(c.sniffing for c in self._cards)

    def holds(self, path) -> bool:
        """True when a file is inside one of the folders (dropping it again adds nothing)."""
        return any(folder.under(path, c.path) for c in self._cards)

    def ask_folder(self, parent) -> list[str]:
        """"Add folder…": the folder the user picks (none when they cancel)."""
        root = QFileDialog.getExistingDirectory(parent, "Add a folder to send", str(Path.home()))
        return [root] if root else []

    def add(self, root: str) -> None:
        self.pending += 1
        self.ctx.tasks.spawn(self._scan_and_sniff(root), f"folder {os.path.basename(root)}")

    def remove(self, card: FolderCard) -> bool:
        if card not in self._cards:
            return False
        self._cards.remove(card)
        card.deleteLater()
        return True

    async def _scan_and_sniff(self, root: str) -> None:
        try:
            group = await self.ctx.run_blocking(folder.scan, root)
        except asyncio.CancelledError:
            raise
        except Exception as e:  # noqa: BLE001 — said to the user, not raised into the loop
            log.exception("scanning %s failed", root)
            self.pending -= 1
            self.problems.emit([f"{root}: cannot be read ({e})"])
            return
        self.pending -= 1
        if not group.files:
            self.problems.emit(group.problems + [f"{group.root}: no JSON, NDJSON or CSV files in this folder"])
            self.progressed.emit(None)
            return
        card = FolderCard(group)
        self._cards.append(card)
        self.added.emit(card)
        if group.problems:
            self.problems.emit(group.problems)
        while card in self._cards and card.sniffing:
            before = group.sniffed
            try:
                await self.ctx.run_blocking(folder.sniff_next, group)
            except asyncio.CancelledError:
                raise
            if card not in self._cards:  # removed meanwhile: its results are dropped
                return
            card.sniffed(before)
            self.progressed.emit(card)


def path_key(path) -> str:
    """One spelling of a path, to tell whether two name the same file or folder."""
    try:
        return os.path.normcase(os.path.realpath(str(path)))
    except OSError:
        return str(path)
