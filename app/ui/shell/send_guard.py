"""Before files go to the queue: ask when one of them was already sent to this dataset.

Why: dropping the same file twice stored every event twice, with nothing said. The rule (same
size, mtime and first MiB, finished in the journal) is core's (history.already_sent); this
module asks the question and queues what the user agreed to.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Callable

import shiboken6
from PySide6.QtWidgets import QMessageBox, QWidget

from app.core import history, journal

log = logging.getLogger(__name__)


def ask_send_again(parent: QWidget, questions: list[str]) -> asyncio.Future:
    """One question for all the files already sent; the future says True to send them again.
    Window-modal and not a nested event loop (exec() inside a task would let other tasks run
    inside this one)."""
    box = QMessageBox(QMessageBox.Icon.Question, "Already sent",
                      "This file was already sent." if len(questions) == 1
                      else f"{len(questions)} of these files were already sent.", parent=parent)
    box.setInformativeText("\n\n".join(questions[:5]) + (f"\n\n… and {len(questions) - 5} more"
                                                         if len(questions) > 5 else ""))
    again = box.addButton("Send again", QMessageBox.ButtonRole.AcceptRole)
    skip = box.addButton("Don't send them", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(skip)
    answer: asyncio.Future = asyncio.get_event_loop().create_future()

    def done(_result: int) -> None:
        if not answer.done():
            answer.set_result(box.clickedButton() is again)
        box.deleteLater()

    box.finished.connect(done)
    box.open()
    return answer


def find_sent(jobs: list, dataset: str) -> list[tuple[int, str]]:
    """(index, question) of the jobs whose file was already sent to the dataset it goes to (worker
    thread). A job is (Source, Plan), or (Source, Plan, dataset) from a folder's "apply to all"."""
    by_dataset: dict[str, list[tuple[int, str]]] = {}
    for i, job in enumerate(jobs):
        if getattr(job[0], "path", None):
            by_dataset.setdefault(job[2] if len(job) > 2 and job[2] else dataset, []).append((i, str(job[0].path)))
    out: list[tuple[int, str]] = []
    for target, files in by_dataset.items():
        try:
            found = history.already_sent([path for _i, path in files], target)
        except journal.JournalError as e:
            log.warning("cannot check for an earlier send: %s", e)
            continue
        out += [(files[k][0], history.already_sent_text(record)) for k, record in found.items()]
    return sorted(out)


class SendGuard:
    """`queue(jobs)` checks in a worker thread, asks, then hands the agreed jobs to `add_jobs`.
    Tests replace `ask` (questions -> bool)."""

    def __init__(self, ctx, parent: QWidget, add_jobs: Callable[[list], object]) -> None:
        self.ctx = ctx
        self.parent = parent
        self.add_jobs = add_jobs
        # (questions) -> bool, or an awaitable of it (the dialog); tests replace it
        self.ask: Callable[[list[str]], object] = lambda questions: ask_send_again(parent, questions)

    def queue(self, jobs: list, dataset: str | None = None):
        """Queue (Source, Plan) pairs for `dataset` (default: the one chosen above)."""
        return self.ctx.tasks.spawn(self._queue(list(jobs), dataset or self.ctx.dataset(), dataset),
                                    "check for files already sent")

    async def _queue(self, jobs: list, dataset: str, given: str | None = None) -> None:
        try:
            found = await self.ctx.run_blocking(find_sent, jobs, dataset, timeout=60)
        except Exception:  # a check that cannot run must not lose the files
            log.exception("checking for files already sent")
            found = []
        if not shiboken6.isValid(self.parent):
            return  # the window closed meanwhile
        agreed = self.ask([q for _i, q in found]) if found else True
        if inspect.isawaitable(agreed):
            agreed = await agreed
        if not agreed:
            skipped = {i for i, _q in found}
            jobs = [job for i, job in enumerate(jobs) if i not in skipped]
            self.ctx.status(f"Not sent again: {len(skipped)} file{'s' if len(skipped) != 1 else ''} "
                            f"already in {dataset}", 8000)
        if jobs and shiboken6.isValid(self.parent):
            self.add_jobs(jobs, given) if given else self.add_jobs(jobs)
