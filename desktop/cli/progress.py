"""Progress on an interactive stderr for work measured as a fraction (insights, downloads).

A tqdm bar with the time left; silent when stderr is not a terminal (logs, --json), so
scripts see only the result. Transcription has its own bar (transcribing.py), which
counts seconds of audio.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from desktop.core.timecode import short, time_left


class FractionBar:
    def __init__(self, enabled: bool, desc: str) -> None:
        self._enabled = enabled
        self._desc = desc
        self._bar: Any = None
        self._began = time.monotonic()

    def update(self, fraction: float, detail: str = "", left: float | None = None) -> None:
        """Draw `fraction` done; `left` seconds when the work knows, else from the pace."""
        if not self._enabled:
            return
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(
                total=1000,
                file=sys.stderr,
                desc=self._desc,
                # The status text rides in `unit`: tqdm prefixes {postfix} with ", ".
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {unit}",
            )
        if left is None:
            left = time_left(time.monotonic() - self._began, fraction)
        parts = [detail] if detail else []
        parts.append(f"{short(left)} left" if left is not None else "estimating")
        self._bar.n = min(1000, max(0, round(fraction * 1000)))
        self._bar.unit = ", ".join(parts)
        self._bar.refresh()

    def close(self) -> None:
        """Remove the bar, so warnings printed next start on a clean line."""
        if self._bar is not None:
            self._bar.leave = False
            self._bar.close()
            self._bar = None
