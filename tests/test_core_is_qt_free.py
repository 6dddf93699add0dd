"""The core must never import Qt: the CLI, the sandbox and the tests of the engine run without it."""

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent / "app" / "core"
QT_MODULES = {"PySide6", "PyQt5", "PyQt6", "qasync", "shiboken6"}


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_core_modules_import_no_qt():
    files = sorted(CORE.glob("*.py"))
    assert len(files) >= 3
    offenders = {f.name: sorted(_imported_roots(f) & QT_MODULES) for f in files}
    assert {k: v for k, v in offenders.items() if v} == {}
