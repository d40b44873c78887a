"""Sentences from segments, each knowing the segment where it starts.

Caption segments break mid-sentence, so the text of a speaker turn is joined first and
split into sentences afterwards; every sentence keeps the index of the segment holding its
first character, which is where a click should seek. Auto-captions have no punctuation at
all: their "sentences" are runs of segments of about 20 words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from desktop.core.model import Segment

_SPLIT = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])")
MAX_WORDS = 45  # longer "sentences" are unpunctuated speech; cut them at segments
PSEUDO_WORDS = 20


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    segment: int  # index of the segment where it starts
    speaker: str | None
    turn: int  # index of the speaker turn it belongs to
    position: int  # index among all sentences


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
    found: list[tuple[str, int, str | None, int]] = []
    for turn_no, turn in enumerate(speaker_turns(segments)):
        speaker = segments[turn[0]].speaker
        for text, segment in _turn_sentences(segments, turn):
            found.append((text, segment, speaker, turn_no))
    return [Sentence(t, seg, spk, turn, i) for i, (t, seg, spk, turn) in enumerate(found)]


def _turn_sentences(segments: list[Segment], turn: list[int]) -> list[tuple[str, int]]:
    offsets: list[tuple[int, int]] = []  # (character offset, segment index)
    parts: list[str] = []
    length = 0
    for index in turn:
        text = " ".join(segments[index].text.split())
        if not text:
            continue
        offsets.append((length, index))
        parts.append(text)
        length += len(text) + 1
    joined = " ".join(parts)
    result: list[tuple[str, int]] = []
    cursor = 0
    for piece in _SPLIT.split(joined):
        start = joined.find(piece, cursor)
        cursor = start + len(piece)
        text = piece.strip()
        if not text:
            continue
        if len(text.split()) > MAX_WORDS:
            result.extend(_pseudo_sentences(joined, start, cursor, offsets))
        else:
            result.append((text, _segment_at(start, offsets)))
    return result


def _segment_at(offset: int, offsets: list[tuple[int, int]]) -> int:
    index = offsets[0][1]
    for start, segment in offsets:
        if start > offset:
            break
        index = segment
    return index


def _pseudo_sentences(
    joined: str, start: int, end: int, offsets: list[tuple[int, int]]
) -> list[tuple[str, int]]:
    """Unpunctuated speech: groups of whole segments of about PSEUDO_WORDS words."""
    inside = [(o, s) for o, s in offsets if start <= o < end]
    if not inside or inside[0][0] > start:
        inside.insert(0, (start, _segment_at(start, offsets)))
    pieces: list[tuple[str, int]] = []
    group_start, group_segment = inside[0]
    for offset, segment in [*inside[1:], (end, -1)]:
        words = len(joined[group_start:offset].split())
        if words >= PSEUDO_WORDS or segment == -1:
            text = joined[group_start:offset].strip()
            if text:
                pieces.append((text, group_segment))
            group_start, group_segment = offset, segment
    return pieces
