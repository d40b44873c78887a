"""What a person changed in a transcript, carried into a new transcript of the same audio.

A re-transcription (another model) makes new segments with new boundaries. A correction
is kept where the new transcript has segments covering the same time: those are replaced
by the corrected segment as it was. Where the new segments straddle it differently (a
boundary moved by more than `TOLERANCE`), putting it in would cut a new segment in two, so
it is not kept and is reported, with its time, for the user to redo or to undo the whole
re-transcription. Speaker names follow time: each new segment takes the speaker of the old
segment playing at its middle.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field, replace

from desktop.core.model import Segment

TOLERANCE = 1.0  # seconds a new boundary may differ from a corrected segment's own


@dataclass(slots=True)
class Carried:
    segments: list[Segment]
    kept: list[Segment] = field(default_factory=list)  # corrections now in `segments`
    lost: list[Segment] = field(default_factory=list)  # corrections that had no place


def carry_edits(old: list[Segment], new: list[Segment]) -> Carried:
    segments = _with_speakers(old, new)
    carried = Carried(segments)
    for corrected in (s for s in old if s.edited):
        span = _covering(carried.segments, corrected)
        if span is None:
            carried.lost.append(corrected)
            continue
        first, last = span
        before = carried.segments[first - 1].end if first > 0 else 0.0
        after = carried.segments[last + 1].start if last + 1 < len(carried.segments) else None
        start = max(corrected.start, before)
        end = corrected.end if after is None else min(corrected.end, after)
        carried.segments[first : last + 1] = [replace(corrected, start=start, end=max(start, end))]
        carried.kept.append(corrected)
    return carried


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
