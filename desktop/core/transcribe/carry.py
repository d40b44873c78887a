"""What a person changed in a transcript, carried into a new transcript of the same audio.

A re-transcription (another model) makes new segments with new boundaries. A correction
takes the place of the new words heard in its time span: where the new segments have word
timings (Earmark's engine always gives them), the new segments it overlaps are cut at its
edges by word, the words outside stay as segments of their own, and the correction goes
between them. Without word timings a correction replaces the new segments whose middles
fall inside it, when together they start and end within `TOLERANCE` of it; otherwise
putting it in would cut a segment's text blindly, so it is not kept and is reported, with
its time, for the user to redo or to undo the whole re-transcription. Speaker names follow
time: each new segment takes the speaker of the old segment playing at its middle.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field, replace

from desktop.core.model import Segment, Word

TOLERANCE = 1.0  # seconds a new boundary may differ from a corrected segment's own
# Two models place the same word up to a few tenths of a second apart: a new word whose
# middle is this close outside a correction is taken as one of its words, not said again.
SLACK = 0.3


@dataclass(slots=True)
class Carried:
    segments: list[Segment]
    kept: list[Segment] = field(default_factory=list)  # corrections now in `segments`
    lost: list[Segment] = field(default_factory=list)  # corrections that had no place


def carry_edits(old: list[Segment], new: list[Segment]) -> Carried:
    segments = _with_speakers(old, new)
    carried = Carried(segments)
    for corrected in (s for s in old if s.edited):
        span = _overlapping(carried.segments, corrected)
        if span is not None and all(s.words for s in carried.segments[span[0] : span[1] + 1]):
            pieces = _cut_by_words(carried.segments[span[0] : span[1] + 1], corrected)
        else:
            span = (
                _covering(carried.segments, corrected)
                if span is not None
                else _gap(carried.segments, corrected)
            )
            if span is None:
                carried.lost.append(corrected)
                continue
            pieces = [corrected]
        first, last = span
        before = carried.segments[first - 1].end if first > 0 else 0.0
        after = carried.segments[last + 1].start if last + 1 < len(carried.segments) else None
        carried.segments[first : last + 1] = _fitted(pieces, corrected, before, after)
        carried.kept.append(corrected)
    return carried


def _overlapping(segments: list[Segment], corrected: Segment) -> tuple[int, int] | None:
    inside = [
        n for n, s in enumerate(segments) if s.start < corrected.end and s.end > corrected.start
    ]
    return (inside[0], inside[-1]) if inside else None


def _gap(segments: list[Segment], corrected: Segment) -> tuple[int, int]:
    """Where a correction goes when no new segment overlaps it: an empty run (first =
    last + 1) at its place in time, so the slice assignment inserts it."""
    at = bisect_right([s.start for s in segments], corrected.start)
    return at, at - 1


def _cut_by_words(run: list[Segment], corrected: Segment) -> list[Segment]:
    """The words of `run` heard before and after `corrected` (by each word's middle) as
    segments of their own around it; the words inside give way to the correction."""

    def middle(w: Word) -> float:
        return (w.start + w.end) / 2

    words = [(w, s.speaker) for s in run for w in s.words or []]
    before = [(w, who) for w, who in words if middle(w) < corrected.start - SLACK]
    after = [(w, who) for w, who in words if middle(w) >= corrected.end + SLACK]
    pieces = [_piece(before), corrected, _piece(after)]
    return [p for p in pieces if p is not None]


def _piece(words: list[tuple[Word, str | None]]) -> Segment | None:
    text = "".join(w.text for w, _ in words).strip()
    if not text:
        return None
    only = [w for w, _ in words]
    return Segment(only[0].start, only[-1].end, text, words[0][1], only)


def _fitted(
    pieces: list[Segment], corrected: Segment, before: float, after: float | None
) -> list[Segment]:
    """The pieces with the correction's times clamped between its neighbours: segments
    never overlap."""
    out = []
    for n, piece in enumerate(pieces):
        if piece is corrected:
            low = pieces[n - 1].end if n > 0 else before
            high = pieces[n + 1].start if n + 1 < len(pieces) else after
            start = max(corrected.start, low)
            end = corrected.end if high is None else min(corrected.end, high)
            piece = replace(corrected, start=start, end=max(start, end))
        out.append(piece)
    return out


def _covering(segments: list[Segment], corrected: Segment) -> tuple[int, int] | None:
    """The run of new segments whose middles fall inside `corrected`, when together they
    start and end within TOLERANCE of it; None when there is no such run."""
    inside = [
        n
        for n, s in enumerate(segments)
        if corrected.start <= (s.start + s.end) / 2 < max(corrected.end, corrected.start + 1e-6)
    ]
    if not inside:
        return None
    first, last = inside[0], inside[-1]
    if abs(segments[first].start - corrected.start) > TOLERANCE:
        return None
    if abs(segments[last].end - corrected.end) > TOLERANCE:
        return None
    return first, last


def _with_speakers(old: list[Segment], new: list[Segment]) -> list[Segment]:
    if not any(s.speaker for s in old):
        return list(new)
    starts = [s.start for s in old]  # in order: segments never overlap
    out = []
    for segment in new:
        middle = (segment.start + segment.end) / 2
        at = bisect_right(starts, middle) - 1
        speaker = old[at].speaker if at >= 0 and middle < old[at].end else None
        out.append(replace(segment, speaker=speaker) if speaker else segment)
    return out
