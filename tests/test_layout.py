"""The layout rules of issue #10 that import-linter (run by `make test`) cannot check: small
modules, and no path of somebody's machine in the code."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 450


def tracked(*patterns: str) -> list[Path]:
    out = subprocess.run(["git", "ls-files", *patterns], cwd=ROOT, capture_output=True, text=True, check=True)
    return [ROOT / p for p in out.stdout.split()]


def test_no_module_under_app_is_over_450_lines():
    sizes = {str(p.relative_to(ROOT)): len(p.read_text("utf-8").splitlines()) for p in tracked("app/*.py")}
    assert len(sizes) > 50
    assert {p: n for p, n in sizes.items() if n > MAX_LINES} == {}


def test_no_machine_specific_path_in_the_code_or_docs():
    machine = re.compile(r"(?<![\w.])/(?:work/|root/|home/(?!me/)[a-z]\w*/|Users/(?!me/)\w+/)")  # "me": examples
    hits = [f"{p.relative_to(ROOT)}:{n}" for p in tracked("*.py", "*.md", "*.toml", "*.sh", "Makefile", ".ci/*")
            if p.is_file() for n, line in enumerate(p.read_text("utf-8", "replace").splitlines(), 1)
            if machine.search(line)]
    assert hits == []
