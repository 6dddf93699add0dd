"""The C part of the text-log parser (app.core.textlog._native, compiled by `make run` / `make test`
and by every bundle build). The app runs without it, ~3x slower on text logs, so where it must
exist (AXIOM_DROP_REQUIRE_NATIVE=1: .ci/run) a failed build fails here instead of going unseen."""

from __future__ import annotations

import importlib
import importlib.machinery
import os
from pathlib import Path

import pytest

import app.core.textlog

MODULES = sorted(f"app.core.textlog.{c.stem}" for c in Path(app.core.textlog.__file__).parent.glob("_native*.c"))


@pytest.mark.parametrize("name", MODULES)
def test_the_c_text_log_parser_imports_where_it_is_required(name):
    try:
        module = importlib.import_module(name)
    except ImportError as exc:
        if os.environ.get("AXIOM_DROP_REQUIRE_NATIVE") == "1":
            pytest.fail(f"AXIOM_DROP_REQUIRE_NATIVE=1, but {name} does not import ({exc}): "
                        "`make test` compiles it with a C compiler and the Python headers (gcc, libc6-dev, python3-dev)")
        pytest.skip(f"{name} is not built here ({exc}): the text-log parser runs in Python; "
                    "`make run` compiles it when a C compiler is there")
    assert isinstance(module.__loader__, importlib.machinery.ExtensionFileLoader), module.__file__
