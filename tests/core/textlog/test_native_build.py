"""The C block paths (setup.py's MODULES: app.core.textlog._native, app.core.batching._native_csv,
…, compiled by `make run` / `make test` and by every bundle build). The app runs without them,
several times slower on text logs and typed CSV, so where they must exist
(AXIOM_DROP_REQUIRE_NATIVE=1: .ci/run) a failed build fails here instead of going unseen."""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _modules() -> list[str]:
    spec = importlib.util.spec_from_file_location("axiom_drop_setup", ROOT / "setup.py")
    setup_py = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(setup_py)  # not __main__: no setup() call
    return sorted(setup_py.MODULES)


MODULES = _modules()


def test_every_c_source_is_a_module_of_its_dotted_name():
    assert {"app.core.textlog._native", "app.core.batching._native_csv"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_the_c_block_path_imports_where_it_is_required(name):
    try:
        module = importlib.import_module(name)
    except ImportError as exc:
        if os.environ.get("AXIOM_DROP_REQUIRE_NATIVE") == "1":
            pytest.fail(f"AXIOM_DROP_REQUIRE_NATIVE=1, but {name} does not import ({exc}): "
                        "`make test` compiles it with a C compiler and the Python headers (gcc, libc6-dev, python3-dev)")
        pytest.skip(f"{name} is not built here ({exc}): its block path runs in Python; "
                    "`make run` compiles it when a C compiler is there")
    assert isinstance(module.__loader__, importlib.machinery.ExtensionFileLoader), module.__file__
