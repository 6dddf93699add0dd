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


def _high_bytes(n: int, seed: int) -> bytes:
    """What `head -c N /dev/urandom | tr -d '\\000-\\177'` makes: bytes 0x80-0xFF only."""
    return bytes(b | 0x80 for b in random.Random(seed).randbytes(n))


def test_binary_of_high_bytes_only_is_named_binary_at_any_size():
    # random high bytes hold some valid UTF-8 sequences by chance; they used to read as "UTF-8
    # with invalid bytes" (a CSV with one field) or "no encoding I recognise", depending on the draw
    for n, seed in ((300, 1), (1500, 2), (3000, 3), (30_000, 4), (1 << 20, 5)):
        s = sniff_bytes(_high_bytes(n, seed))
        assert s.format is None and "binary data" in (s.error or ""), (n, s.error, s.reasons)
        assert "not valid UTF-8" in s.error
    s = sniff_bytes(b"a,b\n" + _high_bytes(3000, 6))
    assert "binary data" in (s.error or ""), s.error


def test_legacy_8bit_text_heavy_in_high_bytes_is_still_text():
    russian = ("имя,город,сумма\n" + "Иван Петров,Москва,12,50\nОльга Смирнова,Санкт-Петербург,7,25\n" * 40)
    for encoding in ("cp1251", "koi8-r"):
        s = sniff_bytes(russian.encode(encoding))
        assert s.error is None and s.format == "csv", (encoding, s.error)
    s = sniff_bytes("stadt,grüße\nMünchen,schöne Grüße\nKöln,süß\n".encode("cp1252"))
    assert s.error is None and s.format == "csv", s.error


def test_cjk_utf8_with_a_stray_byte_is_text_not_binary():
    # under 10% ASCII: only the invalid share tells it from binary
    chinese = ("名称,城市\n" + "张伟,北京市朝阳区建国门外大街\n王芳,上海市浦东新区世纪大道\n" * 50).encode("utf-8")
    assert len(chinese.translate(None, bytes(range(128)))) > 0.9 * len(chinese)
    s = sniff_bytes(chinese[:300] + b"\xff" + chinese[300:])
    assert s.error is None and s.format == "csv", s.error
