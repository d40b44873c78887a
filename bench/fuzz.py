"""Fuzz benchmark: every fuzz target of tests/reliability with 10,000 examples each.

The suite runs a few hundred examples per target; this runs the same checks
(tests/reliability/fuzz_targets.py, fuzz_roundtrip.py) on the same strategies, much longer.
A failing example is recorded and fuzzing goes on, so one run counts every failure; each
distinct error (exception type and the line that raised it) is shown with the smallest
input that raised it. No example database: every run explores afresh.

    .venv/bin/python bench/fuzz.py                            # every target, 10,000 each
    .venv/bin/python bench/fuzz.py --examples 300             # quick look
    .venv/bin/python bench/fuzz.py --only search,roundtrip-md --seed 7

Exit status 1 when any example failed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from desktop.core.importers import FORMATS  # noqa: E402
from desktop.core.insights.extractive import ExtractiveEngine  # noqa: E402
from desktop.core.insights.llm import LLMConfig, OpenAICompatibleEngine  # noqa: E402
from desktop.core.store import Library  # noqa: E402
from tests.llm_server import ScriptedServer  # noqa: E402
from tests.reliability import fuzz_targets as T  # noqa: E402
from tests.reliability import strategies as S  # noqa: E402
from tests.reliability import strategies_insights as SI  # noqa: E402
from tests.reliability.fuzz_roundtrip import ROUND_TRIP_FORMATS, check_round_trip  # noqa: E402

Check = Callable[[Any], None]


@dataclass
class Target:
    name: str
    what: str
    # Given a folder and an ExitStack for what must be closed, the strategy and the check.
    setup: Callable[[Path, ExitStack], tuple[st.SearchStrategy[Any], Check]]


@dataclass
class Outcome:
    examples: int = 0
    failures: int = 0
    seconds: float = 0.0
    # (exception type, where it was raised) -> (smallest input's repr, message)
    errors: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)


# -- the targets --------------------------------------------------------------------------------


def _files(folder: Path, _: ExitStack) -> tuple[st.SearchStrategy[Any], Check]:
    return S.raw_files(), lambda file: T.check_load(folder, *file)


def _mutated(folder: Path, _: ExitStack) -> tuple[st.SearchStrategy[Any], Check]:
    return S.mutated_files(), lambda file: T.check_load(folder, *file)


def _text(folder: Path, _: ExitStack) -> tuple[st.SearchStrategy[Any], Check]:
    fmts = st.sampled_from([*FORMATS, None])
    return st.tuples(S.hostile_text(40, surrogates=True), fmts), lambda p: T.check_parse(*p)


def _search(folder: Path, stack: ExitStack) -> tuple[st.SearchStrategy[Any], Check]:
    library = stack.enter_context(Library.open(folder / "library.sqlite3"))
    ids = T.populate(library)
    args = st.tuples(S.queries(), st.sampled_from([None, *ids]), st.sampled_from([None, 1, 2000]))
    return args, lambda a: T.check_search(library, *a)


def _render(folder: Path, _: ExitStack) -> tuple[st.SearchStrategy[Any], Check]:
    return S.wild_documents(), T.check_render


def _round_trip(fmt: str) -> Callable[[Path, ExitStack], tuple[st.SearchStrategy[Any], Check]]:
    def setup(folder: Path, _: ExitStack) -> tuple[st.SearchStrategy[Any], Check]:
        return S.round_trip_documents(fmt), lambda doc: check_round_trip(folder, doc, fmt)

    return setup


def _extractive(folder: Path, _: ExitStack) -> tuple[st.SearchStrategy[Any], Check]:
    engine = ExtractiveEngine()
    # Small documents: the engine costs ~40 ms each (TF-IDF, TextRank, part-of-speech tags).
    return SI.insight_inputs(6), lambda case: T.generate_or_error(engine, *case)


def _llm(folder: Path, stack: ExitStack) -> tuple[st.SearchStrategy[Any], Check]:
    server = ScriptedServer()
    stack.callback(server.stop)
    engine = OpenAICompatibleEngine(LLMConfig(base_url=server.url, model="fuzz", timeout=5.0))
    source = T.llm_source()

    def check(case: Any) -> None:
        server.default, answerable = case
        T.generate_or_error(engine, source, answerable)

    return SI.llm_cases([s.text for s in source.segments]), check


def _payload(folder: Path, _: ExitStack) -> tuple[st.SearchStrategy[Any], Check]:
    return SI.stored_payloads(), T.check_payload


TARGETS = [
    Target("import-bytes", "load_transcript, arbitrary bytes in 8 encodings", _files),
    Target("import-mutated", "load_transcript, real files truncated/flipped/re-encoded", _mutated),
    Target("import-text", "parse_transcript, hostile text, every format + sniffing", _text),
    Target("search", "search() on a real library, any query, scope and cap", _search),
    Target("export-render", "every exporter, documents with any times and text", _render),
    *[
        Target(f"roundtrip-{fmt}", f"{fmt} export -> file -> import", _round_trip(fmt))
        for fmt in ROUND_TRIP_FORMATS
    ],
    Target("insights-extractive", "ExtractiveEngine on small documents", _extractive),
    Target("insights-llm", "LLM engine, any reply from a scripted HTTP server", _llm),
    Target("insights-payload", "Insights.from_dict, stored payload shapes", _payload),
]


# -- running ------------------------------------------------------------------------------------


def _where(exc: BaseException) -> str:
    """The innermost frame in Earmark's own code (desktop/, tests/) that the error passed."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if f.filename.startswith(str(ROOT))]
    frame = (ours or frames)[-1]
    return f"{os.path.relpath(frame.filename, ROOT)}:{frame.lineno}"


