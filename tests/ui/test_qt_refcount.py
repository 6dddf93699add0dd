"""PySide6 6.12.0 lowers the reference count of `True` on every `Signal.emit()`; on Python 3.11
the interpreter aborts ("Fatal Python error: bool_dealloc") after about a thousand emits, which
killed a window sending a folder of 2,000 files ~13 s after Send. The installed PySide6 must not
do that: emit a few hundred thousand signals, of each shape the app uses, in a child process (an
abort there fails this test instead of killing pytest) and check `sys.getrefcount(True)`."""

from __future__ import annotations

import subprocess
import sys
import textwrap

CHILD = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QCoreApplication, QObject, Signal

    app = QCoreApplication([])

    class Emitter(QObject):
        bare = Signal()
        number = Signal(int)
        flag = Signal(bool)
        text = Signal(str)

    e = Emitter()
    seen = [0]
    def count(*_):
        seen[0] += 1
    for signal in (e.bare, e.number, e.flag, e.text):
        signal.connect(count)
    before = sys.getrefcount(True)
    for _ in range(100_000):
        e.bare.emit()
        e.number.emit(1)
        e.flag.emit(True)
        e.text.emit("x")
    print(sys.getrefcount(True) - before, seen[0])
""")


def test_signal_emit_keeps_the_refcount_of_true():
    proc = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                          timeout=120, env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""})
    assert proc.returncode == 0, f"PySide6 aborted the interpreter: {proc.stderr[-500:]}"
    drift, delivered = (int(x) for x in proc.stdout.split())
    assert delivered == 400_000
    assert abs(drift) < 100, f"refcount of True drifted by {drift} over 400,000 emits"
