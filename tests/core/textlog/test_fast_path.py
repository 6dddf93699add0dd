"""The block-at-once path gives the bytes, lines and batch ends the line-by-line path gives (so a
resumed upload cuts its batches where the first run did, whichever path each block took),
whatever the block holds (quotes, backslashes, tabs, CRs, non-ASCII, an impossible date, a line
that is not the format's), so choosing it is only a matter of speed."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from app.core.batching.builder import Builder
from app.core.batching.textlog import read_textlog
from app.core.textlog import BY_ID, Parser

LOGS = Path(__file__).parents[2] / "data" / "logs"

SYSLOG_LINES = [
    b'Dec  1 00:00:%02d web1 sshd[12]: Accepted "key" for u%d',
    b"Dec  1 00:00:%02d web1 kernel: [  1.0] usb %d",
    b"Dec  1 00:00:%02d web1 sudo:   deploy : TTY=pts/%d ; cmd",
    b"Dec  1 00:00:%02d web1 no tag at all %d",
    b"Dec  1 00:00:%02d - - - %d",
]
ODD_LINES = [  # (a line in the middle of the input, whether its block is still taken whole)
    (b"Dec  1 00:00:01 web1 app: back\\slash", False),
    (b"Dec  1 00:00:01 web1 app: a\ttab", False),
    ("Dec  1 00:00:01 hôte app: ünïcode".encode(), True),
    (b"Feb 30 00:00:01 web1 app: no such day", False),
    (b"<13>Dec  1 00:00:01 web1 app: with a priority", False),
    (b"  an indented continuation", False),
    (b"Dec  1 00:00:01 web1 app: crlf\r", False),
]
ACCESS_LINES = [
    b'10.0.0.%d - - [01/Dec/2026:10:00:%02d +0100] "GET /a HTTP/1.1" 200 12 "-" "curl/8"',
    b'10.0.0.%d - bob [01/Dec/2026:10:00:%02d +0100] "POST /b?x=1 HTTP/2.0" 201 - "https://r/" "UA 1.0"',
    b'- - - [01/Dec/2026:10:00:%02d +0100] "GET / HTTP/1.0" 304 0 "" ""',
]


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    """16 KiB reads: an input is many blocks, some taken whole, some line by line."""
    import app.core.batching.limits as limits

    monkeypatch.setattr(limits, "CHUNK", 16 * 1024)


TAKEN: list[bool] = []


def _events(data: bytes, fmt: str, fast: bool, max_events: int) -> list[tuple]:
    parser = Parser(BY_ID[fmt], zone="Europe/Berlin")
    if parser.fast is not None:
        translate = parser.fast.translate
        parser.fast.translate = lambda block, n: TAKEN.append((out := translate(block, n)) is not None) or out
    b = Builder("ndjson", max_events, 1 << 20, 0, 1)
    batches = list(read_textlog(io.BytesIO(data), b, 1, 0, parser, fast=fast)) + list(b.flush())
    for bt in batches:
        [json.loads(x) for x in bt.body.splitlines()]  # each record is JSON
    return [(bt.start, bt.end, bt.end_line, list(bt.lines), bt.body) for bt in batches]


def _block(lines: list[bytes], n: int, odd: bytes | None = None, at: int = -1) -> bytes:
    out = []
    for i in range(n):
        pattern = lines[i % len(lines)]
        out.append(pattern % ((i % 60, i) if pattern.count(b"%") == 2 else (i % 60,)) if b"%" in pattern else pattern)
        if i == at and odd is not None:
            out.append(odd)
    return b"\n".join(out) + b"\n"


@pytest.mark.parametrize("odd, whole_block", [(None, True), *ODD_LINES],
                         ids=["plain", *[repr(o[15:32]) for o, _ in ODD_LINES]])
def test_syslog_blocks_read_the_same_either_way(odd, whole_block):
    data = _block(SYSLOG_LINES, 4000, odd, at=2500)
    TAKEN.clear()
    fast, slow = _events(data, "syslog-rfc3164", True, 700), _events(data, "syslog-rfc3164", False, 700)
    assert fast == slow
    assert TAKEN.count(True) >= 5 and TAKEN.count(False) == (0 if whole_block else 1)
    assert sum(b[4].count(b"\n") for b in fast) in (4000, 4001)


def test_access_blocks_read_the_same_either_way():
    lines = [ln % (i % 250, i % 60) if ln.count(b"%") == 2 else ln % (i % 60,)
             for i, ln in enumerate(ACCESS_LINES * 1500)]
    data = b"\n".join(lines) + b"\n"
    TAKEN.clear()
    assert _events(data, "access-combined", True, 999) == _events(data, "access-combined", False, 999)
    assert TAKEN and all(TAKEN)


@pytest.mark.parametrize("path", sorted(LOGS.glob("*access*.log")) + sorted(LOGS.glob("syslog_*.log")),
                         ids=lambda p: p.name)
def test_corpus_files_read_the_same_either_way(path):
    from app.core.sniff import sniff_path

    fmt = sniff_path(path).log.format
    data = path.read_bytes()
    assert _events(data, fmt, True, 3) == _events(data, fmt, False, 3)
