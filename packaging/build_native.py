#!/usr/bin/env python3
"""Compile the C block paths of text logs and typed CSV (setup.py's MODULES) in place, each next to its .c, for a development checkout:
`make run` and `make test` run this when the source is newer than the built module.

setuptools' build_ext, driven directly (the Extension and flags from setup.py), so nothing reads
pyproject.toml and nothing is installed. No C compiler (or no Python headers): one line saying
text logs and typed CSV are read in Python, exit 0, unless AXIOM_DROP_REQUIRE_NATIVE=1 (CI), which makes
it an error.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_setup_py():
    spec = importlib.util.spec_from_file_location("axiom_drop_setup", ROOT / "setup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)   # not __main__: defines the Extension, runs no setup()
    return module


def build_ext_command(setup_py):
    from setuptools import Distribution

    dist = Distribution({"name": "axiom-drop-native", "ext_modules": setup_py.native_extensions(optional=False),
                         "cmdclass": {"build_ext": setup_py.BuildExt}})
    cmd = dist.get_command_obj("build_ext")
    cmd.inplace = True
    cmd.force = True                  # make asked: the source changed, so the module is out of date
    cmd.build_temp = cmd.build_lib = str(ROOT / "build" / "native")   # then copied next to the .c
    cmd.ensure_finalized()
    return cmd


def main() -> int:
    os.chdir(ROOT)                    # setuptools wants the sources relative to setup.py's folder
    setup_py = load_setup_py()
    from setuptools.errors import BaseError, CCompilerError

    cmd = build_ext_command(setup_py)
    targets = [Path(cmd.get_ext_fullpath(ext.name)) for ext in cmd.extensions]
    try:
        cmd.run()
    except (BaseError, CCompilerError) as exc:
        # An older build would otherwise load: stale C next to newer Python, and the line below a lie.
        for target in targets:
            target.unlink(missing_ok=True)
        if setup_py.required():
            print(f"build_native: the C block paths did not build ({exc}) and "
                  f"{setup_py.REQUIRE_ENV}=1 requires it", file=sys.stderr)
            return 1
        print(f"Text logs and typed CSV are read in Python (their C part did not build: {exc}; a C "
              "compiler and the Python headers make them several times faster)")
        return 0
    print("built " + ", ".join(str(t.relative_to(ROOT)) for t in targets))
    return 0


if __name__ == "__main__":
    sys.exit(main())
