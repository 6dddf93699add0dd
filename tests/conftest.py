"""Shared test set-up: every test gets its own AXIOM_DROP_HOME, so nothing touches real dirs."""

import os

import keyring
import keyring.backend
import keyring.errors
import pytest

os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    home = tmp_path / "axiom-drop-home"
    home.mkdir()
    monkeypatch.setenv("AXIOM_DROP_HOME", str(home))
    for var in ("AXIOM_TOKEN", "AXIOM_URL", "AXIOM_ORG_ID", "AXIOM_EDGE_URL", "AXIOM_EDGE"):
        monkeypatch.delenv(var, raising=False)
    return home


class MemoryKeyring(keyring.backend.KeyringBackend):
    """An in-memory keyring for unit tests only (the real Secret Service is tested through the
    token dialog, marked `keyring`)."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.store = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        if (service, username) not in self.store:
            raise keyring.errors.PasswordDeleteError("not stored")
        del self.store[(service, username)]


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    kr = MemoryKeyring()
    keyring.set_keyring(kr)
    yield kr
    keyring.set_keyring(previous)


# The datasets the CLI's `--sandbox` tests send to (tests/cli, tests/scenarios): made before they
# run in the sandbox the CLI starts (the app's sandbox dir under this test's AXIOM_DROP_HOME), as a
# user makes them in Axiom before an upload — ingest does not create a dataset there.
CLI_DATASETS = ("logs", "ds", "text", "y")


@pytest.fixture
def cli_datasets(_isolated_home):
    from app.core import config
    from app.sandbox import Sandbox

    sandbox = Sandbox(config.sandbox_dir())  # not started: its store alone makes them
    for name in CLI_DATASETS:
        sandbox.create_dataset(name)
    return CLI_DATASETS
