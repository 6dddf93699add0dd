"""The window's answer to a 404 on ingest: "Dataset X does not exist. Create it?".

Axiom does not create datasets on ingest, so an upload into a missing one stops with its events
counted as not sent (core/job/policy). This asks (widgets/dataset_prompt) once per dataset — rows
of the same dataset that stop meanwhile wait on the same question — and on "Create and continue"
makes it in the profile's region, then retries each waiting row (core/queue.retry_action: resend if nothing was stored,
else resume). The wording is core's (policy.missing_dataset_prompt).
"""

from __future__ import annotations

from typing import Callable

import shiboken6
from PySide6.QtWidgets import QMessageBox, QWidget

from app.core.axiom import AxiomError, Conflict, region_label
from app.core.job import policy
from app.core.queue import QueueEntry
from app.ui.widgets.dataset_prompt import ask_to_create


class MissingDatasetPrompt:
    """Asks to create a missing dataset; `retry(entry)` is the queue panel's retry."""

    def __init__(self, parent: QWidget, ctx, retry: Callable[[QueueEntry], object]) -> None:
        self.parent, self.ctx, self.retry = parent, ctx, retry
        self.waiting: dict[str, list[QueueEntry]] = {}  # dataset → rows stopped by its absence
        self.box: QMessageBox | None = None  # the open question (tests click its buttons)
        self.create_button = None

    @staticmethod
    def applies(entry: QueueEntry) -> bool:
        r = entry.result
        return r is not None and policy.dataset_is_missing(r.error_kind) and bool(r.not_sent)

    def offer(self, entry: QueueEntry) -> None:
        """Ask about entry's dataset, or add the row to the question already open for it."""
        dataset = entry.dataset
        if dataset in self.waiting:
            self.waiting[dataset].append(entry)
            return
        self.waiting[dataset] = [entry]
        client = self.ctx.client()
        region = region_label(client.endpoint.region) if client is not None else ""
        self.box = ask_to_create(self.parent, dataset, region, lambda yes, d=dataset: self._answered(yes, d))
        self.create_button = self.box.create_button

    def _answered(self, yes: bool, dataset: str) -> None:
        self.box = self.create_button = None
        if yes:
            self.ctx.tasks.spawn(self._create(dataset), f"create dataset {dataset}")
            return
        entries = self.waiting.pop(dataset, [])
        count = sum(e.not_sent for e in entries)
        self.ctx.status(f"{count:,} events not sent: dataset “{dataset}” does not exist. Create it "
                        "(New dataset…), then press Retry", 15000)

    async def _create(self, dataset: str) -> None:
        try:
            await self.ctx.create_dataset(dataset)
        except Conflict:
            pass  # made meanwhile, elsewhere: send
        except (AxiomError, RuntimeError) as e:
            self.waiting.pop(dataset, None)
            self.ctx.status(f"Could not create “{dataset}”: {getattr(e, 'message', None) or e}", 15000)
            return
        entries = self.waiting.pop(dataset, [])
        if not shiboken6.isValid(self.parent):
            return
        self.ctx.status(f"Dataset “{dataset}” created: sending the rest", 8000)
        for entry in entries:
            self.retry(entry)
