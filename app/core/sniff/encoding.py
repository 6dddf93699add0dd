"""Which text encoding the head is in (BOMs, UTF-16 by its NULs, UTF-8, legacy 8-bit), or why
it is not text at all."""

from __future__ import annotations

import codecs
import re

_MAGIC_NAMES = [
    (b"\x89PNG", "a PNG image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (unpack it first)"),
    (b"BZh", "bzip2-compressed data (only gzip and zstd are read)"),
    (b"\xfd7zXZ\x00", "xz-compressed data (only gzip and zstd are read)"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"PAR1", "a Parquet file"),
]


class NotText(Exception):
    pass


def decode(data: bytes, encoding: str, final: bool) -> str:
    """Decode a head that may end mid-character: the incomplete tail is held back, not replaced."""
    return codecs.getincrementaldecoder(encoding)(errors="replace").decode(data, final=final)


def detect_encoding(head: bytes, whole: bool, reasons: list[str]) -> tuple[str, str]:
    """(python codec name, decoded head text without BOM). Raises NotText with the why."""
    boms = [
        (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 LE"),
        (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 BE"),
        (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE"),
    ]
    for bom, name, label in boms:
        if head.startswith(bom):
            reasons.append(f"starts with a {label} byte-order mark")
            body = head[len(bom):]
            if name == "utf-8-sig":
                name_for_body = "utf-8"
            else:
                name_for_body = name
            return name, decode(body, name_for_body, whole)

    probe = head[:4096]
    if len(probe) >= 8:
        even, odd = probe[0::2], probe[1::2]
        z_even, z_odd = even.count(0) / len(even), odd.count(0) / len(odd)
        for zeros, other, name in ((z_odd, z_even, "utf-16-le"), (z_even, z_odd, "utf-16-be")):
            if zeros > 0.9 and other < 0.05:
                reasons.append(f"no byte-order mark, but every other byte is NUL: {name.upper()} text")
                return name, decode(head, name, whole)

    for magic, what in _MAGIC_NAMES:
        if head.startswith(magic):
            raise NotText(f"it is {what}")
    if b"\0" in head and not head.strip(b"\0 \t\r\n"):
        raise NotText("it holds only NUL bytes (a crash or a cut copy?)")
    share = binary_share(head)
    if share is not None:
        raise NotText(f"it holds binary data ({share:.0%} control bytes)")
    if b"\0" in head:  # a few NULs in text lines, or a NUL-filled region: those lines fail by number
        reasons.append("text with NUL bytes in places: those lines will be reported")

    try:
        text = codecs.getincrementaldecoder("utf-8")(errors="strict").decode(head, final=whole)
        if head.isascii():
            reasons.append("plain ASCII text (read as UTF-8)")
        else:
            reasons.append("valid UTF-8 text")
        return "utf-8", text
    except UnicodeDecodeError as e:
        bad_at = e.start

    high = _high_share(head)
    if high is not None:
        raise NotText(f"it holds binary data: {high:.0%} of its bytes are over 0x7F and they are not valid UTF-8 "
                      "(text in any encoding has ASCII spaces, digits and line breaks)")
    mixed = _mostly_utf8(head, whole)
    if mixed is not None:
        line = head[:bad_at].count(b"\n") + 1
        reasons.append(f"UTF-8 text, but {mixed} invalid byte{'s' if mixed > 1 else ''} (the first on line {line}, "
                       f"byte {bad_at}) in another encoding: such lines will be reported as failed")
        return "utf-8", codecs.decode(head[: len(head) - (0 if whole else 3)], "utf-8", "replace")

    import charset_normalizer  # imported lazily: only legacy 8-bit files need it

    sample = head[: 64 * 1024]
    results = list(charset_normalizer.from_bytes(sample))
    if not results:
        raise NotText("it is not text in any encoding I recognise")
    name = codecs.lookup(results[0].encoding).name
    # Detectors often rank cp1250, latin-1 or a Mac code page first for Western text that cp1252
    # reads identically; cp1252 is by far the most common of these, so prefer it when any
    # candidate reads the same as cp1252.
    try:
        as_cp1252 = sample.decode("cp1252")
    except UnicodeDecodeError:
        as_cp1252 = None
    if as_cp1252 is not None and name != "cp1252":
        for r in results:
            if sample.decode(r.encoding, errors="replace") == as_cp1252:
                name = "cp1252"
                break
    reasons.append(f"not valid UTF-8 (byte {bad_at}); reads as {name} (legacy 8-bit encoding)")
    return name, decode(head, name, whole)


HIGH_SHARE = 0.9  # invalid UTF-8 with more bytes over 0x7F than this is binary, not legacy 8-bit text


def _high_share(head: bytes) -> float | None:
    """The share of bytes over 0x7F when a head that is not UTF-8 is binary: too few ASCII bytes to
    be text in a legacy 8-bit encoding (even Cyrillic or Greek text has spaces, digits and line
    breaks), and most of it not UTF-8 either (CJK UTF-8 with a stray byte is text)."""
    sample = head[: 64 * 1024]
    if len(sample) < 64:
        return None
    share = len(sample.translate(None, bytes(range(128)))) / len(sample)
    if share <= HIGH_SHARE:
        return None
    invalid = sample.decode("utf-8", errors="replace").count("\ufffd")
    return share if invalid > len(sample) // 4 else None


def _mostly_utf8(head: bytes, whole: bool) -> int | None:
    """The number of invalid bytes when a head holds real UTF-8 multi-byte text with a few bytes
    of another encoding mixed in (a file appended to by two programs); None when it does not look
    like UTF-8 at all (then it is a legacy 8-bit file)."""
    body = head if whole else head[:-3]
    text = body.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd") - body.decode("utf-8", errors="ignore").count("\ufffd")
    valid_multibyte = sum(1 for ch in text if ord(ch) > 127 and ch != "\ufffd")
    if valid_multibyte and invalid <= valid_multibyte * 4:
        return invalid
    return None


_CONTROL = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f]")  # below 32, except \t \n \v \f \r and ESC
_CONTROL_BYTES = bytes(range(0, 9)) + bytes(range(14, 27)) + bytes(range(28, 32))
NUL_RUN = 16           # this many NULs in a row are a NUL-filled region (a crash, a cut copy), not binary
BINARY_SHARE = 0.05    # more control bytes than this, outside NUL regions, is binary data, not text
BINARY_MIN = 8         # ... if there are at least this many: one stray NUL in a tiny file is a damaged line
_NUL_RUNS = re.compile(b"\0{%d,}" % NUL_RUN)
_NUL_RUNS_TEXT = re.compile("\0{%d,}" % NUL_RUN)


def _controls(data: bytes) -> tuple[int, int]:
    """(control bytes, bytes) in `data`'s first MiB, leaving out NUL-filled regions."""
    sample = _NUL_RUNS.sub(b"", data[: 1 << 20]) if b"\0" in data else data[: 1 << 20]
    return len(sample) - len(sample.translate(None, _CONTROL_BYTES)), len(sample)


def control_share(data: bytes) -> float:
    """The share of control bytes (a stray NUL included) in `data`, leaving out NUL-filled regions:
    text damaged by a crash is still text (its lines are reported), random bytes or an image are not."""
    n, size = _controls(data)
    return n / size if size else 0.0


def _binary(n: int, size: int) -> float | None:
    """The one rule: binary is over BINARY_SHARE control bytes and at least BINARY_MIN of them."""
    return n / size if n >= BINARY_MIN and n > size * BINARY_SHARE else None


def binary_share(data: bytes) -> float | None:
    """The share of control bytes when `data` is binary data rather than (maybe damaged) text, else None."""
    return _binary(*_controls(data))


def binary_text_share(text: str) -> float | None:
    """binary_share for decoded text (control characters a legacy decoding produced)."""
    sample = _NUL_RUNS_TEXT.sub("", text[:65536])
    return _binary(len(_CONTROL.findall(sample)), len(sample))
