"""Made chapters against real ones: how many of a transcript's real chapter starts have a
made chapter start within 60 s, for Earmark's cuts and for a baseline of evenly spaced
cuts of the same number and random cuts of the same number (mean of 20 seeds), in the same
run. The real chapters are hidden from the maker.

Files: every transcript in ../shared/corpus/transcripts/interviews that has chapters, and
the NASA sample as Earmark's own tiny.en transcribed it (tests/data/insights; no real
chapters: its made ones are listed).

    .venv/bin/python bench/chapters.py
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop.core.chapters.made import even_chapters, make_chapters  # noqa: E402
from desktop.core.importers import load_transcript  # noqa: E402
from desktop.core.model import Chapter  # noqa: E402
from desktop.core.timecode import short  # noqa: E402

INTERVIEWS = ROOT.parent / "shared" / "corpus" / "transcripts" / "interviews"
NASA = ROOT / "tests" / "data" / "insights" / "nasa-hwhap414-tiny-en.json"
TOLERANCE = 60.0


def found(real: list[Chapter], made: list[Chapter]) -> int:
    """Real chapter starts with a made start within TOLERANCE seconds."""
    return sum(any(abs(r.start - m.start) <= TOLERANCE for m in made) for r in real)


def random_found(real: list[Chapter], segments: list, count: int, seeds: int = 20) -> float:
    """Mean hits of `count` chapters starting at random segments (the first at the start)."""
    total = 0
    for seed in range(seeds):
        picked = random.Random(seed).sample(segments[1:], count - 1)
        total += found(real, [Chapter(s.start, "") for s in [segments[0], *picked]])
    return total / seeds


def main() -> None:
    print(
        f"| transcript | real chapters | made | within {TOLERANCE:.0f} s: made | even cuts "
        "| random cuts | time |"
    )
    print("|---|---|---|---|---|---|---|")
    for path in sorted(INTERVIEWS.glob("*.md")):
        transcript = load_transcript(path)
        real = transcript.chapters
        if not real:
            print(f"| {path.stem} | none to compare | | | | | |")
            continue
        began = time.perf_counter()
        made = make_chapters(transcript.segments)
        seconds = time.perf_counter() - began
        even = even_chapters(transcript.segments, len(made))
        n = len(real)
        chance = random_found(real, transcript.segments, len(made))
        print(
            f"| {path.stem} | {n} | {len(made)} | {found(real, made)}/{n} "
            f"({found(real, made) / n:.0%}) | {found(real, even)}/{n} "
            f"({found(real, even) / n:.0%}) | {chance:.1f}/{n} | {seconds:.1f} s |"
        )
    nasa = load_transcript(NASA)
    made = make_chapters(nasa.segments)
    print(f"\nNASA sample (tiny.en, {short(nasa.duration)}): {len(made)} made chapters")
    ends = [c.start for c in made[1:]] + [nasa.duration]
    for chapter, end in zip(made, ends, strict=True):
        print(f"  {short(chapter.start):>6}  {short(end - chapter.start):>5}  {chapter.title}")


if __name__ == "__main__":
    main()
