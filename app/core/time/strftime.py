"""A Go time layout (what Axiom's `timestamp-format` takes) as a strftime format for chrono, the
library behind Vector's VRL `parse_timestamp` (%-padding modifiers, %.3f fractions, %:z): so a
Vector configuration written for a file reads its times the way the upload did."""

from __future__ import annotations

# Longest first, as Go matches them (reference time Mon Jan 2 15:04:05 -0700 MST 2006).
_GO_TO_CHRONO: list[tuple[str, str]] = [
    ("January", "%B"), ("Jan", "%b"), ("Monday", "%A"), ("Mon", "%a"), ("MST", "%Z"),
    ("2006", "%Y"), ("002", "%j"), ("01", "%m"), ("02", "%d"), ("03", "%I"), ("04", "%M"),
    ("05", "%S"), ("06", "%y"), ("_2", "%e"), ("15", "%H"), ("1", "%-m"), ("2", "%-d"),
    ("3", "%-I"), ("4", "%-M"), ("5", "%-S"), ("PM", "%p"), ("pm", "%P"),
    ("-07:00", "%:z"), ("-0700", "%z"),
]


def go_layout_to_strftime(layout: str) -> str | None:
    """The chrono format for a Go layout, or None when the layout uses something chrono cannot
    read the same way (Go's Z07:00, which takes "Z" or an offset)."""
    out, i = [], 0
    while i < len(layout):
        if layout.startswith("Z07", i):
            return None
        c = layout[i]
        if c in ".," and i + 1 < len(layout) and layout[i + 1] in "09":
            j = i + 1
            while j < len(layout) and layout[j] == layout[i + 1]:
                j += 1
            if j >= len(layout) or not layout[j].isdigit():
                digits = j - i - 1
                out.append(f"%.{digits}f" if layout[i + 1] == "0" and digits in (3, 6, 9) else "%.f")
                i = j
                continue
        for chunk, spec in _GO_TO_CHRONO:
            if layout.startswith(chunk, i):
                out.append(spec)
                i += len(chunk)
                break
        else:
            out.append("%%" if c == "%" else c)
            i += 1
    return "".join(out)
