"""README promise of `earmark search` on very common words, through the real CLI.

"For a word so common that it matches more than 2,000 segments, Earmark ranks the 2,000
newest matches in Python instead of scoring the whole library"; below that, FTS5 ranks
every match exactly. Seen in the results (the best match, made the oldest, is found and
first in an episode at the cap, and is not among the results one match above it) and in
the statements SQLite runs (FTS5's bm25 `rank` only at the cap).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.core.search import RANK_CAP
from desktop.core.search import search as core_search
from desktop.core.store import Library


def srt(path: Path, matches: int) -> Path:
    """`matches` cues with the word "echo" once among other words, the first (oldest)
    with nothing but "echo": the best match by any ranking."""
    cues = []
    for i in range(matches):
        text = "echo echo echo" if i == 0 else f"echo from line {i} of a long list of lines"
        cues.append(f"{i + 1}\n{clock(2 * i)} --> {clock(2 * i + 1.5)}\n{text}\n")
    path.write_text("\n".join(cues), encoding="utf-8")
    return path


def clock(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def search(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[list[dict], bool]:
    """The CLI's hits for "echo" in the episode imported from `path`, and whether FTS5
    scored them (bm25's `rank` in a statement SQLite ran for the same search)."""
    assert main(["import", str(path), "--json"]) == 0
    episode = json.loads(capsys.readouterr().out)["episodes"][0]["id"]
    limit = RANK_CAP + 10
    argv = ["search", "echo", "--episode", str(episode), "--limit", str(limit), "--json"]
    assert main(argv) == 0
    hits = json.loads(capsys.readouterr().out)
    statements: list[str] = []
    with Library.open() as library:
        library.conn.set_trace_callback(statements.append)
        again = core_search(library.conn, "echo", episode_id=episode, limit=limit)
    assert [h.segment_idx for h in again] == [h["segment_idx"] for h in hits]
    return hits, any("segments_fts.rank" in sql for sql in statements)


def test_ranking_is_capped_only_above_the_default_cap(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    at_cap, scored_by_fts5 = search(capsys, srt(tmp_path / "at-cap.srt", RANK_CAP))
    assert scored_by_fts5
    assert len(at_cap) == RANK_CAP
    assert (at_cap[0]["segment_idx"], at_cap[0]["text"]) == (0, "echo echo echo")

    above, scored_by_fts5 = search(capsys, srt(tmp_path / "above-cap.srt", RANK_CAP + 1))
    assert not scored_by_fts5
    assert len(above) == RANK_CAP  # the newest 2,000 of 2,001 matches were ranked
    assert 0 not in {hit["segment_idx"] for hit in above}
    assert {hit["segment_idx"] for hit in above} == set(range(1, RANK_CAP + 1))
