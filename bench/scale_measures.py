"""The in-process measures of bench/scale.py (search, export, insights) and its table."""

from __future__ import annotations

import random
import re
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from desktop.core.importers import load_transcript
from desktop.core.search import search
from desktop.core.store import Library
from desktop.services.exporting import export_to_path

# (measure, value, unit, baseline name, baseline value); a (p50, p95) pair for searches
Value = float | tuple[float, float]
Row = tuple[str, Value, str, str, Value]

# What a person would look for in the corpus: its topics, names and phrases.
TOPICS = [
    "ethereum", "swarm", "javascript", "bitcoin", "devcon", "meta learning", "self play",
    "open source", "reinforcement learning", '"yellow paper"', "node", "gavin", "hyperterm",
    "neural network", "startup", "london", "robot", "evolution", "gradient", "react",
]  # fmt: skip
EXPORT_FORMATS = ("md", "srt", "vtt", "txt", "json")


def search_rows(db: Path, label: str, episode_id: int, n: int, notes: list[str]) -> list[Row]:
    """core.search p50/p95 per kind of query, library-wide and within one episode, beside
    a LIKE scan of the same words (fewer of them on a big library: each reads every row)."""
    with Library.open(db) as library:
        conn = library.conn
        kinds = query_kinds(conn, n)
        segments = conn.execute("SELECT count(*) FROM segments").fetchone()[0]
        scans = n if segments < 100_000 else 3
        rows: list[Row] = []
        for kind, queries in kinds.items():
            ours = timed(lambda q: search(conn, q, limit=50), queries)
            scan = timed(lambda q: like(conn, q, None), queries[:scans])
            rows.append((f"search {label}, {kind} (p50 / p95)", ours, "ms", "LIKE scan", scan))
        for kind in ("word", "two words"):
            queries = kinds[kind]
            ours = timed(lambda q: search(conn, q, episode_id, limit=50), queries)
            scan = timed(lambda q: like(conn, q, episode_id), queries[:scans])
            rows.append((f"search within episode #{episode_id}, {kind}", ours, "ms",
                         "LIKE scan, same episode", scan))  # fmt: skip
    notes.append(
        f"search {label}: {segments:,} segments; {n} queries per kind ({scans} LIKE scans); "
        f"e.g. {', '.join(kinds['word'][:4])}; {', '.join(kinds['phrase'][:2])}"
    )
    return rows


def query_kinds(conn, n: int) -> dict[str, list[str]]:
    """Queries drawn from the library's own text, so every kind finds something."""
    rng = random.Random(11)
    top = conn.execute("SELECT max(id) FROM segments").fetchone()[0]
    texts = []
    while len(texts) < 4 * n:
        row = conn.execute("SELECT text FROM segments WHERE id = ?", (rng.randint(1, top),))
        if (found := row.fetchone()) is not None:
            texts.append(found[0])
    tokens = [re.findall(r"[A-Za-z]+", t.lower()) for t in texts]
    counts = Counter(w for ws in tokens for w in ws)
    content = [w for w, c in counts.items() if len(w) >= 5]
    rng.shuffle(content)
    common = [w for w, _ in counts.most_common(10)]
    phrases = []
    for ws in tokens:
        if len(ws) > 3 and len(phrases) < n:
            i = rng.randrange(len(ws) - 1)
            phrases.append(f'"{ws[i]} {ws[i + 1]}"')
    words = content[:n]
    kinds = {
        "word": words,
        "phrase": phrases,
        "prefix (3 letters)": [w[:3] for w in content[n : 2 * n]],
        "two words": [f"{a} {b}" for a, b in zip(words, content[2 * n : 3 * n], strict=False)],
        "commonest words": [common[i % len(common)] for i in range(min(n, 20))],
    }
    if any(t in counts for t in ("ethereum", "swarm", "learning")):
        kinds["topics"] = TOPICS
    return kinds


