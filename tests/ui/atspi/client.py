"""The screen reader's side of tests/ui/test_atspi.py: it reads and drives the running window over
AT-SPI only (the accessibility bus a screen reader uses: names, roles, states, actions, editable
text, table cells), never through Qt. It runs under Debian's /usr/bin/python3, where pyatspi lives
(not in the project's venv), imports nothing of the app, and prints one JSON object; a step that
does not come about in time prints {"error": ..., "step": ...} and exits 1.

    client.py walk APP                    the showing controls of each main tab
    client.py label APP NAME              a label's name, description and text (what a screen reader reads)
    client.py paste APP FILE              Paste JSON: the file's text into the editor, Send, the outcome
    client.py send-files APP BUTTON COUNT STATES
                                          Files: press BUTTON (Send …), then the upload queue's cells
                                          once COUNT rows have a Status among STATES (a,b,…)
"""

from __future__ import annotations

import json
import sys
import time

import pyatspi

# The roles a user operates (what issue #14 means by "control"); cells, labels and panes are not.
CONTROL_ROLES = {
    "push button", "toggle button", "check box", "radio button", "combo box", "text", "password text",
    "entry", "spin button", "slider", "table", "tree table", "tree", "list", "list box", "page tab",
}
MAIN_TABS = ("Files", "Paste JSON", "History")
TIMEOUT_S = 20.0


class StepFailed(Exception):
    def __init__(self, step: str, message: str) -> None:
        super().__init__(message)
        self.step = step


