"""The datasets these tests send to exist before they run (tests/conftest.py's cli_datasets):
ingest does not create a dataset, as on Axiom. Tests of a missing dataset use other names
(test_cli_create_dataset.py)."""

import pytest


@pytest.fixture(autouse=True)
def _datasets_exist(cli_datasets):
    return cli_datasets
