"""Podcasting 2.0 JSON transcripts (the `application/json` of <podcast:transcript>).

    {"version": "1.0.0",
     "segments": [{"speaker": "Alice", "startTime": 0.5, "endTime": 2.2, "body": "Hello"}]}

Many hosts write one segment per word, so segments are merged into sentence-sized cues: a
cue ends at sentence punctuation, a change of speaker, a pause over MAX_GAP_SECONDS, or
after MAX_CUE_SECONDS. When every merged segment is a single word, those segments become
the cue's word timings, as Whisper's words do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core.errors import TranscriptFormatError
from desktop.core.importers.raw import ParseResult, RawCue
from desktop.core.importers.timestamps import BadTimestamp, parse_clock
from desktop.core.importers.whisper_json import load_json
from desktop.core.jsonvalues import finite_number
from desktop.core.model import Word

__all__ = ["looks_like_podcast_json", "parse_podcast_json"]

MAX_GAP_SECONDS = 1.5
MAX_CUE_SECONDS = 30.0
# Keys as JSON keys: inside a JSON string the quotes would be escaped (\"body\").
_SEGMENTS_RE = re.compile(r'"segments"\s*:\s*\[')
_BODY_RE = re.compile(r'"body"\s*:')
_START_RE = re.compile(r'"startTime"\s*:')
_SNIFF_CHARS = 65536
_SENTENCE_END_RE = re.compile(r"[.?!…][\"'”’)\]]*$")
# Punctuation written as its own segment, or opening one (", and"), joins the word before;
# ".NET" is a word of its own.
_ATTACHES_RE = re.compile(r"^[,.;:!?%…)\]}”’]+(?!\w)")
_DECIMAL_RE = re.compile(r"\d{1,9}(?:\.\d{1,9})?")


def looks_like_podcast_json(text: str) -> bool:
    """Whether JSON text (already sniffed as JSON) is a Podcasting 2.0 transcript: a
    "segments" list whose items have "body" and "startTime" (Whisper's have text/start)."""
    head = text[:_SNIFF_CHARS]
    return all(regex.search(head) for regex in (_SEGMENTS_RE, _BODY_RE, _START_RE))


def _seconds(value: Any) -> float | None:
    """A time in seconds: a number, or a string of one ("12.5") or a clock ("00:01:02.5")."""
    if isinstance(value, str):
        text = value.strip()
        if _DECIMAL_RE.fullmatch(text):
            return float(text)
        try:
            return parse_clock(text)
        except BadTimestamp:
            return None
    return finite_number(value)


@dataclass(slots=True)
class _Cue:
    speaker: str | None
    start: float
    end: float | None
    text: str
    words: list[Word] = field(default_factory=list)
    word_timed: bool = True  # every part so far was one word

    @classmethod
    def begin(cls, speaker: str | None, body: str, start: float, end: float | None) -> _Cue:
        cue = cls(speaker, start, end, body)
        cue._add_word(body, start, end, attaches=False)
        return cue

    def add(self, body: str, start: float, end: float | None) -> None:
        attaches = _ATTACHES_RE.match(body) is not None
        self.text = f"{self.text}{body}" if attaches else f"{self.text} {body}"
        self.end = end if end is not None else self.end
        self._add_word(body, start, end, attaches)

    def _add_word(self, body: str, start: float, end: float | None, attaches: bool) -> None:
        if len(body.split()) != 1:
            self.word_timed = False
        elif attaches and self.words:  # "," as its own segment belongs to the word before
            last = self.words[-1]
            self.words[-1] = Word(last.start, max(last.end, end or last.end), last.text + body)
        else:
            self.words.append(Word(start, max(start, end if end is not None else start), body))

    def ended_sentence(self) -> bool:
        return _SENTENCE_END_RE.search(self.text) is not None

    def raw(self) -> RawCue:
        words = self.words if self.word_timed else None
        return RawCue(self.start, self.end, self.text, None, speaker=self.speaker, words=words)


def _speaker(item: dict[str, Any]) -> str | None:
    speaker = item.get("speaker")
    if isinstance(speaker, int) and not isinstance(speaker, bool):
        return str(speaker)
    return (speaker.strip() or None) if isinstance(speaker, str) else None


def _continues(cue: _Cue, speaker: str | None, start: float, end: float | None) -> bool:
    if speaker != cue.speaker or cue.ended_sentence() or start < cue.start:
        return False
    reach = cue.end if cue.end is not None else cue.start
    return start - reach <= MAX_GAP_SECONDS and (end or start) - cue.start <= MAX_CUE_SECONDS


def parse_podcast_json(text: str, path: Path | None) -> ParseResult:
    data = load_json(text, path)
    segments = data.get("segments") if isinstance(data, dict) else None
    if not isinstance(segments, list):
        raise TranscriptFormatError(
            path, "JSON has no 'segments' list (not a Podcasting 2.0 transcript)"
        )
    result = ParseResult(empty_message="no segments found in the Podcasting 2.0 transcript")
    cue: _Cue | None = None
    for index, item in enumerate(segments):
        where = f"segment {index + 1}"
        if not isinstance(item, dict):
            result.skip(None, f"{where}: not an object, skipped")
            continue
        start, end = _seconds(item.get("startTime")), _seconds(item.get("endTime"))
        body = item.get("body")
        body = " ".join(body.split()) if isinstance(body, str) else ""
        if start is None or start < 0:
            result.skip(None, f"{where}: missing or invalid startTime, skipped")
            continue
        if not body:
            continue  # a pause marker or an empty word: nothing to read
        end = end if end is not None and end >= 0 else None
        speaker = _speaker(item)
        if cue is not None and _continues(cue, speaker, start, end):
            cue.add(body, start, end)
            continue
        if cue is not None:
            result.cues.append(cue.raw())
        cue = _Cue.begin(speaker, body, start, end)
    if cue is not None:
        result.cues.append(cue.raw())
    return result
