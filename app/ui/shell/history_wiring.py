"""The History tab's "Resume" and "Send again", carried out by the window: a resumed job goes
to the queue as the resume bar's do (same checks: profile, connection, endpoint); a file sent
again goes through the send guard (it asks, since the file was sent before) to its dataset."""

from __future__ import annotations

from pathlib import Path

from app.core import journal


def connect_history_actions(window) -> None:
    actions = window.history_tab.entry_actions
    actions.resumeRequested.connect(lambda record: resume_record(window, record))
    actions.sendAgainRequested.connect(lambda record: send_again(window, record))


def resume_record(window, record) -> bool:
    from app.core.job import resume_job

    bar = window.resume_bar
    why = bar.blocker(record)
    if why is not None:
        window.ctx.status(f"{record.name}: {why}", 10000)
        return False
    try:
        job = resume_job(record, window.ctx.client(), endpoint=bar._endpoint_for(record))
    except journal.ResumeError as e:
        window.ctx.status(str(e), 10000)
        return False
    for item in [it for it in bar.items() if it.record.id == record.id]:
        bar.model.remove(item)  # no longer offered by the bar: it is in the queue
    window._queue_prepared([job])
    window.ctx.status(f"Resuming {Path(record.path or record.name).name}: only what is not stored yet is sent",
                      8000)
    return True


def send_again(window, record):
    from app.core.job import Source

    plan = journal.plan_from_json(record.plan)
    window.tabs.setCurrentIndex(0)
    return window.send_guard.queue([(Source.from_path(record.path), plan)], record.dataset)
