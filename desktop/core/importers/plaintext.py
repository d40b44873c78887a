"""Plain-text transcripts whose lines start with a timestamp.

Covers "[00:01:23] Speaker 1: text" (Earmark's TXT export), "Speaker 1:   00:00   text"
(ScribeSalad/Temi style paragraphs), "(12:34) text", "1:02:03.5 - text", and a speaker
name either before or after the stamp. Lines without a stamp continue the previous segment.
"""

from __future__ import annotations

import re

from desktop.core.importers.raw import ParseResult, RawCue
from desktop.core.importers.timestamps import CLOCK, BadTimestamp, parse_clock

# A speaker label: one to four words, the first starting with a letter ("Speaker 10", "Dr. Ng").
NAME = r"[^\W\d_][\w.'’-]*(?:[ \t]+[\w.'’-]+){0,3}"
# Looser than CLOCK so that "[00:6x:01]" is reported as malformed instead of read as text.
_LOOSE = r"-?\d{1,6}(?::[\w.,]{1,12}){1,2}"
_STAMP = rf"\[(?P<b>{_LOOSE})\]|\((?P<p>{_LOOSE})\)|(?P<r>-?{CLOCK})(?![\w:])"
_LINE_RE = re.compile(
    rf"^\s*(?:(?P<sp1>{NAME})\s*:\s*|(?P<sp1b>{NAME})\s+(?=[\[(]))?"
    rf"(?:{_STAMP})\s*:?\s*(?:[-–—|]\s+)?"
    rf"(?:(?P<sp2>{NAME})\s*:(?:\s+|$))?(?P<text>.*)$"
)


class StampReader:
    """Feeds lines one by one; a stamped line opens a segment, others continue it."""

    def __init__(self, result: ParseResult) -> None:
        self.result = result
        self.current: RawCue | None = None
        self.skipping = False  # after a bad stamp, its continuation lines are dropped too
        self.labels: list[tuple[RawCue, str]] = []  # each labelled cue and its label as written

    def feed(self, line_no: int, line: str) -> None:
        """Add one line: a stamped line opens a segment, any other continues it."""
        if not line.strip():
            return
        match = _LINE_RE.match(line)
        if match is None:
            self.result.text_words += len(line.split())
            self.continue_with(line)
            return
        self.result.text_words += len(match["text"].split())  # the words, not stamp or name
        token = match["b"] or match["p"] or match["r"]
        self.result.anchors = (self.result.anchors or 0) + 1
        try:
            start = parse_clock(token, minutes_bounded=None)
        except BadTimestamp as exc:
            self.result.skip(line_no, f"{exc.reason} timestamp '{exc.token[:40]}', line skipped")
            self.current, self.skipping = None, True
            return
        who = match["sp1"] or match["sp1b"] or match["sp2"]
        self.current = RawCue(start, None, match["text"], line_no, speaker=who)
        self.skipping = False
        self.result.cues.append(self.current)
        if match["sp2"]:
            label = line[match.start("sp2") : match.start("text")].strip()
            self.labels.append((self.current, label))
        elif who:
            self.labels.append((self.current, f"{who}:" if match["sp1"] else who))

    def continue_with(self, text: str) -> None:
        """Text without a stamp belongs to the segment before it (or, before any, to nothing)."""
        if self.current is not None and not self.skipping:
            self.current.text = f"{self.current.text} {text}"


def parse_plaintext(text: str) -> ParseResult:
    result = ParseResult(empty_message="no timestamps found", anchors=0)
    reader = StampReader(result)
    for line_no, line in enumerate(text.split("\n"), start=1):
        reader.feed(line_no, line)
    for cue, label in reader.labels:
        if not cue.text.strip():
            # "[00:05] Note :" with nothing after it, not even on the lines below, is what
            # was said (the text of Earmark's own export), not a speaker saying nothing.
            cue.text, cue.speaker = label, None
    return result
