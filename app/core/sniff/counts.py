"""How many events a file holds, and how many of them will fail, in the words a card shows.

Why: a card that said "25 events" for a file of 30 lines, 5 of them not JSON objects, hid the
5 the upload then reported as failed. The count is every event the job will count (sent, or
failed by line), and the ones Axiom will refuse are said with the first line they are on.
"""

from __future__ import annotations

from app.core.sniff.models import Sniff


def events_text(s: Sniff, as_sniffed: bool = True, whole_object: bool = False) -> str:
    """"30 events · 5 will fail (first: line 7)" ("~" when estimated from the head).

    `as_sniffed` False: the user chose another format or CSV dialect, which the sniff's failures
    were not counted with (the count alone is said). `whole_object`: a wrapping object sent as one
    event."""
    if whole_object:
        return "1 event"
    n, about = s.estimated_events, "" if s.head_is_whole else "~"
    text = f"{about}{n:,} event" + ("" if n == 1 else "s")
    failing = s.failing_events if as_sniffed else 0
    if failing:
        where = f"first: line {s.first_failing_line:,}" if s.first_failing_line else "not JSON objects"
        text += f" · {about}{failing:,} will fail ({where})"
    return text
