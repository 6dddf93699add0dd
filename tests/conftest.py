"""Shared test set-up: every test gets its own AXIOM_DROP_HOME, so nothing touches real dirs."""

import os

import pytest

os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    home = tmp_path / "axiom-drop-home"
    home.mkdir()
    monkeypatch.setenv("AXIOM_DROP_HOME", str(home))
    for var in ("AXIOM_TOKEN", "AXIOM_URL", "AXIOM_ORG_ID"):
        monkeypatch.delenv(var, raising=False)
    return home
