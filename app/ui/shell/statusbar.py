"""The status bar: connection state, the per-minute rate limit, the monthly ingest quota."""

from __future__ import annotations

import time
from datetime import datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QSizePolicy, QStatusBar

from app.core.axiom import RateLimit
from app.ui.context import AppContext


def format_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


def _clock(epoch: float | None) -> str:
    if not epoch:
        return ""
    return datetime.fromtimestamp(float(epoch)).strftime("%H:%M")


def _date(epoch: float | None) -> str:
    if not epoch:
        return ""
    return datetime.fromtimestamp(float(epoch)).strftime("%b %d")


def rate_limit_text(rl) -> str:
    """'Rate limit: 95/100 this minute, resets 14:32' from an axiom.RateLimit."""
    text = f"Rate limit: {rl.remaining:,}/{rl.limit:,} this minute"
    reset = _clock(rl.reset)
    return f"{text}, resets {reset}" if reset else text


def ingest_limit_text(il) -> str:
    """'Monthly ingest: 4.2 GB of 500.0 GB left, resets Dec 01' from an axiom.IngestLimit."""
    text = f"Monthly ingest: {format_bytes(il.remaining)} of {format_bytes(il.limit)} left"
    reset = il.reset
    if reset and float(reset) > time.time():
        text += f", resets {_date(reset)}"
    return text


def rate_limit_short(rl) -> str:
    """The narrow-window form: 'Rate: 95/100 per min'."""
    return f"Rate: {rl.remaining:,}/{rl.limit:,} per min"


def ingest_limit_short(il) -> str:
    """The narrow-window form: 'Quota: 4.2 GB left'."""
    return f"Quota: {format_bytes(il.remaining)} left"


def elide_at_word(text: str, metrics, width: int) -> str:
    """`text` if it fits in `width` px, else its longest start ending at a word, plus "…"."""
    if metrics.horizontalAdvance(text) <= width:
        return text
    cut = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
    if not cut.endswith("…"):
        return cut
    head = cut[:-1]
    if head and len(head) < len(text) and text[len(head)] != " " and " " in head:
        head = head[: head.rindex(" ")]
    head = head.rstrip(" ,;:")
    return f"{head}…" if head else cut


class _MessageLabel(QLabel):
    """The message area; re-elides whenever the layout gives it another width."""

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.resized()

    def resized(self) -> None:  # replaced by the status bar
        pass


MESSAGE_ROOM = 240  # px kept for transient messages on the left before the limits use short forms


class StatusBar(QStatusBar):
    """Permanent labels on the right; transient messages (ctx.status) on the left."""

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Status bar")
        # The message has its own stretch area left of the permanent labels: QStatusBar's own
        # painted message was clipped by them mid-word, with no way to read the rest.
        self._message = ""
        self.message_label = _MessageLabel(self)
        self.message_label.resized = self._elide_message
        self.message_label.setAccessibleName("Status message")
        self.message_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.message_label.setContentsMargins(4, 0, 4, 0)
        self.addWidget(self.message_label, 1)
        self._message_timer = QTimer(self, singleShot=True)
        self._message_timer.timeout.connect(self.clearMessage)
        self.connection_label = QLabel(self)
        self.connection_label.setAccessibleName("Connection state")
        self.rate_label = QLabel(self)
        self.rate_label.setAccessibleName("Rate limit")
        self.rate_label.setToolTip("Requests left in the current minute (from the X-RateLimit-* headers)")
        self.quota_label = QLabel(self)
        self.quota_label.setAccessibleName("Monthly ingest quota")
        self.quota_label.setToolTip("Ingest volume left this month (from the X-IngestLimit-* headers)")
        for label in (self.connection_label, self.rate_label, self.quota_label):
            label.setContentsMargins(8, 0, 8, 0)
            self.addPermanentWidget(label)
        self.rate_label.hide()
        self.quota_label.hide()
        # (full, short) texts: in a narrow window the full ones left no room at all for the
        # transient messages ("mixed.json: 3 ingested, 2 failed" vanished), so they shorten.
        self._texts: dict[QLabel, tuple[str, str]] = {}
        self._tips = {self.rate_label: self.rate_label.toolTip(), self.quota_label: self.quota_label.toolTip()}
        ctx.connectionChanged.connect(self._on_connection)
        ctx.profileChanged.connect(self._on_profile)
        ctx.rateLimitChanged.connect(self.show_limit)
        ctx.statusMessage.connect(self.showMessage)
        self._on_connection()

    def showMessage(self, text: str, timeout: int = 0) -> None:  # noqa: N802 (Qt's name)
        """Show `text` (elided at a word if narrow; the full text in the tooltip) for `timeout` ms."""
        self._message = text or ""
        self.message_label.setToolTip(self._message)
        self.message_label.setAccessibleDescription(self._message)
        self._elide_message()
        if timeout > 0 and self._message:
            self._message_timer.start(timeout)
        else:
            self._message_timer.stop()

    def clearMessage(self) -> None:  # noqa: N802 (Qt's name)
        self.showMessage("")

    def currentMessage(self) -> str:  # noqa: N802 (Qt's name)
        return self._message

    def _elide_message(self) -> None:
        lb = self.message_label
        room = lb.contentsRect().width()
        lb.setText(elide_at_word(self._message, lb.fontMetrics(), room) if room > 0 else self._message)

    def _on_connection(self) -> None:
        state = self.ctx.connection_state
        short = {
            "connected": "Connected",
            "limited": "Connected (ingest only)",
            "connecting": "Connecting…",
            "error": "Connection problem",
            "disconnected": "Not connected",
        }.get(state, state)
        self.connection_label.setText(f"{self.ctx.profile().name}: {short}")
        self.connection_label.setToolTip(self.ctx.connection_message)

    def _on_profile(self) -> None:
        # Limits belong to the old endpoint.
        self.rate_label.hide()
        self.quota_label.hide()
        self._on_connection()

    def show_limit(self, info) -> None:
        if info is None:
            return
        if info.limit is None or info.remaining is None:
            return
        if isinstance(info, RateLimit):
            self._set(self.rate_label, rate_limit_text(info), rate_limit_short(info))
        else:
            self._set(self.quota_label, ingest_limit_text(info), ingest_limit_short(info))

    def _set(self, label: QLabel, full: str, short: str) -> None:
        self._texts[label] = (full, short)
        label.setToolTip(f"{full}\n{self._tips[label]}")
        label.show()
        self._fit()

    def _fit(self) -> None:
        """Full texts when they leave room for messages, else the short forms (the tooltip has the rest)."""
        shown = [lb for lb in self._texts if not lb.isHidden()]
        if not shown:
            return
        margins = sum(lb.contentsMargins().left() + lb.contentsMargins().right() + 12 for lb in shown)
        full_width = self.connection_label.sizeHint().width() + margins + sum(
            lb.fontMetrics().horizontalAdvance(self._texts[lb][0]) for lb in shown)
        use_short = full_width > self.width() - MESSAGE_ROOM
        for lb in shown:
            lb.setText(self._texts[lb][1 if use_short else 0])

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()