def run(target: Target, examples: int, seed_value: int) -> Outcome:
    outcome = Outcome()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        strategy, check = target.setup(Path(tmp), stack)

        @seed(seed_value)
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            phases=[Phase.generate],  # failures are recorded, not raised: nothing to shrink
            suppress_health_check=list(HealthCheck),
        )
        @given(strategy)
        def fuzz(example: Any) -> None:
            outcome.examples += 1
            try:
                check(example)
            except Exception as exc:  # every failure is recorded and fuzzing goes on
                outcome.failures += 1
                _record(outcome, exc, example)

        started = time.perf_counter()
        fuzz()
        outcome.seconds = time.perf_counter() - started
    return outcome


def _record(outcome: Outcome, exc: Exception, example: Any) -> None:
    key = (type(exc).__name__, _where(exc))
    shown = repr(example)
    kept = outcome.errors.get(key)
    if kept is None or len(shown) < len(kept[0]):
        outcome.errors[key] = (shown, str(exc).splitlines()[0][:200] if str(exc) else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10_000, help="examples per target")
    parser.add_argument("--only", help="comma-separated target names")
    parser.add_argument("--seed", type=int, default=0, help="hypothesis seed (reproducible runs)")
    args = parser.parse_args()
    chosen = [t for t in TARGETS if not args.only or t.name in args.only.split(",")]

    results: list[tuple[Target, Outcome]] = []
    for target in chosen:
        print(f"  fuzzing {target.name}...", file=sys.stderr, flush=True)
        results.append((target, run(target, args.examples, args.seed)))

    print(f"{args.examples:,} examples asked per target, seed {args.seed}")
    print("| target | what | examples | failures | distinct errors | time | examples/s |")
    print("|---|---|---|---|---|---|---|")
    for target, out in results:
        rate = out.examples / out.seconds if out.seconds else 0.0
        print(
            f"| {target.name} | {target.what} | {out.examples:,} | {out.failures} "
            f"| {len(out.errors)} | {out.seconds:.1f} s | {rate:.0f} |"
        )
    total = sum(out.seconds for _, out in results)
    print(f"total: {sum(o.examples for _, o in results):,} examples in {total / 60:.1f} min")
    for target, out in results:
        for (kind, where), (example, message) in out.errors.items():
            print(f"\n{target.name}: {kind} at {where}: {message}")
            print(f"  smallest input: {example[:600]}")
    sys.exit(1 if any(out.failures for _, out in results) else 0)


if __name__ == "__main__":
    main()
