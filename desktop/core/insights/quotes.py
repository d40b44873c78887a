"""Proving an item with the transcript: is its quote really there, and where?

A generated item (an LLM's key insight, answer or takeaway) carries a short verbatim quote
and the id of the line it starts in. The quote is compared with the transcript word for
word after normalising what a model may change without changing what was said: case,
punctuation, quote marks, apostrophes and whitespace ("Don't" = "dont", "GPT-2" =
"gpt 2"). Different words, added words and dropped words are not tolerated, except an
ellipsis ("..." or "…"), which may skip words between runs of at least `MIN_RUN_WORDS`,
in order. A quote must hold at least `MIN_QUOTE_WORDS` words (or all the words of the
line it starts in, when that line is shorter): a two-word quote proves nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

MIN_QUOTE_WORDS = 4
MIN_RUN_WORDS = 3
# A quote may run from its cited line into the next ones (a sentence split across
# segments), but not further: the citation must say where the evidence is.
SPAN_LINES = 3

_ELLIPSIS = re.compile(r"\.\.\.+|…")
_APOSTROPHES = re.compile(r"['’ʼ`´]")
_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """The words of `text`, normalised: NFKC, case-folded, apostrophes dropped, anything
    that is not a letter or digit a separator."""
    text = _APOSTROPHES.sub("", unicodedata.normalize("NFKC", text).casefold())
    return _WORD.findall(text)


@dataclass(frozen=True, slots=True)
class Found:
    """Where a quote is: the lines (indexes into the lines searched) it starts and ends in."""

    first: int
    last: int


class QuoteIndex:
    """The transcript's lines as one normalised word list, each word knowing its line."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.count = len(lines)
        self._words: list[str] = []
        self._owner: list[int] = []
        self._line_start: list[int] = []
        self._line_words: list[int] = []
        for index, line in enumerate(lines):
            line_words = words(line)
            self._line_start.append(len(self._words))
            self._line_words.append(len(line_words))
            self._words += line_words
            self._owner += [index] * len(line_words)

    def find(self, quote: str, cited: int) -> Found | None:
        """The quote, starting in line `cited` and ending within SPAN_LINES lines."""
        if not 0 <= cited < self.count:
            return None
        runs = _runs(quote)
        if not _long_enough(runs, self._line_words[cited]):
            return None
        begin = self._line_start[cited]
        for at in self._occurrences(runs[0], begin, begin + self._line_words[cited]):
            found = self._rest(runs, at)
            if found is not None:
                return found
        return None

    def find_anywhere(self, quote: str, lines: Sequence[int] | None = None) -> Found | None:
        """The quote's first occurrence starting in any of `lines` (default: all), for an
        item that quotes the transcript faithfully but cites the wrong line."""
        runs = _runs(quote)
        if not runs:
            return None
        allowed = None if lines is None else set(lines)
        for at in self._occurrences(runs[0], 0, len(self._words)):
            line = self._owner[at]
            if allowed is not None and line not in allowed:
                continue
            if not _long_enough(runs, self._line_words[line]):
                continue
            found = self._rest(runs, at)
            if found is not None:
                return found
        return None

    def _occurrences(self, run: list[str], lo: int, hi: int) -> list[int]:
        """Positions in [lo, hi) where `run` starts."""
        n, flat = len(run), self._words
        first = run[0]
        return [
            i
            for i in range(lo, min(hi, len(flat) - n + 1))
            if flat[i] == first and flat[i : i + n] == run
        ]

    def _rest(self, runs: list[list[str]], at: int) -> Found | None:
        """The later runs in order after the first one at `at`, within SPAN_LINES lines."""
        first_line = self._owner[at]
        limit = min(self.count, first_line + SPAN_LINES)
        stop = self._line_start[limit - 1] + self._line_words[limit - 1]
        position = at + len(runs[0])
        if position > stop:
            return None
        for run in runs[1:]:
            later = self._occurrences(run, position, stop)
            if not later or later[0] + len(run) > stop:
                return None
            position = later[0] + len(run)
        return Found(first_line, self._owner[position - 1])


def _runs(quote: str) -> list[list[str]]:
    runs = [words(part) for part in _ELLIPSIS.split(quote)]
    return [run for run in runs if run]


def _long_enough(runs: list[list[str]], line_words: int) -> bool:
    if not runs:
        return False
    if len(runs) > 1 and any(len(run) < MIN_RUN_WORDS for run in runs):
        return False
    return sum(len(run) for run in runs) >= min(MIN_QUOTE_WORDS, max(1, line_words))


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
MAX_CHOICE_CHARS = 200  # as long as a quote may be (llm/schema.py QUOTE_MAX)


def quote_choices(lines: Sequence[str]) -> list[str]:
    """Every sentence of `lines`, as exact text a constrained model may quote (a line
    without sentence ends is one piece); long ones cut at a word before MAX_CHOICE_CHARS.
    Pieces too short to prove anything are left out, unless they are a whole line."""
    choices: dict[str, None] = {}
    for line in lines:
        text = " ".join(line.split())
        pieces = [p for p in _SENTENCE_END.split(text) if p]
        for piece in pieces:
            if len(words(piece)) < MIN_QUOTE_WORDS and len(pieces) > 1:
                continue
            if len(piece) > MAX_CHOICE_CHARS:
                piece = piece[:MAX_CHOICE_CHARS].rsplit(" ", 1)[0]
            choices.setdefault(piece, None)
    return list(choices)
