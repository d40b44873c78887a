"""Insight recall on real transcripts: do the TL;DR and Key Insights say what the episode covered?

For every transcript that a hand-written reference names (tests/data/insights/references),
and any transcript given on the command line with a reference beside it
(<stem>.references.json), runs an engine and prints a Markdown table: the engine's recall
of the reference's key points, a random baseline of transcript sentences in the same shape
(mean and max over 10 seeds), the margin between them, two negative controls (least central
sentences, sentences of another episode) and the positive control (the reference labels).
tests/insight_recall.py defines the measure; `-v` prints each payload and the points it
misses.

    .venv/bin/python bench/insights_recall.py [-v] [--engine extractive] [PATH ...]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop.core.insights.engine import InsightInput  # noqa: E402
from desktop.core.insights.payload import Insights  # noqa: E402
from tests import insight_recall as measure  # noqa: E402

Engine = Callable[[measure.Source], Insights]


def extractive(source: measure.Source) -> Insights:
    from desktop.core.insights.extractive import ExtractiveEngine

    return ExtractiveEngine().generate(InsightInput(source.title, source.segments, source.chapters))


# Another engine (an LLM server, a stored payload) is one more function from a source to
# its Insights payload; everything after generation is measure.score(reference, payload, ...).
ENGINES: dict[str, Engine] = {"extractive": extractive}


@dataclass
class Case:
    path: Path
    reference: measure.Reference
    source: measure.Source
    sentences: list[str]


def default_paths() -> list[Path]:
    """Every transcript a reference in tests/data/insights/references names, if present."""
    paths = []
    for reference in measure.all_references():
        paths += [ROOT / p for p in reference.applies_to if (ROOT / p).exists()]
    return paths


def load_case(path: Path) -> Case | None:
    reference = measure.reference_for(path)
    if reference is None:
        print(
            f"skipped {path}: no reference (write {path.stem}{measure.REFERENCE_SUFFIX})",
            file=sys.stderr,
        )
        return None
    source = measure.load_source(path)
    return Case(path, reference, source, measure.transcript_sentences(source.segments))


def other_episodes(case: Case, cases: list[Case]) -> list[list[str]]:
    """Sentences of one transcript of each other episode."""
    seen: dict[str, list[str]] = {}
    for other in cases:
        if other.reference.episode != case.reference.episode:
            seen.setdefault(other.reference.episode, other.sentences)
    return list(seen.values())


def display(path: Path) -> str:
    for base in (ROOT, ROOT.parent):
        if path.resolve().is_relative_to(base):
            return str(path.resolve().relative_to(base))
    return str(path)


COLUMNS = (
    "file",
    "engine recall",
    "random mean",
    "random max",
    "margin (engine − random mean)",
    "least-central",
    "other-episode",
    "positive",
    "summary alone",
)


def row(case: Case, s: measure.Scores) -> list[str]:
    return [
        display(case.path),
        f"{s.engine:.2f}",
        f"{s.random_mean:.2f}",
        f"{s.random_max:.2f}",
        f"{s.margin:+.2f}",
        f"{s.least_central:.2f}",
        f"{s.other_episode:.2f}",
        f"{s.positive:.2f}",
        f"{s.summary:.2f}",
    ]


def show(case: Case, insights: Insights, s: measure.Scores) -> None:
    print(f"\n### {display(case.path)} (reference: {case.reference.name})")
    for item in measure.engine_items(insights):
        print(f"  - {item}")
    for label in s.missed:
        print(f"  !! missed: {label}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="more transcripts (with references)")
    parser.add_argument("--engine", choices=sorted(ENGINES), default="extractive")
    parser.add_argument("-v", "--verbose", action="store_true", help="print payloads and misses")
    args = parser.parse_args()
    cases = [c for p in default_paths() + args.paths if (c := load_case(p)) is not None]
    table = []
    for case in cases:
        insights = ENGINES[args.engine](case.source)
        scores = measure.score(
            case.reference, insights, case.sentences, other_episodes(case, cases)
        )
        if args.verbose:
            show(case, insights, scores)
        table.append(row(case, scores))
    print(f"\nengine: {args.engine}\n")
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for cells in table:
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
