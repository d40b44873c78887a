"""Cutting an episode into clips of at most 30 s that Whisper transcribes independently.

Independent clips make a resumed transcription identical to an uninterrupted one: the
plan depends only on the decoded audio, so after a crash the same clips come out again,
and the clips already stored are simply skipped (`still_to_do`). With VAD, clips are cut
in silences, so no word is split between two clips.

VAD runs in fixed five-minute blocks (with 30 s of context on each side) as the plan is
consumed, so the first clip is ready after one block rather than after the whole
episode (8.5 s of VAD for an hour of audio on 2 cores), and a resume only re-runs the
blocks around the resume point. Block edges are fixed in episode time, so every run
makes the same plan.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from itertools import pairwise

import numpy as np

SAMPLE_RATE = 16000
MAX_CLIP_SECONDS = 30.0
VAD_BLOCK_SECONDS = 300.0
VAD_CONTEXT_SECONDS = 30.0  # > the longest VAD region, so no owned region is cut off
# Stored times are rounded to the millisecond, so the last stored end may lie up to half a
# millisecond past the end of its clip, and so past the start of the next clip.
STORED_TIME_STEP = 0.001


Region = tuple[float, float]  # (start, end) of speech, seconds in the episode


@dataclass(frozen=True, slots=True)
class Clip:
    start: float  # seconds in the episode
    end: float
    speech: tuple[Region, ...] = ()  # the VAD speech regions inside the clip

    @property
    def midpoint(self) -> float:
        return (self.start + self.end) / 2


def speech_regions(audio: np.ndarray) -> list[tuple[float, float]]:
    """Speech as (start, end) seconds, from faster-whisper's bundled Silero VAD."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(max_speech_duration_s=MAX_CLIP_SECONDS, min_silence_duration_ms=160)
    return [
        (r["start"] / SAMPLE_RATE, r["end"] / SAMPLE_RATE)
        for r in get_speech_timestamps(audio, options)
    ]


def clips_from_regions(
    regions: list[tuple[float, float]], max_seconds: float = MAX_CLIP_SECONDS
) -> list[Clip]:
    """Merge neighbouring speech regions into clips no longer than `max_seconds`."""
    clips: list[Clip] = []
    members: list[Region] = []
    for region in _bounded(regions, max_seconds):
        if members and region[1] - members[0][0] > max_seconds:
            clips.append(Clip(members[0][0], members[-1][1], tuple(members)))
            members = []
        members.append(region)
    if members:
        clips.append(Clip(members[0][0], members[-1][1], tuple(members)))
    return clips


def _bounded(regions: list[tuple[float, float]], max_seconds: float) -> list[tuple[float, float]]:
    """Regions split so none is longer than a clip (Silero already does; this is a guard)."""
    out: list[tuple[float, float]] = []
    for start, end in regions:
        while end - start > max_seconds:
            out.append((start, start + max_seconds))
            start += max_seconds
        out.append((start, end))
    return out


def tiling_clips(
    regions: list[tuple[float, float]], duration: float, max_seconds: float = MAX_CLIP_SECONDS
) -> list[Clip]:
    """Without the VAD filter nothing is skipped: clips cover the whole audio, back to back,
    and are still cut in the middle of the silences VAD found, so words stay whole. Where
    speech runs on for longer than a clip, the cut falls at `max_seconds`."""
    cuts = [(a_end + b_start) / 2 for (_, a_end), (b_start, _) in pairwise(regions)]
    clips: list[Clip] = []
    start = 0.0
    last_cut = None
    for cut in [*cuts, duration]:
        while cut - start > max_seconds:
            end = last_cut if last_cut is not None and last_cut > start else start + max_seconds
            clips.append(Clip(start, end))
            start, last_cut = end, None
        last_cut = cut
    if duration > start:
        clips.append(Clip(start, duration))
    return [replace(c, speech=_inside(regions, c.start, c.end)) for c in clips]


def _inside(regions: list[Region], start: float, end: float) -> tuple[Region, ...]:
    return tuple((max(s, start), min(e, end)) for s, e in regions if s < end and e > start)


def planned_clips(
    audio: np.ndarray, resume_at: float = 0.0, block: float = VAD_BLOCK_SECONDS
) -> Iterator[Clip]:
    """The VAD clip plan, block by block, from the clip that `resume_at` has not reached.

    Block k owns the speech regions that start inside it; clips never mix blocks. A
    region may run into the next block, so the next block's regions start no earlier
    than where it ended (`carry`), which depends on block k alone.
    """
    total = len(audio) / SAMPLE_RATE
    first = max(0, math.floor((resume_at - MAX_CLIP_SECONDS) / block))
    carry = 0.0
    if first > 0:
        carry = _carry(_owned_regions(audio, first - 1, block), first - 1, block)
    for k in range(first, math.ceil(total / block)):
        owned = _owned_regions(audio, k, block)
        regions = [(max(start, carry), end) for start, end in owned if end > carry]
        carry = _carry(owned, k, block)
        for clip in clips_from_regions(regions):
            if still_to_do(clip, resume_at):
                yield clip


def _owned_regions(audio: np.ndarray, k: int, block: float) -> list[tuple[float, float]]:
    lo = max(0.0, k * block - VAD_CONTEXT_SECONDS)
    hi = (k + 1) * block + VAD_CONTEXT_SECONDS
    piece = audio[round(lo * SAMPLE_RATE) : round(hi * SAMPLE_RATE)]
    return [
        (lo + start, lo + end)
        for start, end in speech_regions(piece)
        if k * block <= lo + start < (k + 1) * block
    ]


def _carry(owned: list[tuple[float, float]], k: int, block: float) -> float:
    return max((end for _, end in owned), default=k * block)


def still_to_do(clip: Clip, resume_at: float) -> bool:
    """Whether a resumed run must still transcribe `clip`, `resume_at` being the end of the
    last stored segment.

    Clips are stored whole (one transaction each) and in order, and a clip's segments lie
    inside it; so the clip that holds the last stored segment, and every clip before it,
    started before `resume_at`, and every later clip starts at or after that clip's end.
    That holds however early in its clip the last word ends: a clip whose last stretch of
    speech got no words (a whisper, a cough) is not decoded again, which would store its
    words twice.
    """
    return clip.start > resume_at - STORED_TIME_STEP


def clip_plan(audio: np.ndarray, vad_filter: bool, resume_at: float = 0.0) -> Iterator[Clip]:
    """The clips still to transcribe, produced as they are needed: cut in silences, with
    the silence between speech skipped (vad_filter) or kept (then VAD only places the
    cuts, over the whole file)."""
    if vad_filter:
        return planned_clips(audio, resume_at)
    regions = [region for clip in planned_clips(audio) for region in clip.speech]
    return iter(remaining(tiling_clips(regions, len(audio) / SAMPLE_RATE), resume_at))


def remaining(clips: list[Clip], resume_at: float) -> list[Clip]:
    """The clips not yet stored (see still_to_do)."""
    return [clip for clip in clips if still_to_do(clip, resume_at)]
