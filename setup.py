"""The app's one C extension, app.core.textlog._native (the text-log block parser); everything
else about the package is in pyproject.toml.

The app runs without it (the same parser in Python, ~3x slower), so a build without a C compiler
still installs, with setuptools' warning, unless AXIOM_DROP_REQUIRE_NATIVE=1 makes the failure an
error (packaging/build.py sets it for the Linux bundle, .ci/run for the checkout).
packaging/build_native.py compiles the same Extension in place for `make run` and `make test`.
"""

from __future__ import annotations

import os

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

REQUIRE_ENV = "AXIOM_DROP_REQUIRE_NATIVE"
SOURCES = ["app/core/textlog/_native.c"]   # relative to this file, as setuptools wants them


def required() -> bool:
    return os.environ.get(REQUIRE_ENV) == "1"


def native_extension(optional: bool) -> Extension:
    return Extension("app.core.textlog._native", SOURCES, optional=optional)


class BuildExt(build_ext):
    """-O2 and C11 for gcc and clang (Python's own CFLAGS say -O3 or nothing); MSVC keeps the
    /Ox setuptools gives it and takes no -std."""

    def build_extension(self, ext: Extension) -> None:
        if self.compiler.compiler_type != "msvc":
            ext.extra_compile_args = [*ext.extra_compile_args, "-O2", "-std=c11"]
        super().build_extension(ext)


if __name__ == "__main__":   # setuptools runs this file as __main__; build_native.py imports it
    setup(ext_modules=[native_extension(optional=not required())], cmdclass={"build_ext": BuildExt},
          exclude_package_data={"": ["*.c", "*.h"]})   # setuptools would install the C source as data
