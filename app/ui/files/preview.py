"""The preview table: the first events exactly as they will be sent.

CSV rows appear with the (possibly overridden) dialect applied and ragged rows marked; JSON
events appear as their top-level fields, nested values as compact JSON. The timestamp column
says how the server will read each value, so a wrong guess is visible before anything is sent.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QApplication, QHeaderView, QStyle, QTableView, QWidget

from app.core.sniff import RAGGED_KEY
from app.core.time import utc_datetime
from app.core.time.instant import InstantReader
from app.ui.widgets import theme

MAX_CELL_CHARS = 200  # a cell shows this much; the tooltip has the rest (up to a limit)

KIND_NAMES = {
    "rfc3339": "RFC 3339",
    "iso8601-no-zone": "ISO 8601 without a zone (taken as UTC)",
    "epoch-s": "seconds since 1970",
    "epoch-ms": "milliseconds since 1970",
    "epoch-us": "microseconds since 1970",
    "epoch-ns": "nanoseconds since 1970",
    "layout": "the layout",
    "auto": "the server's own rules (RFC 3339, ISO 8601, epoch numbers)",
}

def _fmt_utc(t: dt.datetime) -> str:
    text = t.strftime("%Y-%m-%d %H:%M:%S")
    if t.microsecond:
        text += f".{t.microsecond // 1000:03d}"
    return text + " UTC"


def read_timestamp(value: Any, layout: str | None = None) -> dt.datetime | None:
    """The instant `value` will be stored at, given the timestamp-format `layout` (if any): the
    engine's own reader (the app's, where Axiom's would misread the layout: time.instant), so the
    preview cannot disagree with what gets stored; None when it cannot be read."""
    ns = InstantReader(layout).read(value)
    return None if ns is None else utc_datetime(ns)


def timestamp_tooltip(value: Any, kind: str, layout: str | None = None) -> str:
    """The per-cell sentence: 'read as RFC 3339 → 2024-01-02 03:04:05 UTC'."""
    how = KIND_NAMES.get(kind, kind)
    if kind == "layout" and layout:
        how = f"the layout {layout}"
    t = read_timestamp(value, layout)
    if t is None:
        return f"cannot be read as {how}: Axiom refuses this event"
    return f"read as {how} → {_fmt_utc(t)}"


_CLOCKS: dict[bool, QIcon] = {}


def clock_icon() -> QIcon:
    """A small clock drawn with QPainter: the time column's mark (no font has to carry a glyph).
    One per light/dark palette: the accent colour is lighter on a dark header."""
    dark = theme.is_dark()
    if dark not in _CLOCKS:
        accent = theme.status_color("accent")
        fill = QColor(accent)
        fill.setAlpha(40)
        icon = QIcon()
        for size in (16, 32):
            pm = QPixmap(size, size)
            pm.fill(Qt.GlobalColor.transparent)
            p = QPainter(pm)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            s = size / 16
            p.setPen(QPen(accent, 1.6 * s))
            p.setBrush(fill)
            p.drawEllipse(int(1.5 * s), int(1.5 * s), int(13 * s), int(13 * s))
            p.drawLine(int(8 * s), int(8 * s), int(8 * s), int(4 * s))
            p.drawLine(int(8 * s), int(8 * s), int(11 * s), int(9.5 * s))
            p.end()
            icon.addPixmap(pm)
        _CLOCKS[dark] = icon
    return _CLOCKS[dark]


def compact(value: Any) -> str:
    """A cell's text: strings as they are, everything else as compact JSON."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


def field_names(rows: list, first: list | None = None) -> list:
    """`first` (a CSV header), then every other top-level key in the order events bring it: the
    columns as they will be sent, including extra cells of ragged rows and late JSON fields."""
    names = list(first or [])
    seen = set(names)
    for row in rows or []:
        if isinstance(row, dict):
            for key in row:
                if key not in seen and key != RAGGED_KEY:
                    seen.add(key)
                    names.append(key)
    return names


NOT_OBJECT_PROBLEM = "not a JSON object: it will be sent and reported as failed, with its line"


def ragged_problem(row: dict, header_count: int) -> str | None:
    """Why a CSV row does not line up with its header (sniff marks it with RAGGED_KEY), or None."""
    if not row.get(RAGGED_KEY):
        return None
    count = sum(1 for k in row if k != RAGGED_KEY)
    return f"row has {count} field{'s' if count != 1 else ''}, header has {header_count}"


