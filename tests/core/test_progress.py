"""What a queue row says about progress, speed, time left and countdowns (app.core.progress):
the cases a user saw go wrong, as pure logic over Progress snapshots."""

from __future__ import annotations

from app.core import progress
from app.core.job import JobResult, JobState, Progress


def uploading(**kw) -> Progress:
    return Progress(state=JobState.UPLOADING, **kw)


def test_percent_counts_events_acknowledged_not_bytes_read():
    # 29 % of the bytes read (ahead of the requests), 9 % of the events acknowledged.
    p = uploading(total_bytes=1000, bytes_read=290, events_read=290, ingested=90)
    assert progress.percent_text(p.state, p, None) == "9 %"


def test_a_retry_with_nothing_stored_is_not_100_percent():
    # Read to the end, the only batch waiting for a retry, nothing ingested.
    p = Progress(state=JobState.RETRYING, total_bytes=500, bytes_read=500, events_read=40, wait_until=1e12)
    assert progress.percent_text(p.state, p, None) == "0 %"


def test_finished_jobs_say_what_share_was_answered():
    done = JobResult(name="a", dataset="d", state=JobState.DONE_WITH_FAILURES, ingested=8, failed=2)
    assert progress.fraction(done.state, None, done) == 1.0
    cancelled = JobResult(name="a", dataset="d", state=JobState.CANCELLED, ingested=25, not_sent=75)
    assert progress.percent_text(cancelled.state, None, cancelled) == "25 %"


def test_a_queued_row_shows_no_progress_at_all():
    assert progress.fraction(JobState.QUEUED, None, None) is None
    assert progress.percent_text(JobState.QUEUED, None, None) == ""


def test_unknown_size_shows_the_events_acknowledged():
    p = uploading(total_bytes=None, bytes_read=4096, events_read=120, ingested=100, failed=3)
    assert progress.fraction(p.state, p, None) == progress.UNKNOWN
    assert progress.percent_text(p.state, p, None) == "103 events"


def test_speed_is_what_this_run_sent():
    # A resume read 271 MB of already-stored batches in a second and sent 2 MB of them.
    resumed = uploading(total_bytes=300_000_000, bytes_read=271_000_000, bytes_sent=2_000_000, elapsed=1.0,
                        bytes_per_s=2_000_000.0)
    assert progress.speed(resumed, running=True, elapsed=1.0) == 2_000_000.0
    # A cancelled job that read ahead but had nothing acknowledged has no speed.
    cancelled = Progress(state=JobState.CANCELLED, bytes_read=2_200, bytes_sent=0, elapsed=1.0)
    assert progress.speed(cancelled, running=False, elapsed=1.0) is None
    # Finished: the average over the run.
    done = Progress(state=JobState.DONE, bytes_sent=10_000_000, elapsed=4.0)
    assert progress.speed(done, running=False, elapsed=4.0) == 2_500_000.0


def test_eta_is_the_events_left_at_this_runs_rate():
    p = uploading(total_bytes=1000, bytes_read=1000, events_read=1000, ingested=400, events_acked=200, elapsed=10.0)
    assert progress.eta(p, running=True) == 30.0  # 600 left at 20 events/s
    assert progress.eta(p, running=False) is None
    assert progress.eta(uploading(events_read=10, total_bytes=10, bytes_read=10), running=True) is None  # no rate yet
    assert progress.time_text(12.0, 30.0, started=True) == "0:12 · 0:30 left"
    assert progress.time_text(3725.0, None, started=True) == "1:02:05"
    assert progress.time_text(0.0, None, started=False) == ""


def test_the_countdown_is_taken_from_wait_until_when_shown():
    p = Progress(state=JobState.RETRYING, wait_until=1000.0, message="retrying in 10 s: 503 Service Unavailable",
                 reason="503 Service Unavailable")
    assert progress.live_message(p, now=993.0) == "retrying in 7 s: 503 Service Unavailable"
    assert progress.countdown(p, now=993.0) == 7
    w = Progress(state=JobState.WAITING, wait_until=1000.0, reason="for the rate limit to reset")
    assert progress.live_message(w, now=996.0) == "waiting 4 s for the rate limit to reset"
    assert progress.live_message(uploading(message="paused"), now=0) == "paused"


def _finished(name: str, **kw):
    from app.core.job import Source
    from app.core.queue import QueueEntry
    entry = QueueEntry(source=Source.from_bytes(b"{}\n", name=name), plan=None, dataset="d")
    entry.result = JobResult(name=name, dataset="d", state=kw.pop("state", JobState.DONE_WITH_FAILURES), **kw)
    return entry


def test_the_totals_count_the_files_not_read_to_the_end():
    entries = [_finished("cut.gz", ingested=10, rest_from=11), _finished("ok", state=JobState.DONE, ingested=5),
               _finished("also-cut.gz", ingested=2, not_sent=3, rest_from=6)]
    t = progress.totals(entries)
    assert (t["unread"], t["not_sent"]) == (2, 3)
    assert progress.not_sent_parts(t) == ["3 not sent", "2 files not read to the end"]
    assert progress.not_sent_parts(progress.totals(entries[:2])) == ["1 file not read to the end"]  # no "0 not sent"
    assert progress.not_sent_parts(progress.totals(entries[1:2])) == []


def test_the_totals_bytes_are_what_the_bars_show_sent():
    """"35.7 MB / 53.6 MB" beside "2 / 3 files done": a cancelled file counts the share of it that
    was sent, not its whole size; an uploading one what is acknowledged so far."""
    from app.core.job import Source
    from app.core.queue import QueueEntry

    def entry(size: int, state: JobState, **kw):
        e = QueueEntry(source=Source.from_bytes(b"x" * size, name="f"), plan=None, dataset="d")
        e.result = JobResult(name="f", dataset="d", state=state, **kw)
        return e

    t = progress.totals([entry(100, JobState.DONE, ingested=10),
                         entry(200, JobState.CANCELLED, ingested=5, not_sent=15)])
    assert (t["bytes_done"], t["bytes"], t["done"]) == (150, 300, 2)


def test_the_finished_summary_says_the_unread_rest_as_a_problem():
    title, text, problem = progress.finished_summary([_finished("cut.gz", ingested=10, rest_from=11)])
    assert (title, text, problem) == ("cut.gz finished with problems", "10 events ingested, 1 file not read to the end"
                                      " into d", True)
    assert progress.finished_summary([_finished("ok", state=JobState.DONE, ingested=5)]) == (
        "ok finished", "5 events ingested into d", False)
