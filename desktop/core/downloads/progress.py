"""Progress reports: throttled, with a speed measured over the last few seconds."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

# A front end redraws on each report; more than ~10 a second only costs CPU.
MIN_INTERVAL = 0.1
# Speed over a sliding window: long enough to smooth bursts, short enough to follow a
# network that slows down (the whole-run average would hide that for minutes).
WINDOW = 3.0
_SAMPLE_STEP = 0.05


@dataclass(frozen=True, slots=True)
class DownloadProgress:
    """One report about a running download."""

    done: int  # bytes on disk so far (including a resumed partial)
    total: int | None  # expected size when known
    speed: float  # bytes/s over the last few seconds of THIS run (not the resumed part)
    seconds_left: float | None  # None until a speed is known or when total is unknown
    resumed_from: int  # bytes that were already there when this run started


class ProgressMeter:
    """Turns "bytes so far" into throttled DownloadProgress reports.

    Speed is counted on the bytes received in this run only, so a resumed 4 GB partial
    does not look like an instant 4 GB of download.
    """

    def __init__(
        self,
        report: Callable[[DownloadProgress], None] | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._report = report
        self._clock = clock
        self._received = 0  # bytes received in this run (across reconnects)
        self._samples: deque[tuple[float, int]] = deque()
        self._last_report = float("-inf")
        self.resumed_from = 0
        self.total: int | None = None

    def received(self, count: int) -> None:
        """Count `count` new bytes from the network (not resumed ones)."""
        self._received += count

    def update(self, done: int, *, final: bool = False) -> None:
        """Report `done` bytes on disk, unless a report went out less than MIN_INTERVAL
        ago (the final report always goes out)."""
        now = self._clock()
        self._sample(now)
        if self._report is None:
            return
        if not final and now - self._last_report < MIN_INTERVAL:
            return
        self._last_report = now
        speed = self.speed()
        left: float | None = None
        if self.total is not None and speed > 0:
            left = max(0, self.total - done) / speed
        self._report(DownloadProgress(done, self.total, speed, left, self.resumed_from))

    def _sample(self, now: float) -> None:
        if len(self._samples) > 1 and now - self._samples[-2][0] < _SAMPLE_STEP:
            # Thousands of chunks a second: move the newest sample instead of adding one.
            self._samples[-1] = (now, self._received)
        else:
            self._samples.append((now, self._received))
        # Keep one sample older than the window as the baseline of the measurement.
        while len(self._samples) > 2 and now - self._samples[1][0] >= WINDOW:
            self._samples.popleft()

    def speed(self) -> float:
        """Bytes/s over the window; 0.0 until two samples are apart in time."""
        if len(self._samples) < 2:
            return 0.0
        (t0, b0), (t1, b1) = self._samples[0], self._samples[-1]
        return (b1 - b0) / (t1 - t0) if t1 > t0 else 0.0

    def start(self) -> None:
        """Mark the start of this run, so the first chunk already yields a speed."""
        self._samples.append((self._clock(), self._received))
