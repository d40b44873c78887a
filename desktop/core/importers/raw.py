"""What every format parser hands to the shared normaliser.

Parsers stay dumb on purpose: they turn a file into `RawCue`s with the line each came
from, and leave whitespace, ordering, validation of times and long-cue splitting to
`normalize.py`, so every format behaves the same way on the same kind of bad input.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop.core.model import Chapter, Word


@dataclass(slots=True)
class RawCue:
    """One timed piece of text as found in the file, before cleaning."""

    start: float
    end: float | None  # None: the format gives only a start (plain text, Markdown)
    text: str
    line: int | None = None  # 1-based line of the cue's timing in the decoded text
    speaker: str | None = None
    words: list[Word] | None = None
    edited: bool = False  # a person corrected it (Earmark's own JSON export says so)


@dataclass(slots=True)
class ParseResult:
    """Everything a parser found; `normalize` turns it into a `Transcript`."""

    cues: list[RawCue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Line of the first cue that had to be skipped: named in the error when nothing usable is left.
    first_bad_line: int | None = None
    first_bad_message: str | None = None
    title: str | None = None
    language: str | None = None
    chapters: list[Chapter] = field(default_factory=list)
    # What to say when the file holds no cue at all (each format words it for its users).
    empty_message: str = "no cues found"
    # Plain text and Markdown only, where a "stamp" may be a time mentioned in prose: how many
    # lines or paragraphs a stamp or speaker label opened, and how many words of text there
    # were in all (see prose.py). None: the format's structure is explicit.
    anchors: int | None = None
    text_words: int = 0

    def skip(self, line: int | None, message: str) -> None:
        """Record a cue that could not be used; the first one is remembered for the error."""
        self.warnings.append(f"line {line}: {message}" if line is not None else message)
        if self.first_bad_message is None:
            self.first_bad_line = line
            self.first_bad_message = message
