"""Cutting an episode into clips of at most 30 s that Whisper transcribes independently.

Independent clips make a resumed transcription identical to an uninterrupted one: the
plan depends only on the decoded audio, so after a crash the same clips come out again,
and the clips already stored are simply skipped. With VAD, clips are cut in silences, so
no word is split between two clips.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

SAMPLE_RATE = 16000
MAX_CLIP_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Clip:
    start: float  # seconds in the episode
    end: float

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
    start: float | None = None
    end = 0.0
    for region_start, region_end in _bounded(regions, max_seconds):
        if start is not None and region_end - start > max_seconds:
            clips.append(Clip(start, end))
            start = None
        if start is None:
            start = region_start
        end = region_end
    if start is not None:
        clips.append(Clip(start, end))
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
    return clips


def remaining(clips: list[Clip], resume_at: float) -> list[Clip]:
    """Clips not yet stored: a stored clip's segments end near its end, so a clip whose
    midpoint lies after the last stored end is still to do."""
    return [clip for clip in clips if clip.midpoint > resume_at]
