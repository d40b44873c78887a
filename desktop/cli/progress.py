"""Progress on an interactive stderr for work measured as a fraction (insights, downloads).

A tqdm bar with the time left; silent when stderr is not a terminal (logs, --json), so
scripts see only the result. Transcription has its own bar (transcribing.py), which
counts seconds of audio.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop.core.downloads import DownloadProgress
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


def fetch_with_bar(
    name: str,
    enabled: bool,
    fetch: Callable[[Callable[[DownloadProgress], None]], Path],
    resume: str,
) -> Path:
    """Run a model download (`fetch(progress)`) with a bar of MB, speed and time left;
    Ctrl+C keeps what came and says which command (`resume`) picks it up again."""
    bar = FractionBar(enabled, f"Downloading {name}")

    def progress(update: DownloadProgress) -> None:
        if update.total:
            done = f"{update.done / 1e6:.0f}/{update.total / 1e6:.0f} MB"
            speed = f"{update.speed / 1e6:.1f} MB/s" if update.speed else ""
            detail = ", ".join(p for p in (done, speed) if p)
            bar.update(update.done / update.total, detail, update.seconds_left)

    try:
        return fetch(progress)
    except KeyboardInterrupt:
        bar.close()
        print(f"earmark: stopped; what was downloaded is kept: '{resume}' resumes it",
              file=sys.stderr)  # fmt: skip
        raise
    finally:
        bar.close()