def _poll(step: str, probe, timeout: float = TIMEOUT_S, what: str = "", seen=None):
    """probe() until it returns something truthy (AT-SPI objects may vanish meanwhile: retried);
    seen() says, on a timeout, what was there instead."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            found = probe()
        except Exception as e:  # an object gone from the bus between two calls: look again
            found, last = None, e
        if found:
            return found
        time.sleep(0.15)
    instead = f"; seen instead: {seen()}" if seen is not None else ""
    raise StepFailed(step, f"not within {timeout:.0f} s: {what or step}{instead}" + (f" (last error: {last})" if last else ""))


def find_app(name: str):
    def probe():
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            child = desktop.getChildAtIndex(i)
            if child is not None and child.name == name and child.childCount:
                return child
        return None
    return _poll("find the application", probe, 30.0, f"an application named {name!r} on the AT-SPI bus")


def _fresh(acc):
    acc.clear_cache()  # read names and states from the window, not from what this client saw before
    return acc


def showing(acc) -> bool:
    states = _fresh(acc).getState()
    return states.contains(pyatspi.STATE_SHOWING) and states.contains(pyatspi.STATE_VISIBLE)


def descendants(acc, path=()):
    """(object, path of ancestor names) for every showing object under acc, depth first."""
    for i in range(acc.childCount):
        child = acc.getChildAtIndex(i)
        if child is None or not showing(child):
            continue
        here = path + (f"{child.getRoleName()} {child.name!r}",)
        yield child, here
        if child.getRoleName() not in ("table", "tree table", "list", "tree"):  # cells are not controls
            yield from descendants(child, here)


def labelled_by(acc) -> list[str]:
    """The names of the labels a screen reader reads for acc (Qt: a QLabel whose buddy it is)."""
    return [r.getTarget(i).name for r in acc.getRelationSet()
            if r.getRelationType() == pyatspi.RELATION_LABELLED_BY for i in range(r.getNTargets())]


def controls(app) -> list[dict]:
    return [{"role": acc.getRoleName(), "name": acc.name.strip(), "labelled_by": labelled_by(acc),
             "path": " > ".join(path[-4:-1])}
            for acc, path in descendants(app) if acc.getRoleName() in CONTROL_ROLES]


def find(app, role: str, name: str, step: str, timeout: float = TIMEOUT_S):
    def probe():
        return next((acc for acc, _ in descendants(app) if acc.getRoleName() == role and acc.name == name), None)
    return _poll(step, probe, timeout, f"a showing {role} named {name!r}")


def press(acc, step: str) -> None:
    action = acc.queryAction()
    names = [action.getName(i) for i in range(action.nActions)]
    for wanted in ("Press", "press", "click", "activate"):
        if wanted in names:
            action.doAction(names.index(wanted))
            return
    raise StepFailed(step, f"{acc.getRoleName()} {acc.name!r} offers no press action (it has {names})")


def enabled(acc) -> bool:
    states = _fresh(acc).getState()
    return states.contains(pyatspi.STATE_ENABLED) and states.contains(pyatspi.STATE_SENSITIVE)


def text_of(acc) -> str:
    _fresh(acc)
    try:
        text = acc.queryText()
        return text.getText(0, text.characterCount)
    except NotImplementedError:
        return acc.name


def open_tab(app, name: str) -> None:
    tab = find(app, "page tab", name, f"find the {name} tab")
    press(tab, f"open the {name} tab")
    _poll(f"open the {name} tab", lambda: _fresh(tab).getState().contains(pyatspi.STATE_SELECTED))


def table_rows(table) -> dict:
    """A table's column headers and its cells' text, row by row, as the screen reader reads them."""
    t = _fresh(table).queryTable()
    headers = []
    for c in range(t.nColumns):
        header = t.getColumnHeader(c)
        headers.append(header.name if header is not None else t.getColumnDescription(c))
    rows = [[text_of(t.getAccessibleAt(r, c)) for c in range(t.nColumns)] for r in range(t.nRows)]
    return {"headers": headers, "rows": rows}


def list_items(view) -> list[str]:
    _fresh(view)
    return [text_of(view.getChildAtIndex(i)) for i in range(view.childCount) if view.getChildAtIndex(i) is not None]


def walk(app) -> dict:
    tabs = {}
    for name in MAIN_TABS:
        open_tab(app, name)
        tabs[name] = controls(app)
    open_tab(app, MAIN_TABS[0])
    return {"tabs": tabs}


def paste(app, text: str) -> dict:
    open_tab(app, "Paste JSON")
    editor = find(app, "text", "JSON to send", "find the editor")
    editor.queryEditableText().setTextContents(text)
    send = find(app, "push button", "Send pasted JSON", "find Send")
    _poll("Send becomes enabled", lambda: enabled(send), what="Send enabled after the JSON was checked")
    press(send, "press Send")
    result = find(app, "label", "Send result", "find the result")

    def outcome():  # the label's name says what it is; its description, what happened
        said = _fresh(result).description
        return said if said and not said.startswith("Sending") else None
    said = _poll("the send finishes", outcome, 30.0, "a result other than 'Sending…'")
    history = find(app, "list", "Send history", "find the send history")
    sent = list_items(history)
    open_tab(app, "History")
    journal = _poll("History lists the send", lambda: _history_table(app), what="a row in the History tab")
    open_tab(app, MAIN_TABS[0])
    return {"result": said, "send_history": sent, "history": journal}


def _history_table(app):
    tables = [acc for acc, _ in descendants(app) if acc.getRoleName() in ("table", "tree table")]
    for table in tables:
        rows = table_rows(table)
        if rows["rows"]:
            return {"name": table.name, **rows}
    return None


def send_files(app, button: str, count: int, end_states: set[str]) -> dict:
    open_tab(app, "Files")
    send = find(app, "push button", button, "find Send")
    _poll("Send becomes enabled", lambda: enabled(send), what="Send enabled once the files were read")
    press(send, "press Send")
    queue = find(app, "table", "Upload queue", "find the upload queue")

    def finished():
        rows = table_rows(queue)
        status = rows["headers"].index("Status")
        ended = [r for r in rows["rows"] if r[status] in end_states]
        return rows if len(ended) >= count else None
    rows = _poll("the uploads finish", finished, 40.0, f"{count} rows in the upload queue in one of {sorted(end_states)}",
                 seen=lambda: table_rows(queue))
    # The first row selected, as arrow keys would: its details show under the queue.
    if not _fresh(queue).queryTable().addRowSelection(0):
        raise StepFailed("select a row", "the upload queue refused to select its first row")
    details = _poll("the details show", lambda: [c for c in controls(app) if c["role"] == "page tab"
                                                 and c["name"].startswith("Failures")], what="the row's details")
    return {"queue": rows, "controls": controls(app), "details": details}


def main(argv: list[str]) -> int:
    command, app_name = argv[1], argv[2]
    try:
        app = find_app(app_name)
        if command == "walk":
            out = walk(app)
        elif command == "paste":
            with open(argv[3], encoding="utf-8") as f:
                out = paste(app, f.read())
        elif command == "label":
            label = find(app, "label", argv[3], f"find the label {argv[3]!r}")
            out = {"name": label.name, "description": _fresh(label).description, "text": text_of(label)}
        elif command == "send-files":
            out = send_files(app, argv[3], int(argv[4]), set(argv[5].split(",")))
        else:
            raise StepFailed("command", f"unknown command {command!r}")
    except StepFailed as e:
        print(json.dumps({"error": str(e), "step": e.step}))
        return 1
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
