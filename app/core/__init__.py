"""The engine: plain Python, never imports Qt (tests/test_core_is_qt_free.py enforces it)."""
