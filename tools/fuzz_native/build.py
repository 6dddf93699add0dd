"""The sanitizer build: every module of setup.py's MODULES compiled with -fsanitize=address,undefined
into `overlay/<package>/`, which the worker loads under the modules' names (the modules built in
place by `make` are left alone). A forced-in header makes the record writers' final resize abort
when it grows the buffer: a one-byte overrun lands in the bytes object's trailing NUL, which ASan
cannot see."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sysconfig
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FLAGS = ["-shared", "-fPIC", "-std=c11", "-O1", "-g", "-fsanitize=address,undefined", "-fno-omit-frame-pointer",
         "-fno-sanitize-recover=undefined"]
SHIM = r"""/* fuzz build only (tools/fuzz_native/build.py): forced in before each module's own lines */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdio.h>
#include <stdlib.h>
static inline int fuzz_checked_resize(PyObject **v, Py_ssize_t n) {
    if (n > PyBytes_GET_SIZE(*v)) {
        fprintf(stderr, "fuzz_native: the writer ended at %zd in a buffer of %zd bytes\n", n, PyBytes_GET_SIZE(*v));
        abort();
    }
    return _PyBytes_Resize(v, n);
}
#define _PyBytes_Resize fuzz_checked_resize
"""


def modules() -> dict[str, list[str]]:
    """setup.py's MODULES (the one list): dotted name → its source, relative to the checkout."""
    spec = importlib.util.spec_from_file_location("axiom_drop_setup", ROOT / "setup.py")
    setup_py = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(setup_py)  # not __main__: no setup() call
    return setup_py.MODULES


def compiler() -> str:
    return os.environ.get("CC", "gcc")


def asan_runtime() -> str:
    """The path LD_PRELOAD needs (Python itself is not built with ASan), or a RuntimeError saying why."""
    out = subprocess.run([compiler(), "-print-file-name=libasan.so"], capture_output=True, text=True)
    path = out.stdout.strip()
    if out.returncode or not os.path.isabs(path):
        raise RuntimeError(f"{compiler()} has no ASan runtime (libasan.so); gcc with libasan is needed")
    return path


def build(overlay: Path, sources: dict[str, Path] | None = None) -> list[Path]:
    """The sanitized modules under `overlay` (`sources`: a module's source from elsewhere, e.g. one
    with a fault the tests plant); CalledProcessError (with the compiler's output) on failure."""
    shim = overlay / "fuzz_shim.h"
    overlay.mkdir(parents=True, exist_ok=True)
    shim.write_text(SHIM)
    include = sysconfig.get_paths()["include"]
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    jobs = []
    for name, (home,) in modules().items():
        source = (sources or {}).get(name, ROOT / home)
        *_, package, stem = name.split(".")
        target = overlay / package / (stem + suffix)
        target.parent.mkdir(exist_ok=True)
        # -I its home: its own headers ("../textlog/_native_json.h") wherever the source is
        jobs.append((target, [compiler(), *FLAGS, "-include", str(shim), "-I" + include, "-I" + str((ROOT / home).parent),
                              str(source), "-o", str(target)]))

    def run(job):
        subprocess.run(job[1], check=True, capture_output=True, text=True)
        return job[0]

    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(run, jobs))
