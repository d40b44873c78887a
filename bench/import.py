"""Import benchmark: a 2,000-cue WebVTT file, parsed and stored, vs reading it bare.

The bare baseline (read the bytes, decode, find every timing line with one regex) is the
floor any parser pays; the ratio shows what cleaning, normalising and storing add.

    .venv/bin/python bench/import.py [--cues 2000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop.core.importers import load_transcript  # noqa: E402
from desktop.core.store import Library  # noqa: E402
from desktop.services.importing import import_transcript  # noqa: E402

CORPUS_VTT = ROOT / "tests" / "data" / "importers" / "9EN_HoEk3KY.vtt"
_CUE = re.compile(r"(\d\d:\d\d:\d\d\.\d{3}) --> (\d\d:\d\d:\d\d\.\d{3})\r?\n((?:.+\r?\n?)+)")
_TIMING = re.compile(r"^\S+ --> \S+", re.MULTILINE)


def stamp(seconds: float) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{int(h):02d}:{int(m):02d}:{s:06.3f}"


def seconds(clock: str) -> float:
    h, m, s = clock.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def make_vtt(path: Path, cues: int) -> None:
    """Real caption cues (CRLF, voice tags) repeated with shifted times up to `cues` cues."""
    source = _CUE.findall(CORPUS_VTT.read_text(encoding="utf-8"))
    span = seconds(source[-1][1]) + 1.0
    out = ["WEBVTT", ""]
    for n in range(cues):
        start, end, body = source[n % len(source)]
        shift = span * (n // len(source))
        out += [str(n + 1), f"{stamp(seconds(start) + shift)} --> {stamp(seconds(end) + shift)}"]
        out += [body.rstrip("\r\n"), ""]
    path.write_text("\r\n".join(out), encoding="utf-8", newline="")


def best_of(repeat: int, run) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return min(samples) * 1000, statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cues", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        vtt = Path(tmp) / "captions.vtt"
        make_vtt(vtt, args.cues)
        size_kb = vtt.stat().st_size / 1024

        def bare() -> None:
            _TIMING.findall(vtt.read_bytes().decode("utf-8"))

        def parse() -> None:
            load_transcript(vtt)

        counter = iter(range(10**6))

        def full() -> None:
            # A fresh library each time: a re-import of the same bytes would be a no-op.
            with Library.open(Path(tmp) / f"lib{next(counter)}.sqlite3") as library:
                import_transcript(library, vtt)

        segments = len(load_transcript(vtt).segments)
        print(f"{args.cues}-cue WebVTT, {size_kb:.0f} KiB -> {segments} segments")
        print(f"{'step':<34} {'best':>8} {'median':>8} {'x bare':>7}")
        _, base_median = best_of(args.repeat, bare)
        for name, run in (
            ("bare read + timing regex", bare),
            ("load_transcript (parse)", parse),
            ("import into a new library", full),
        ):
            b, m = best_of(args.repeat, run)
            print(f"{name:<34} {b:7.1f}ms {m:7.1f}ms {m / base_median:6.1f}x")


if __name__ == "__main__":
    main()
