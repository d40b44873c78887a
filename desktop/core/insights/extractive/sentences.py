"""Sentences from segments, each knowing the segment where it starts.

Caption segments break mid-sentence, so the text of a speaker turn is joined first and
split into sentences afterwards; every sentence keeps the index of the segment holding its
first character, which is where a click should seek, and where each later segment begins
inside it (so a sentence whose first words are cleaned away can seek to the right one).
Auto-captions have no punctuation at all: their "sentences" are runs of segments of about
20 words. On Earmark's own transcriptions every sentence also carries how sure the
recogniser was of its least certain word.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from desktop.core.model import Segment

_SPLIT = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])")
MAX_WORDS = 45  # longer runs without a full stop are unpunctuated speech: cut at segments
PSEUDO_WORDS = 20


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    segment: int  # index of the segment where it starts
    speaker: str | None
    turn: int  # index of the speaker turn it belongs to
    position: int  # index among all sentences
    # (character offset in `text`, segment index) where each segment starts inside it
    marks: tuple[tuple[int, int], ...] = ()
    # the lowest word probability in the sentence, None when the transcript has none
    confidence: float | None = None

    def segment_at(self, offset: int) -> int:
        """The segment holding the character at `offset` of the text."""
        index = self.segment
        for start, segment in self.marks:
            if start > offset:
                break
            index = segment
        return index


def speaker_turns(segments: list[Segment]) -> list[list[int]]:
    """Segment indexes grouped by consecutive speaker; no speakers means one long turn."""
    turns: list[list[int]] = []
    for i, segment in enumerate(segments):
        if turns and segments[turns[-1][-1]].speaker == segment.speaker:
            turns[-1].append(i)
        else:
            turns.append([i])
    return turns


def split_sentences(segments: list[Segment]) -> list[Sentence]:
    found: list[Sentence] = []
    for turn_no, turn in enumerate(speaker_turns(segments)):
        speaker = segments[turn[0]].speaker
        for text, marks, confidence in _turn_sentences(segments, turn):
            found.append(
                Sentence(text, marks[0][1], speaker, turn_no, len(found), marks, confidence)
            )
    return found


_Piece = tuple[str, tuple[tuple[int, int], ...], float | None]


def _turn_sentences(segments: list[Segment], turn: list[int]) -> list[_Piece]:
    offsets: list[tuple[int, int]] = []  # (character offset, segment index)
    parts: list[str] = []
    probabilities: list[tuple[int, float]] = []  # (character offset, word probability)
    length = 0
    for index in turn:
        text = " ".join(segments[index].text.split())
        if not text:
            continue
        offsets.append((length, index))
        parts.append(text)
        probabilities += _word_probabilities(segments[index], text, length)
        length += len(text) + 1
    joined = " ".join(parts)
    starts = [o for o, _ in offsets]
    at = [o for o, _ in probabilities]
    result: list[_Piece] = []
    cursor = 0
    for piece in _SPLIT.split(joined):
        start = joined.find(piece, cursor)
        cursor = start + len(piece)
        text = piece.strip()
        if not text:
            continue
        start += len(piece) - len(piece.lstrip())
        words = len(text.split())
        # A long run without a full stop is unpunctuated speech; a long sentence that ends
        # with one is kept whole (up to a point), so that a question keeps its beginning.
        ended = text.endswith((".", "!", "?", "…"))
        spans = (
            _pseudo_sentences(joined, start, cursor, offsets)
            if words > MAX_WORDS and (not ended or words > 3 * MAX_WORDS)
            else [(start, start + len(text))]
        )
        for lo, hi in spans:
            marks = _marks(lo, hi, offsets, starts)
            sure = [p for _, p in probabilities[bisect_left(at, lo) : bisect_left(at, hi)]]
            result.append((joined[lo:hi], marks, min(sure) if sure else None))
    return result


def _word_probabilities(segment: Segment, text: str, base: int) -> list[tuple[int, float]]:
    """Where each recognised word sits in the segment's text, with its probability."""
    found = []
    cursor = 0
    for word in segment.words or []:
        token = word.text.strip()
        if not token or word.probability is None:
            continue
        at = text.find(token, cursor)
        if at < 0:
            continue
        cursor = at + len(token)
        if any(c.isalnum() for c in token):
            found.append((base + at, float(word.probability)))
    return found


def _marks(
    lo: int, hi: int, offsets: list[tuple[int, int]], starts: list[int]
) -> tuple[tuple[int, int], ...]:
    """Segment starts inside [lo, hi) relative to lo, led by the segment holding lo."""
    first = bisect_right(starts, lo) - 1
    inside = offsets[first + 1 : bisect_left(starts, hi)]
    return ((0, offsets[max(first, 0)][1]), *((start - lo, segment) for start, segment in inside))


def _pseudo_sentences(
    joined: str, start: int, end: int, offsets: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Unpunctuated speech: spans of whole segments of about PSEUDO_WORDS words."""
    inside = [o for o, _ in offsets if start < o < end]
    spans: list[tuple[int, int]] = []
    group_start = start
    for offset in [*inside, end]:
        words = len(joined[group_start:offset].split())
        if words >= PSEUDO_WORDS or offset == end:
            lo = (
                group_start
                + len(joined[group_start:offset])
                - len(joined[group_start:offset].lstrip())
            )
            hi = group_start + len(joined[group_start:offset].rstrip())
            if hi > lo:
                spans.append((lo, hi))
            group_start = offset
    return spans
