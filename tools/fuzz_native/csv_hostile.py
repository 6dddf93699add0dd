"""Hostile arguments to _native_csv.ndjson itself (what typed_fast never passes, but a C entry must
survive): callbacks that raise, answer with the wrong type or length, lone surrogates, huge
answers, a mapping that empties itself while the C holds its values; malformed columns. Each must
give the right answer or a proper exception (never SystemError, never a crash)."""

from __future__ import annotations

import gc
import random

from app.core.sniff.csv_types import BOOLEAN, DECIMAL_COMMA, NUMBER, json_texts

try:
    from app.core.batching import _native_csv
except ImportError:  # the worker checks the sanitized build is there
    _native_csv = None

BODY = b"1e5;x;TRUE\n;y;false\n2,5e1;;true\n"
KEYS, CODES, KINDS = (b'"a"', b'"b"', b'"c"'), (1, 0, 3), (NUMBER, None, BOOLEAN)


class Answers(dict):
    """A cells mapping answering `value` (called when it is callable) for every cell."""

    def __init__(self, value):
        super().__init__()
        self.value = value

    def __missing__(self, key):
        return self.value(key) if callable(self.value) else self.value


class Emptying(dict):
    """Each lookup empties the mapping and answers a fresh object only the C then holds."""

    def __missing__(self, key):
        self.clear()
        gc.collect()
        value = self[key] = bytes(bytearray(b"7" * 40))
        return value


def _raise(*_):
    raise ValueError("boom")


def _call(body=BODY, rows=3, delimiter=b";"[0], quote=b'"'[0], keys=KEYS, codes=CODES, kinds=KINDS, null=False,
          texts=json_texts, cells=None):
    cells = (Answers(b"1"),) * len(keys) if cells is None else cells
    return _native_csv.ndjson(body, rows, delimiter, quote, keys, codes, kinds, null, texts, cells)


def _texts(answer):
    return lambda values, kind: answer(values) if callable(answer) else answer


HOSTILE = {  # name → (the call, the exception it must raise, or None: it must answer bytes or None)
    "texts raises": (lambda r: _call(texts=_raise), ValueError),
    "texts gives a tuple": (lambda r: _call(texts=_texts(("1", "2", "3"))), TypeError),
    "texts gives too few": (lambda r: _call(texts=_texts(["1"])), TypeError),
    "texts gives too many": (lambda r: _call(texts=_texts(["1"] * 4)), TypeError),
    "texts gives bytes": (lambda r: _call(texts=_texts([b"1"] * 3)), TypeError),
    "texts gives a lone surrogate": (lambda r: _call(texts=_texts(["\udc80"] * 3)), UnicodeEncodeError),
    "texts gives 1 MB": (lambda r: _call(texts=_texts(lambda v: ["9" * (1 << 20)] * len(v))), None),
    "texts gives non-ASCII": (lambda r: _call(texts=_texts(lambda v: ["é日\U0001f600" * r.randint(0, 50)] * len(v))),
                              None),
    "cells raise": (lambda r: _call(null=True, cells=(Answers(_raise),) * 3), ValueError),
    "cells give str": (lambda r: _call(cells=(Answers("1"),) * 3), TypeError),
    "cells give None": (lambda r: _call(cells=(Answers(None),) * 3), TypeError),
    "cells give 1 MB": (lambda r: _call(cells=(Answers(b"8" * (1 << 20)),) * 3), None),
    "cells empty themselves": (lambda r: _call(body=b"".join(b"%de%d;;x\n" % (i, r.randint(0, 99)) for i in range(40)),
                                               rows=40, cells=(Emptying(),) * 3), None),
    "cells not a mapping": (lambda r: _call(cells=(None, None, None)), TypeError),
    "key not bytes": (lambda r: _call(keys=("a", b"b", b"c")), ValueError),
    "code out of range": (lambda r: _call(codes=(1, 0, 4)), ValueError),
    "code not an int": (lambda r: _call(codes=(1, 0, "3")), ValueError),
    "code huge": (lambda r: _call(codes=(1, 0, 1 << 70)), OverflowError),
    "columns of unequal counts": (lambda r: _call(kinds=KINDS[:2]), ValueError),
    "no columns": (lambda r: _call(keys=(), codes=(), kinds=(), cells=()), ValueError),
    "rows zero": (lambda r: _call(rows=0), ValueError),
    "rows negative": (lambda r: _call(rows=-r.randint(1, 1 << 62)), ValueError),
    "rows huge": (lambda r: _call(rows=r.randint(4, 1 << 62)), None),
    "delimiter out of range": (lambda r: _call(delimiter=r.choice([-1, 256, 1 << 20])), ValueError),
    "quote out of range": (lambda r: _call(quote=r.choice([-2, 256])), ValueError),
    "delimiter a line end": (lambda r: _call(delimiter=10), None),
    "delimiter a bad byte": (lambda r: _call(body=BODY.replace(b";", b"\x00"), delimiter=0), None),
    "quote the delimiter": (lambda r: _call(quote=b";"[0]), None),
    "body not bytes": (lambda r: _call(body=bytearray(BODY)), TypeError),
    "many columns": (lambda r: _call(body=b";".join([b"1"] * 5000) + b"\n", rows=1, keys=(b'"k"',) * 5000,
                                     codes=(1,) * 5000, kinds=(NUMBER,) * 5000, cells=(Answers(b"1"),) * 5000), None),
    "decimal comma cells": (lambda r: _call(codes=(2, 0, 3), kinds=(DECIMAL_COMMA, None, BOOLEAN), null=True), None),
}


def probe(name: str, seed: int) -> str | None:
    return run_probe(HOSTILE, name, seed)


def run_probe(table: dict, name: str, seed: int) -> str | None:
    """None when the call `table[name]` names behaved (answered bytes or None, or raised the
    exception it names); else what it did instead. logfmt_hostile's table runs through it too."""
    call, expected = table[name]
    try:
        out = call(random.Random(seed))
    except Exception as exc:
        if expected is not None and type(exc) is expected:
            return None
        return f"{name}: raised {type(exc).__name__}: {exc} (expected {expected and expected.__name__})"
    if expected is not None:
        return f"{name}: answered {out!r:.200} (expected {expected.__name__})"
    return None if out is None or isinstance(out, bytes) else f"{name}: answered {type(out).__name__}"
