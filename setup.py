"""The app's C extensions, the block paths of text logs and typed CSV: every app/core/*/_native*.c
is one module of its dotted name (app.core.textlog._native, app.core.batching._native_csv, …);
everything else about the package is in pyproject.toml. MODULES is the one list: build_native.py,
packaging/build.py and the tests read it from here.

The app runs without them (the same paths in Python, several times slower), so a build without a C compiler
still installs, with setuptools' warning, unless AXIOM_DROP_REQUIRE_NATIVE=1 makes the failure an
error (packaging/build.py sets it for the Linux bundle, .ci/run for the checkout).
packaging/build_native.py compiles the same Extension in place for `make run` and `make test`.
"""

from __future__ import annotations

import os
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

REQUIRE_ENV = "AXIOM_DROP_REQUIRE_NATIVE"
HERE = Path(__file__).resolve().parent
# module name → its source, relative to this file (as setuptools wants them)
MODULES = {".".join(c.relative_to(HERE).with_suffix("").parts): [c.relative_to(HERE).as_posix()]
           for c in sorted(HERE.glob("app/core/*/_native*.c"))}


def required() -> bool:
    return os.environ.get(REQUIRE_ENV) == "1"


def native_extensions(optional: bool) -> list[Extension]:
    return [Extension(name, sources, optional=optional) for name, sources in MODULES.items()]


class BuildExt(build_ext):
    """-O2 and C11 for gcc and clang (Python's own CFLAGS say -O3 or nothing); MSVC keeps the
    /Ox setuptools gives it and takes no -std."""

    def build_extension(self, ext: Extension) -> None:
        if self.compiler.compiler_type != "msvc":
            ext.extra_compile_args = [*ext.extra_compile_args, "-O2", "-std=c11"]
        super().build_extension(ext)


if __name__ == "__main__":   # setuptools runs this file as __main__; build_native.py imports it
    setup(ext_modules=native_extensions(optional=not required()), cmdclass={"build_ext": BuildExt},
          exclude_package_data={"": ["*.c", "*.h"]})   # setuptools would install the C source as data
