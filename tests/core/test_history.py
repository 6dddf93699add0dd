"""What the history and resume views ask of the journal, against a journal on the test's own home."""

from __future__ import annotations

import sqlite3
import time
from types import SimpleNamespace as NS

from app.core import history, journal
from app.core.plan import Plan
from app.core.job import Failure


def mark(seq, last_line, status="acked"):
    return NS(seq=seq, last_line=last_line, status=status)


def test_stop_point_is_the_line_after_the_acknowledged_start():
    record = NS(stopped_at=None)
    assert history.stop_point(record, []) == "line 1"
    assert history.stop_point(record, [mark(0, 100), mark(1, 2500), mark(2, 3000, "inflight")]) == "line 2,501"
    assert history.stop_point(record, [mark(0, 100), mark(2, 300)]) == "line 101"  # a gap: stop there
    assert history.stop_point(NS(stopped_at="line 7"), [mark(0, 100)]) == "line 7"


def _job(tmp_path, name="a.ndjson", lines=10) -> str:
    path = tmp_path / name
    path.write_text("".join('{"n": %d}\n' % i for i in range(lines)))
    j = journal.Journal()
    try:
        job_id = j.create_job(kind="file", name=str(path), identity=journal.identify(path), dataset="logs",
                              profile="p", endpoint="https://api.axiom.co", plan=Plan(format="ndjson"),
                              max_events=5, max_bytes=1 << 20, compression=None)
        j.ack(job_id, 0, 0, 40, 1, 5, 5, ingested=4, failed=1, possible_duplicates=0,
              failures=[Failure(3, "bad field", '{"n": 2}')], warnings=[], trace_ids=["t1"])
    finally:
        j.close()
    return job_id


def test_unfinished_lists_an_interrupted_job_with_where_it_stopped(tmp_path):
    job_id = _job(tmp_path)
    pruned, jobs = history.unfinished(keep_days=30)
    assert pruned == 0
    assert [(r.id, stopped) for r, stopped in jobs] == [(job_id, "line 6")]
    assert history.how_it_ended(jobs[0][0]) == "interrupted"
    assert [(r.id, state) for r, state in history.history("a.nd")] == [(job_id, "interrupted")]
    assert history.history("nothing like it") == []
    assert history.job(job_id).ingested == 4

    history.discard([job_id])
    assert history.unfinished()[1] == []
    assert [state for _r, state in history.history()] == ["cancelled"]  # it stays in the history


def test_failures_come_back_as_failures(tmp_path):
    job_id = _job(tmp_path)
    assert history.failures(job_id) == [Failure(3, "bad field", '{"n": 2}')]


def test_prune_forgets_old_jobs(tmp_path):
    job_id = _job(tmp_path)
    conn = sqlite3.connect(journal.db_path())
    with conn:
        conn.execute("UPDATE jobs SET updated=? WHERE id=?", (time.time() - 40 * 86400, job_id))
    conn.close()
    assert history.prune(90) == 0
    pruned, jobs = history.unfinished(keep_days=30)
    assert (pruned, jobs) == (1, [])
    assert history.job(job_id) is None


def _rec(**kw):
    base = dict(kind="file", path="/data/a.ndjson", resumable=False, state="done", failed=0, offered=None,
                size=None, head_sha256=None)
    base.update(kw)
    return NS(**base)


def test_what_a_history_entry_offers():
    done = _rec(failed=2)
    assert history.actions_for(done, "done with failures", True) == [
        history.SEND_AGAIN, history.EXPORT, history.SHOW_FILE]
    assert history.actions_for(done, "done", False) == [history.EXPORT, history.SHOW_FILE]  # the file is gone
    stopped = _rec(state="cancelled", resumable=True)
    assert history.actions_for(stopped, "cancelled", True) == [history.RESUME, history.SEND_AGAIN, history.SHOW_FILE]
    assert history.actions_for(_rec(state="running"), "uploading", True) == [history.SHOW_FILE]  # running now
    assert history.actions_for(_rec(kind="pasted", path=None, failed=1), "done with failures", False) == [
        history.EXPORT]


def test_the_resume_bar_offers_a_cancelled_job_once_and_keeps_the_others():
    assert history.offered_at_start(_rec(state="cancelled", resumable=True))
    assert not history.offered_at_start(_rec(state="cancelled", resumable=True, offered=time.time()))
    assert history.offered_at_start(_rec(state="running", offered=time.time()))  # interrupted: until resumed
    assert history.offered_at_start(_rec(state="paused", resumable=True, offered=time.time()))  # kept
    assert not history.offered_at_start(_rec(state="done"))
    assert history.how_it_ended(NS(state="paused", interrupted=False)) == "kept for resuming"


def test_console_links_name_the_org_and_the_dataset():
    from app.core.axiom.console import apl_for, dataset_page

    assert apl_for("it's") == "['it\\'s']"
    assert dataset_page("eu", "org 1", "d").startswith("https://app.axiom.co/org%201/explorer?initForm=")
