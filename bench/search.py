"""Search benchmark: FTS5 through Earmark's query builder vs a LIKE scan, same run.

Builds (and caches under bench/.cache) a synthetic library of EPISODES x SEGMENTS segments
with a Zipf-distributed vocabulary, then times single-word, phrase, prefix and two-word
queries with snippets, and the same words as `LIKE '%word%'` scans.

    .venv/bin/python bench/search.py                   # 1,000 x 1,500 (~15M words)
    .venv/bin/python bench/search.py --episodes 50     # quick look
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop.core.model import EpisodeSource, EpisodeStatus, Segment
from desktop.core.search import search
from desktop.core.store import Library

VOCABULARY = 50_000
WORDS_PER_SEGMENT = 10
ZIPF_EXPONENT = 1.07


def make_vocabulary(rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < VOCABULARY:
        length = max(2, min(12, int(rng.gauss(6, 2))))
        words.add("".join(rng.choices(string.ascii_lowercase, k=length)))
    return sorted(words, key=lambda w: (len(w), w))  # short words are the common ones


def build_library(path: Path, episodes: int, segments: int, vocab: list[str]) -> None:
    weights = 1.0 / np.arange(1, len(vocab) + 1) ** ZIPF_EXPONENT
    weights /= weights.sum()
    gen = np.random.default_rng(7)
    vocab_array = np.array(vocab)
    started = time.perf_counter()
    with Library.open(path) as library:
        for n in range(episodes):
            tokens = vocab_array[gen.choice(len(vocab), (segments, WORDS_PER_SEGMENT), p=weights)]
            episode = library.create_episode(
                f"Episode {n + 1}", EpisodeSource.IMPORTED, EpisodeStatus.DONE
            )
            library.append_segments(
                episode.id,
                (Segment(i * 4.0, i * 4.0 + 3.8, " ".join(row)) for i, row in enumerate(tokens)),
            )
            if (n + 1) % 100 == 0:
                print(f"  built {n + 1}/{episodes} episodes", file=sys.stderr)
        library.conn.execute("INSERT INTO segments_fts (segments_fts) VALUES ('optimize')")
    print(f"built library in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def timed(run: Callable[[str], object], queries: list[str]) -> list[float]:
    samples = []
    for query in queries:
        started = time.perf_counter()
        run(query)
        samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--segments", type=int, default=1500)
    parser.add_argument("--queries", type=int, default=100, help="FTS queries per kind")
    parser.add_argument("--exact-queries", type=int, default=30, help="exact-bm25 queries per kind")
    parser.add_argument("--like-queries", type=int, default=5, help="LIKE scans per kind")
    args = parser.parse_args()

    rng = random.Random(42)
    vocab = make_vocabulary(rng)
    cache = Path(__file__).parent / ".cache"
    cache.mkdir(exist_ok=True)
    path = cache / f"search-{args.episodes}x{args.segments}.sqlite3"
    if not path.exists():
        partial = path.with_suffix(".partial")
        for stale in cache.glob(partial.name + "*"):
            stale.unlink()
        build_library(partial, args.episodes, args.segments, vocab)
        partial.rename(path)

    library = Library.open(path)
    conn = library.conn
    words = conn.execute("SELECT count(*) FROM segments").fetchone()[0] * WORDS_PER_SEGMENT
    print(f"library: {args.episodes} episodes x {args.segments} segments, {words / 1e6:.1f}M words")

    # Content words: ranks 50..20,000 log-uniformly (the ~50 most common play the part of
    # stop words); plus a separate row for the very commonest words, the worst case.
    def content_word() -> str:
        return vocab[round(10 ** rng.uniform(np.log10(50), np.log10(20_000)))]

    ids = [rng.randint(1, words // WORDS_PER_SEGMENT) for _ in range(args.queries)]
    sample_rows = [
        conn.execute("SELECT text FROM segments WHERE id = ?", (i,)).fetchone() for i in ids
    ]
    phrases = []
    for (text,) in sample_rows:
        tokens = text.split()
        i = rng.randrange(len(tokens) - 1)
        phrases.append(f'"{tokens[i]} {tokens[i + 1]}"')
    kinds = {
        "single word": [content_word() for _ in range(args.queries)],
        "phrase": phrases,
        "prefix (3 letters)": [content_word()[:3] for _ in range(args.queries)],
        "two words": [f"{content_word()} {content_word()}" for _ in range(args.queries)],
        "top-10 common word": [vocab[rng.randrange(10)] for _ in range(args.queries)],
    }

    def fts(query: str) -> object:
        return search(conn, query, limit=20)

    def fts_exact(query: str) -> object:
        return search(conn, query, limit=20, rank_cap=None)

    def like(query: str) -> object:
        terms = [t.strip('"') for t in query.split()]
        clause = " AND ".join("text LIKE ?" for _ in terms)
        if query.startswith('"'):
            terms, clause = [query.strip('"')], "text LIKE ?"
        return conn.execute(
            f'SELECT episode_id, idx, start, "end", text FROM segments WHERE {clause}',
            [f"%{t}%" for t in terms],
        ).fetchall()

    print("Earmark = search() as shipped; exact = bm25 over every match (rank_cap=None)")
    print(
        "| query kind | Earmark p50 | p95 | exact bm25 p50 | p95 | LIKE p50 | p95 "
        "| LIKE/Earmark p50 |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for kind, queries in kinds.items():
        ours = percentiles(timed(fts, queries))
        exact = percentiles(timed(fts_exact, queries[: args.exact_queries]))
        scan = percentiles(timed(like, queries[: args.like_queries]))
        cells = [f"{v:.1f} ms" for v in (*ours, *exact)] + [f"{v:.0f} ms" for v in scan]
        print(f"| {kind} | " + " | ".join(cells) + f" | {scan[0] / ours[0]:.0f}x |")
    library.close()


if __name__ == "__main__":
    main()