def like(conn, query: str, episode_id: int | None) -> list:
    """The scan a library without an index would do: every term as `text LIKE '%term%'`."""
    terms = [query.strip('"')] if query.startswith('"') else query.split()
    clause = " AND ".join("text LIKE ?" for _ in terms)
    params: list[object] = [f"%{t}%" for t in terms]
    if episode_id is not None:
        clause += " AND episode_id = ?"
        params.append(episode_id)
    sql = f'SELECT episode_id, idx, start, "end", text FROM segments WHERE {clause}'
    return conn.execute(sql, params).fetchall()


def timed(run: Callable[[str], object], queries: list[str]) -> tuple[float, float]:
    samples = []
    for query in queries:
        began = time.perf_counter()
        run(query)
        samples.append(time.perf_counter() - began)
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def export_rows(db: Path, episode_id: int, hours: str, notes: list[str]) -> list[Row]:
    """Each format written (best of 3) and imported again: its cues, or words for Markdown,
    which joins a speaker's segments into paragraphs, must all come back."""
    rows: list[Row] = []
    checks = []
    with Library.open(db) as library, tempfile.TemporaryDirectory() as tmp:
        read = best(lambda: library.document(episode_id))
        doc = library.document(episode_id)
        words = sum(len(s.text.split()) for s in doc.segments)
        for fmt in EXPORT_FORMATS:
            out = Path(tmp) / f"episode.{fmt}"
            took = best(lambda fmt=fmt, out=out: export_to_path(library, episode_id, fmt, out,
                                                                overwrite=True))  # fmt: skip
            kib = out.stat().st_size / 1024
            rows.append((f"export the {hours} episode as {fmt} ({kib:,.0f} KiB)", took, "s",
                         "read the episode (document)", read))  # fmt: skip
            back = load_transcript(out).segments
            if fmt == "md":
                got, want = sum(len(s.text.split()) for s in back), words
                checks.append(f"md {got:,}/{want:,} words {'ok' if got == want else 'MISMATCH'}")
            else:
                got, want = len(back), len(doc.segments)
                checks.append(f"{fmt} {got:,}/{want:,} cues {'ok' if got == want else 'MISMATCH'}")
    notes.append("export round trip (re-imported): " + "; ".join(checks))
    return rows


def best(run: Callable[[], object], repeat: int = 3) -> float:
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        samples.append(time.perf_counter() - began)
    return min(samples)


def insights_rows(probes: list[dict], hours: str, notes: list[str]) -> list[Row]:
    rows: list[Row] = []
    for n, p in enumerate(probes):
        what = ("captions", "Markdown")[n] if len(probes) == 2 else str(n)
        rows.append((f"insights, extractive, {hours} {what} ({p['sentences']:,} sentences)",
                     p["seconds"], "s", "split + clean sentences", p["floor"]))  # fmt: skip
        rows.append(("peak RSS making them (MB)", p["peak"], "MB", "episode loaded", p["loaded"]))
        notes.append(
            f"insights {what}: {p['key']} key insights, {p['qa']} Q&A, {p['takeaways']} "
            f"takeaways, summary {p['summary']} words"
        )
    return rows


def print_table(rows: list[Row], notes: list[str]) -> str:
    lines = [
        "| measure | Earmark | baseline (same run) | baseline | ratio |",
        "|---|---:|---|---:|---:|",
    ]
    for name, value, unit, base_name, base in rows:
        first = value[0] if isinstance(value, tuple) else value
        base_first = base[0] if isinstance(base, tuple) else base
        ratio = f"{first / base_first:.2f}x" if base_first else ""
        lines.append(
            f"| {name} | {fmt(value, unit)} | {base_name} | "
            f"{fmt(base, unit) if base_first else ''} | {ratio} |"
        )
    lines += ["", *(f"- {note}" for note in notes)]
    text = "\n".join(lines)
    print(text, flush=True)
    return text


def fmt(value: Value, unit: str) -> str:
    if isinstance(value, tuple):
        return " / ".join(f"{v:.1f}" if v < 100 else f"{v:.0f}" for v in value) + f" {unit}"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
