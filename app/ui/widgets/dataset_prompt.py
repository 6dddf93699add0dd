"""The question after a 404 on ingest, shared by the upload queue and the paste tab: "Dataset X
does not exist. Create it?" in core's words (job/policy.missing_dataset_prompt), with the region
the dataset would be made in. Opened with open(), so uploads go on while it waits."""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from app.core.job import policy

CREATE = "Create and continue"
NOT_NOW = "Not now"


def ask_to_create(parent: QWidget, dataset: str, region: str, answered: Callable[[bool], None]) -> QMessageBox:
    """Open the question; `answered(yes)` once the user chose. Returns the box (tests click it)."""
    question, detail = policy.missing_dataset_prompt(dataset, region or None)
    box = QMessageBox(QMessageBox.Icon.Question, "Dataset does not exist", question, parent=parent)
    box.setInformativeText(detail)
    box.setAccessibleName("Create the missing dataset?")
    box.setAccessibleDescription(f"{question} {detail}")
    create = box.addButton(CREATE, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(NOT_NOW, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(create)
    box.create_button = create  # type: ignore[attr-defined]  (tests click it)

    def done(_result: int) -> None:
        yes = box.clickedButton() is create
        box.deleteLater()
        answered(yes)

    box.finished.connect(done)
    box.open()
    return box
