"""What the sniffer calls binary data: enough control bytes (a share and a minimum count), or
bytes that are no text encoding at all; a tiny file with one stray NUL is damaged text."""

from __future__ import annotations

import random

from app.core.sniff import binary_share, sniff_bytes


def test_one_nul_in_a_tiny_csv_is_text_with_a_damaged_line():
    s = sniff_bytes(b"a,b\n1,x\n2,y\0z\n")
    assert s.error is None and s.format == "csv", s.error
    assert any("NUL bytes in places" in r for r in s.reasons)


def test_a_few_control_bytes_are_not_binary_but_random_bytes_are():
    assert binary_share(b"a,b\n1,x\n2,y\0z\n") is None
    assert binary_share(b"x\0y\0z\n" * 2) is None  # 4 control bytes: under the minimum count
    noise = random.Random(3).randbytes(300)
    assert binary_share(noise) is not None
    assert "binary data" in (sniff_bytes(noise).error or "")
