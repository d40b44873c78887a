"""Library search in the window: keystroke to results shown, and an edit to being found.

On bench/search.py's library (1,000 episodes x 1,500 segments, built once and cached in
bench/.cache), the real SearchPane (offscreen) is given each prefix of 40 two-word
queries as a user types them; for each, the time from the keystroke to its results in the
list is measured (the pane's pause before searching included). The baseline is the same
query through core.search directly, in the same run. Then 30 corrections: the time from
`edit_segment` to a search finding the new word, against a search for a word already there.

    .venv/bin/python bench/ui_search.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from search import build_library, make_vocabulary  # noqa: E402 (bench/search.py)

from desktop.core.search import search  # noqa: E402
from desktop.core.store import Library  # noqa: E402
from desktop.services.editing import edit_segment  # noqa: E402

EPISODES, SEGMENTS = 1000, 1500


def library_path() -> tuple[Path, list[str]]:
    vocab = make_vocabulary(random.Random(42))
    cache = ROOT / "bench" / ".cache"
    cache.mkdir(exist_ok=True)
    path = cache / f"search-{EPISODES}x{SEGMENTS}.sqlite3"
    if not path.exists():
        partial = path.with_suffix(".partial")
        build_library(partial, EPISODES, SEGMENTS, vocab)
        partial.rename(path)
    return path, vocab


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def keystrokes(path: Path, queries: list[str]) -> tuple[list[float], list[float]]:
    from PySide6.QtWidgets import QApplication

    from desktop.ui.search.pane import SearchPane

    app = QApplication.instance() or QApplication([])
    pane = SearchPane(path)
    pane.show()
    shown: list[float] = []
    direct: list[float] = []
    with Library.open(path) as library:
        for query in queries:
            for end in range(2, len(query) + 1):
                prefix = query[:end]
                if prefix.endswith(" "):
                    continue
                began = time.perf_counter()
                pane.edit.setText(prefix)  # what a keystroke does
                while not pane.idle():
                    app.processEvents()
                    time.sleep(0.001)
                shown.append(time.perf_counter() - began)
                began = time.perf_counter()
                search(library.conn, prefix, limit=200, min_prefix=3)  # as the pane asks
                direct.append(time.perf_counter() - began)
    return shown, direct


def edits(path: Path, vocab: list[str], rng: random.Random) -> tuple[list[float], list[float]]:
    found: list[float] = []
    baseline: list[float] = []
    with Library.open(path) as library:
        for n in range(30):
            episode = rng.randrange(1, EPISODES + 1)
            idx = rng.randrange(SEGMENTS)
            word = f"zqcorrection{n}x{rng.randrange(10**6)}"
            began = time.perf_counter()
            old, _ = edit_segment(library, episode, idx, f"{word} {vocab[100]}")
            hits = search(library.conn, word)
            found.append(time.perf_counter() - began)
            assert hits and hits[0].episode_id == episode, "the edit is found"
            began = time.perf_counter()
            search(library.conn, vocab[rng.randrange(500, 5000)])
            baseline.append(time.perf_counter() - began)
            edit_segment(library, episode, idx, old.text)  # leave the cached library as built
    return found, baseline


def main() -> int:
    path, vocab = library_path()
    rng = random.Random(9)
    queries = [
        f"{vocab[round(10 ** rng.uniform(2.2, 4.3))]} {vocab[round(10 ** rng.uniform(2.2, 4.3))]}"
        for _ in range(40)
    ]
    shown, direct = keystrokes(path, queries)
    found, baseline = edits(path, vocab, rng)
    print(f"library: {EPISODES} x {SEGMENTS} segments; {len(shown)} keystrokes, {len(found)} edits")
    print("| measure | p50 | p95 | baseline (same run) | p50 | p95 |")
    print("|---|---:|---:|---|---:|---:|")
    rows = (
        ("keystroke to results shown", shown, "core.search alone", direct),
        ("edit to found by search", found, "a search alone", baseline),
    )
    for name, values, base_name, base in rows:
        print(
            f"| {name} | {pct(values, 0.5) * 1000:.1f} ms | {pct(values, 0.95) * 1000:.1f} ms "
            f"| {base_name} | {pct(base, 0.5) * 1000:.1f} ms | {pct(base, 0.95) * 1000:.1f} ms |"
        )
    print(f"mean keystroke {statistics.mean(shown) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
