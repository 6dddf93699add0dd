"""A long status message in a narrow window: elided at a word, full text reachable, limits visible."""

from __future__ import annotations

from app.core.axiom.models import IngestLimit, RateLimit

LONG = ("big-export.ndjson: 120,000 ingested, 3 failed (line 17: not a JSON object; line 90: "
        "too deep; line 4,001: invalid UTF-8), 12 not sent because the upload was cancelled")


def test_long_message_is_elided_at_a_word_and_never_behind_the_limits(window, qtbot):
    sb = window.status_bar
    window.resize(760, 500)
    window.ctx.status(LONG, 10000)
    label = sb.message_label
    qtbot.waitUntil(lambda: label.isVisible() and label.text() != "")
    # The limits arrive after the message (as with an answer's headers): the message makes room.
    sb.show_limit(RateLimit(scope="user", limit=100, remaining=95, reset=None))
    sb.show_limit(IngestLimit(limit=500_000_000_000, remaining=4_200_000_000, reset=None))
    qtbot.waitUntil(lambda: label.geometry().right() < sb.quota_label.geometry().left())
    qtbot.wait(50)

    shown = label.text()
    assert shown.endswith("…") and shown != LONG
    start = shown[:-1].rstrip()
    assert LONG.startswith(start) and len(start) > 10
    assert LONG[len(start)] == " "  # cut between words, not mid-word
    assert label.fontMetrics().horizontalAdvance(shown) <= label.width()
    # The full text is one hover (or one screen-reader query) away.
    assert label.toolTip() == LONG
    assert label.accessibleDescription() == LONG
    # The permanent widgets stay visible, to the right of the message.
    for permanent in (sb.connection_label, sb.rate_label, sb.quota_label):
        assert permanent.isVisible()
        assert label.geometry().right() < permanent.geometry().left()

    # Wider: more of it shows, still starting at the start.
    window.resize(1400, 500)
    qtbot.waitUntil(lambda: len(label.text()) > len(shown))
    assert LONG.startswith(label.text().rstrip("…"))


def test_message_goes_away_after_its_time(window, qtbot):
    sb = window.status_bar
    window.ctx.status("Saved.", 200)
    qtbot.waitUntil(lambda: sb.message_label.text() == "Saved.")
    qtbot.waitUntil(lambda: sb.message_label.text() == "", timeout=3000)
    assert sb.message_label.toolTip() == ""
