"""The top-level fields of a JSON object as they complete, while the reply streams in.

A reply takes minutes on a laptop CPU; the reader should not wait for the last takeaway
to see the TL;DR. `TopLevelFields` is fed the streamed text piece by piece and yields each
top-level "key": value pair as soon as the value is complete (its closing quote, bracket
or brace, or the comma or brace after a number). The whole reply is still parsed and
validated at the end; these early values are for display only.
"""

from __future__ import annotations

import json
from typing import Any


class TopLevelFields:
    """An incremental scanner over one JSON object: O(length) in total, whatever the
    number of pieces, and it never raises (a malformed reply simply yields nothing)."""

    def __init__(self) -> None:
        self._depth = 0
        self._in_string = False
        self._escaped = False
        self._key: str | None = None
        self._key_start = -1
        self._value_start = -1
        self._buffer = ""
        self.done: dict[str, Any] = {}

    def feed(self, piece: str) -> list[tuple[str, Any]]:
        """The (key, value) pairs completed by this piece, in order."""
        self._buffer += piece
        completed: list[tuple[str, Any]] = []
        offset = len(self._buffer) - len(piece)
        for position in range(offset, len(self._buffer)):
            pair = self._step(position)
            if pair is not None:
                completed.append(pair)
        return completed

    def _step(self, position: int) -> tuple[str, Any] | None:
        char = self._buffer[position]
        if self._in_string:
            return self._string_char(char, position)
        if char == '"':
            self._in_string = True
            if self._depth == 1 and self._key is None:
                self._key_start = position
            elif self._depth == 1 and self._value_start < 0:
                self._value_start = position
            return None
        if char in "{[":
            self._depth += 1
            if self._depth == 2 and self._key is not None and self._value_start < 0:
                self._value_start = position
            return None
        if char in "}]":
            self._depth -= 1
            if self._depth == 1 and self._value_start >= 0:
                return self._finish(position + 1)
            if self._depth == 0 and self._value_start >= 0:
                return self._finish(position)  # a bare number or literal ends at "}"
            return None
        if self._depth == 1:
            if char == "," and self._value_start >= 0:
                return self._finish(position)
            if char not in " \t\r\n:," and self._key is not None and self._value_start < 0:
                self._value_start = position  # a number, true, false or null
        return None

    def _string_char(self, char: str, position: int) -> tuple[str, Any] | None:
        if self._escaped:
            self._escaped = False
            return None
        if char == "\\":
            self._escaped = True
            return None
        if char != '"':
            return None
        self._in_string = False
        if self._depth != 1:
            return None
        if self._key is None and self._key_start >= 0:
            self._key = _loads(self._buffer[self._key_start : position + 1])
            self._key_start = -1
            if not isinstance(self._key, str):
                self._key = None
            return None
        if self._value_start >= 0 and self._buffer[self._value_start] == '"':
            return self._finish(position + 1)
        return None

    def _finish(self, end: int) -> tuple[str, Any] | None:
        key, raw = self._key, self._buffer[self._value_start : end]
        self._key, self._value_start = None, -1
        if key is None or key in self.done:
            return None
        value = _loads(raw.strip())
        if value is _INVALID:
            return None
        self.done[key] = value
        return key, value


_INVALID = object()


def _loads(raw: str) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return _INVALID
