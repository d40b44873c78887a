"""Formatting of times in seconds as clock strings.

Every function takes any float: a time that is not a number or infinite (a damaged row, a
hand-edited file) shows as 0, and a time beyond MAX_SECONDS (about 317 years) as that, so
formatting never raises; negative times show as 0.
"""

from __future__ import annotations

import math

MAX_SECONDS = 1e10  # far past any recording, and small enough that ms stay exact integers


def shown_seconds(seconds: float) -> float:
    """`seconds` clamped to what a clock can show: 0..MAX_SECONDS, non-finite as 0."""
    if not math.isfinite(seconds):
        return 0.0
    return min(max(0.0, seconds), MAX_SECONDS)


def split_hms(seconds: float) -> tuple[int, int, int, int]:
    """Hours, minutes, seconds and milliseconds of a non-negative time (rounded to ms)."""
    total_ms = round(shown_seconds(seconds) * 1000)
    hours, rest = divmod(total_ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, ms = divmod(rest, 1000)
    return hours, minutes, secs, ms


def hms(seconds: float) -> str:
    """`hh:mm:ss`, truncating the fraction (what a reader expects beside a paragraph)."""
    total = int(shown_seconds(seconds))
    return f"{total // 3600:02d}:{total // 60 % 60:02d}:{total % 60:02d}"


def clock(seconds: float, decimal: str = ".") -> str:
    """`hh:mm:ss.mmm` (VTT) or, with decimal=",", `hh:mm:ss,mmm` (SRT)."""
    hours, minutes, secs, ms = split_hms(seconds)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal}{ms:03d}"


def short(seconds: float) -> str:
    """`m:ss` or `h:mm:ss`, as players show it."""
    total = int(shown_seconds(seconds))
    hours, minutes, secs = total // 3600, total // 60 % 60, total % 60
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def time_left(elapsed: float, fraction: float) -> float | None:
    """Seconds left at the pace so far; None until there is a pace to go by (the first
    2% or 2 seconds say little about the rest)."""
    if fraction < 0.02 or elapsed < 2.0 or fraction >= 1.0:
        return None if fraction < 1.0 else 0.0
    return elapsed * (1.0 - fraction) / fraction
