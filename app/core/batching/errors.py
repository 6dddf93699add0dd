"""Why a reader stops: InputError for the caller, Stop/TooLong between the readers and iter_batches."""

from __future__ import annotations


class InputError(Exception):
    """The input stops being readable at `line` (1-based) / byte `offset` of the decoded stream.

    Raised by iter_batches after every good event before that point has been yielded; `line` and
    `offset` name the first input that was not sent."""

    def __init__(self, message: str, line: int, offset: int):
        super().__init__(message)
        self.message = message
        self.line = line
        self.offset = offset


class Stop(Exception):
    """Internal: the reader cannot go on; iter_batches flushes the good events, then raises InputError."""

    def __init__(self, message: str, line: int, offset: int):
        super().__init__(message)
        self.message, self.line, self.offset = message, line, offset


class TooLong(Exception):
    """Internal: a line longer than MAX_RECORD without a line break; the reader says which."""
