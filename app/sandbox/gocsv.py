"""CSV read as Go's `encoding/csv` reads it with its defaults, which is how Axiom's Go server most
likely reads a text/csv body (docs/axiom-api.md, "CSV"): a port of `Reader.readRecord`.

The defaults: `Comma` is the `csv-delimiter`; no `TrimLeadingSpace` (spaces belong to the field);
no `LazyQuotes` (a `"` inside an unquoted field is an error, so is one not followed by the
delimiter, `""` or the line's end inside a quoted field, so is a quote never closed);
`FieldsPerRecord` 0 (the first record, the header, sets how many fields every record must have);
`\\r\\n` read as `\\n`; empty lines skipped (a line of spaces is not empty). Errors are worded as Go's
`ParseError.Error()` words them, lines counted from 1 in the body, columns as 1-based byte indexes.

Python's csv module differs on each of these (it keeps a bare quote, accepts any field count,
ends lines at a lone `\\r`), hence this reader. Written from the documented behaviour of the Go
package, not copied from it.
"""

from __future__ import annotations

from typing import Iterator

BARE_QUOTE = 'bare " in non-quoted-field'
QUOTE = 'extraneous or missing " in quoted-field'
FIELD_COUNT = "wrong number of fields"


class GoCsvError(Exception):
    """A record Go's reader refuses; `str()` is Go's wording, `line` the record's first line."""

    def __init__(self, start_line: int, line: int, column: int, kind: str):
        if kind == FIELD_COUNT:
            text = f"record on line {line}: {kind}"
        elif start_line != line:
            text = f"record on line {start_line}; parse error on line {line}, column {column}: {kind}"
        else:
            text = f"parse error on line {line}, column {column}: {kind}"
        super().__init__(text)
        self.line = start_line
        self.kind = kind


def _nl(line: bytes) -> int:
    return 1 if line.endswith(b"\n") else 0


class _Lines:
    """Go's readLine: one line with its "\\n" (none on the last), "\\r\\n" made "\\n"."""

    def __init__(self, data: bytes):
        self.data, self.pos, self.number = data, 0, 0

    def read(self) -> bytes | None:
        """The next line; None at the end."""
        data, pos = self.data, self.pos
        if pos >= len(data):
            return None
        end = data.find(b"\n", pos)
        if end < 0:
            line, self.pos = data[pos:], len(data)
            if line.endswith(b"\r"):
                line = line[:-1]
        else:
            line, self.pos = data[pos:end + 1], end + 1
            if line.endswith(b"\r\n"):
                line = line[:-2] + b"\n"
        self.number += 1
        return line


def read_records(data: bytes, comma: bytes = b",") -> Iterator[tuple[int, list[bytes]]]:
    """(first line, fields) per record; GoCsvError at the first record Go would refuse (the
    records before it were yielded)."""
    if b'"' not in data:
        yield from _unquoted(data, comma)
        return
    lines = _Lines(data)
    expected = 0
    while True:
        line = lines.read()
        while line is not None and len(line) == _nl(line):  # skip empty lines
            line = lines.read()
        if line is None:
            return
        start = lines.number
        if b'"' in line:
            fields = _record(lines, line, comma)
        else:  # no quote: Go's unquoted fields are exactly the pieces between delimiters
            fields = line[:len(line) - _nl(line)].split(comma)
        if expected and len(fields) != expected:
            raise GoCsvError(start, start, 1, FIELD_COUNT)
        expected = expected or len(fields)
        yield start, fields


def _unquoted(data: bytes, comma: bytes) -> Iterator[tuple[int, list[bytes]]]:
    """`read_records` for a body without a quote: every "\r\n" ends a line, fields are the pieces
    between delimiters (the same records, faster: one split per line)."""
    if data.endswith(b"\r"):
        data = data[:-1]  # Go drops a "\r" at the very end
    expected = 0
    for number, line in enumerate(data.replace(b"\r\n", b"\n").split(b"\n"), 1):
        if not line:
            continue
        fields = line.split(comma)
        if expected and len(fields) != expected:
            raise GoCsvError(number, number, 1, FIELD_COUNT)
        expected = expected or len(fields)
        yield number, fields


def _record(lines: _Lines, line: bytes, comma: bytes) -> list[bytes]:
    """The fields of the record starting with `line` (more lines are read for quoted newlines)."""
    start = lines.number
    fields: list[bytes] = []
    col, at_line = 1, start
    while True:  # one field per turn
        if not line.startswith(b'"'):
            i = line.find(comma)
            field = line[:i] if i >= 0 else line[:len(line) - _nl(line)]
            if (j := field.find(b'"')) >= 0:
                raise GoCsvError(start, lines.number, col + j, BARE_QUOTE)
            fields.append(field)
            if i < 0:
                return fields
            line, col = line[i + len(comma):], col + i + len(comma)
            continue
        line, col = line[1:], col + 1
        buf = bytearray()
        while True:  # inside the quotes
            i = line.find(b'"')
            if i >= 0:
                buf += line[:i]
                line, col = line[i + 1:], col + i + 1
                if line.startswith(b'"'):
                    buf += b'"'
                    line, col = line[1:], col + 1
                elif line.startswith(comma):
                    line, col = line[len(comma):], col + len(comma)
                    fields.append(bytes(buf))
                    break
                elif len(line) == _nl(line):
                    fields.append(bytes(buf))
                    return fields
                else:
                    raise GoCsvError(start, lines.number, col - 1, QUOTE)
            elif line:
                buf += line
                col += len(line)
                line = lines.read() or b""
                if line:
                    at_line, col = at_line + 1, 1
            else:  # the body ended inside the quotes
                raise GoCsvError(start, at_line, col, QUOTE)
