"""Before Send: files whose time field does not read for some sampled rows are sent only when
the user confirms (those events will fail), and files whose dates fit both orders wait for the
order to be chosen. The counts and words are core's (time.check)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def time_problems(cards, groups=()) -> tuple[list[str], list[str]]:
    """(blocking, confirmable) messages, one per card with a problem and one per folder (core FolderGroup)."""
    from app.core.plan import check_plan_times

    blocking, confirm = [], []
    for card in cards:
        if card.time_box.zone_name() is None:
            typed = card.time_box.zone_combo.currentText().strip()
            blocking.append(f"{card.name}: {typed!r} is not a time zone this app knows "
                            "(use UTC, this computer's zone, or a name such as Europe/Berlin)")
            continue
        check = check_plan_times(card.sniff, card.plan())
        if check.problem:
            (blocking if check.orders else confirm).append(f"{card.name}: {check.problem}")
    confirm += [p for p in (g.time_problem() for g in groups) if p]
    return blocking, confirm


def confirm_times(parent: QWidget, cards, groups=()) -> bool:
    """True when the cards and folders may be sent as they are (asking the user where needed)."""
    blocking, confirm = time_problems(cards, groups)
    if blocking:
        box = QMessageBox(QMessageBox.Icon.Warning, "Choose how to read the times",
                          "\n\n".join(blocking) + "\n\nChoose on the file's card, then send.",
                          QMessageBox.StandardButton.Ok, parent)
        box.setObjectName("timeBlocked")
        box.exec()
        return False
    if not confirm:
        return True
    box = QMessageBox(QMessageBox.Icon.Question, "Some times do not read", "\n\n".join(confirm)
                      + "\n\nSend anyway? Those events will fail; the others are sent.",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName("timeConfirm")
    box.button(QMessageBox.StandardButton.Yes).setText("Send anyway")
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    return box.exec() == QMessageBox.StandardButton.Yes