class PreviewModel(QAbstractTableModel):
    """Rows of the preview: one row per event, one column per top-level field."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._fields: list[str] = []
        self._rows: list[dict] = []
        self._problems: list[str | None] = []
        self._lines: list[int | None] = []
        self._ts_field: str | None = None
        self._ts_kind: str | None = None
        self._ts_layout: str | None = None
        self._types: dict[str, str] = {}
        self._message = ""

    # -- feeding -------------------------------------------------------------------------
    def set_rows(self, rows: list[dict], *, fields: list[str] | None = None, csv: bool = False,
                 timestamp_field: str | None = None, timestamp_kind: str | None = None,
                 timestamp_layout: str | None = None, lines: list[int | None] | None = None,
                 types: dict[str, str] | None = None) -> None:
        """Show `rows`; `fields` fixes the column order (CSV header), else it is the union of keys;
        `types`: typed CSV columns, named in their header."""
        self.beginResetModel()
        self._types = dict(types or {})
        self._rows = [r if isinstance(r, dict) else {"(value)": r} for r in rows]
        self._fields = [str(c) for c in field_names(self._rows, fields)]
        header_count = len(fields) if fields else len(self._fields)
        self._problems = [ragged_problem(r, header_count) if csv else
                          None if isinstance(orig, dict) else NOT_OBJECT_PROBLEM
                          for r, orig in zip(self._rows, rows)]
        self._lines = list(lines) if lines else [None] * len(self._rows)
        self._ts_field = timestamp_field if timestamp_field in self._fields else None
        self._ts_kind = timestamp_kind
        self._ts_layout = timestamp_layout
        self._message = ""
        self.endResetModel()

    def clear(self, message: str = "") -> None:
        self.beginResetModel()
        self._fields, self._rows, self._problems, self._lines = [], [], [], []
        self._message = message
        self.endResetModel()

    @property
    def message(self) -> str:
        return self._message

    def fields(self) -> list[str]:
        return list(self._fields)

    def ragged_rows(self) -> list[int]:
        """Row indexes marked as not lining up with the header."""
        return [i for i, p in enumerate(self._problems) if p]

    def timestamp_field(self) -> str | None:
        """The column marked (with a clock) as the event time."""
        return self._ts_field

    def cell_text(self, row: int, field: str) -> str:
        return self.data(self.index(row, self._fields.index(field))) or ""

    # -- Qt model ------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._fields)

    def _raw(self, index) -> tuple[bool, Any]:
        row = self._rows[index.row()]
        key = self._fields[index.column()]
        if key in row:
            return True, row[key]
        return False, None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(self._fields):
            return None
        present, value = self._raw(index)
        field = self._fields[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if not present:
                return ""
            text = compact(value)
            text = text.replace("\r\n", " ⏎ ").replace("\n", " ⏎ ")
            return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"
        if role == Qt.ItemDataRole.ToolTipRole:
            problem = self._problems[index.row()]
            parts = []
            if field == self._ts_field and self._ts_kind and present:
                parts.append(timestamp_tooltip(value, self._ts_kind, self._ts_layout))
            elif present:
                text = compact(value)
                if len(text) > MAX_CELL_CHARS or "\n" in text:
                    parts.append(text[:2000])
            if not present and self._problems[index.row()]:
                parts.append("(missing in this row)")
            if problem:
                parts.append(problem)
            return "\n".join(parts) or None
        if role == Qt.ItemDataRole.BackgroundRole:
            if self._problems[index.row()]:
                return theme.tint_brush("warning")
            if field == self._ts_field and self._ts_kind and present:
                if read_timestamp(value, self._ts_layout) is None:
                    return theme.tint_brush("error")
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if present and value is None:
                return QBrush(theme.muted_color())
            return None
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal:
            if section < 0 or section >= len(self._fields):
                return None
            field = self._fields[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{field} ({self._types[field]})" if field in self._types else field
            if role == Qt.ItemDataRole.DecorationRole and field == self._ts_field:
                return clock_icon()
            if role == Qt.ItemDataRole.ToolTipRole and field == self._ts_field and self._ts_kind:
                how = KIND_NAMES.get(self._ts_kind, self._ts_kind)
                if self._ts_kind == "layout" and self._ts_layout:
                    how = f"the layout {self._ts_layout}"
                return f"the event time: {field}, read as {how}"
            if role == Qt.ItemDataRole.FontRole and field == self._ts_field:
                font = QFont()
                font.setBold(True)
                return font
            return None
        if section < 0 or section >= len(self._rows):
            return None
        problem = self._problems[section]
        if role == Qt.ItemDataRole.DisplayRole:
            line = self._lines[section]
            return str(line) if line is not None else str(section + 1)
        if role == Qt.ItemDataRole.ToolTipRole:
            return problem
        if role == Qt.ItemDataRole.DecorationRole and problem:
            app = QApplication.instance()
            if app is not None:
                return app.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        if role == Qt.ItemDataRole.BackgroundRole and problem:
            return theme.tint_brush("warning", 0.4)
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class PreviewView(QTableView):
    """A read-only table over a PreviewModel, sized for quick scanning."""

    def __init__(self, model: PreviewModel | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setModel(model or PreviewModel(self))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(True)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.model().modelReset.connect(self._fit_columns)

    def _fit_columns(self) -> None:
        self.resizeColumnsToContents()
        limit = max(120, self.viewport().width() // 2)
        header = self.horizontalHeader()
        for col in range(header.count()):
            if header.sectionSize(col) > limit:
                header.resizeSection(col, limit)

