"""Insight benchmark: the extractive engine on a 3-hour transcript (~30,000 words).

The transcript is the corpus lecture (real YouTube captions, ~60 min) three times over
with shifted times. Reported: wall time and peak memory of `ExtractiveEngine.generate`,
next to the time to only split and clean the sentences (the floor any engine pays).

    .venv/bin/python bench/insights.py
"""

from __future__ import annotations

import resource
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop.core.importers import load_transcript  # noqa: E402
from desktop.core.insights.engine import InsightInput  # noqa: E402
from desktop.core.insights.extractive import ExtractiveEngine  # noqa: E402
from desktop.core.insights.extractive.clean import clean_sentence  # noqa: E402
from desktop.core.insights.extractive.sentences import split_sentences  # noqa: E402

LECTURE = ROOT / "tests" / "data" / "importers" / "9EN_HoEk3KY.vtt"


def three_hours():
    once = load_transcript(LECTURE).segments
    span = once[-1].end + 5.0
    return [
        replace(s, start=s.start + k * span, end=s.end + k * span) for k in range(3) for s in once
    ]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    segments = three_hours()
    words = sum(len(s.text.split()) for s in segments)
    hours = segments[-1].end / 3600
    print(f"transcript: {len(segments)} segments, {words:,} words, {hours:.1f} h")
    before = rss_mb()

    started = time.perf_counter()
    sentences = split_sentences(segments)
    [clean_sentence(s.text) for s in sentences]
    floor = time.perf_counter() - started

    started = time.perf_counter()
    insights = ExtractiveEngine().generate(InsightInput("Lecture x3", segments))
    wall = time.perf_counter() - started
    peak = rss_mb()
    print(f"{len(sentences)} sentences")
    print("| step | time | peak RSS |")
    print("|---|---|---|")
    print(f"| split + clean sentences (floor) | {floor:.2f} s | |")
    print(
        f"| ExtractiveEngine.generate | {wall:.2f} s ({wall / floor:.0f}x floor) "
        f"| {peak:.0f} MB ({peak - before:+.0f} MB over the loaded process) |"
    )
    print(
        f"items: {len(insights.key_insights)} insights, {len(insights.qa)} Q&A, "
        f"{len(insights.takeaways)} takeaways"
    )


if __name__ == "__main__":
    main()
