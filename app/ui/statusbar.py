"""The status bar: connection state, the per-minute rate limit, the monthly ingest quota."""

from __future__ import annotations

import time
from datetime import datetime

from PySide6.QtWidgets import QLabel, QStatusBar

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
    reset = _clock(getattr(rl, "reset", None))
    return f"{text}, resets {reset}" if reset else text


def ingest_limit_text(il) -> str:
    """'Monthly ingest: 4.2 GB of 500.0 GB left, resets Dec 01' from an axiom.IngestLimit."""
    text = f"Monthly ingest: {format_bytes(il.remaining)} of {format_bytes(il.limit)} left"
    reset = getattr(il, "reset", None)
    if reset and float(reset) > time.time():
        text += f", resets {_date(reset)}"
    return text


class StatusBar(QStatusBar):
    """Permanent labels on the right; transient messages (ctx.status) on the left."""

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Status bar")
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
        ctx.connectionChanged.connect(self._on_connection)
        ctx.profileChanged.connect(self._on_profile)
        ctx.rateLimitChanged.connect(self.show_limit)
        ctx.statusMessage.connect(self.showMessage)
        self._on_connection()

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
        if hasattr(info, "scope"):
            if info.limit is None or info.remaining is None:
                return
            self.rate_label.setText(rate_limit_text(info))
            self.rate_label.show()
        else:
            if info.limit is None or info.remaining is None:
                return
            self.quota_label.setText(ingest_limit_text(info))
            self.quota_label.show()
