"""Offline full-text search over every stored segment (SQLite FTS5).

Queries matching fewer than `rank_cap` segments are ranked exactly by FTS5's bm25. A query
matching more (a very common word) is ranked among its `rank_cap` newest matches, in
Python, so that it stays fast on a library of millions of segments; `SearchResults.capped`
says when that happened.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from desktop.core.errors import EarmarkError
from desktop.core.search.query import (
    MARK_CLOSE,
    MARK_OPEN,
    ParsedQuery,
    build_match_query,
    highlight,
    parse_query,
)
from desktop.core.search.relevance import make_snippet, rank_texts

__all__ = [
    "MARK_CLOSE",
    "MARK_OPEN",
    "RANK_CAP",
    "SearchHit",
    "build_match_query",
    "highlight",
    "parse_query",
    "search",
]

RANK_CAP = 2000

_DETAILS = """
    SELECT s.id, s.episode_id, e.title, s.idx, s.start, s."end", s.text, s.speaker
    FROM segments AS s JOIN episodes AS e ON e.id = s.episode_id
    WHERE s.id IN ({ids})
"""


@dataclass(frozen=True, slots=True)
class SearchHit:
    episode_id: int
    title: str
    segment_idx: int
    start: float
    end: float
    text: str
    speaker: str | None
    snippet: str
    rank: float  # lower is better, as FTS5's rank


def search(
    conn: sqlite3.Connection,
    text: str,
    episode_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
    snippet_tokens: int = 24,
    rank_cap: int | None = RANK_CAP,
) -> list[SearchHit]:
    """Ranked hits (best first) across the library or within one episode."""
    parsed = parse_query(text)
    if parsed is None or limit <= 0:
        return []
    offset = max(0, offset)
    lo, hi = _rowid_range(conn, episode_id)
    try:
        if rank_cap and _more_than(conn, parsed, lo, hi, rank_cap):
            return _capped(
                conn, parsed, episode_id, lo, hi, limit, offset, snippet_tokens, rank_cap
            )
        return _exact(conn, parsed, episode_id, lo, hi, limit, offset, snippet_tokens)
    except sqlite3.OperationalError as exc:  # pragma: no cover - the parser prevents this
        raise EarmarkError(f"search for {text!r} failed: {exc}") from exc


def _rowid_range(conn: sqlite3.Connection, episode_id: int | None) -> tuple[int, int]:
    """Segment ids of one episode lie in a narrow range; FTS5 seeks by rowid cheaply."""
    if episode_id is None:
        return 0, 2**63 - 1
    lo, hi = conn.execute(
        "SELECT min(id), max(id) FROM segments WHERE episode_id = ?", (episode_id,)
    ).fetchone()
    return (lo, hi) if lo is not None else (1, 0)


def _more_than(conn: sqlite3.Connection, q: ParsedQuery, lo: int, hi: int, cap: int) -> bool:
    row = conn.execute(
        "SELECT rowid FROM segments_fts WHERE segments_fts MATCH ? AND rowid BETWEEN ? AND ? "
        "ORDER BY rowid DESC LIMIT 1 OFFSET ?",
        (q.match, lo, hi, cap),
    ).fetchone()
    return row is not None


def _exact(
    conn: sqlite3.Connection,
    q: ParsedQuery,
    episode_id: int | None,
    lo: int,
    hi: int,
    limit: int,
    offset: int,
    snippet_tokens: int,
) -> list[SearchHit]:
    episode_clause = "AND s.episode_id = ?" if episode_id is not None else ""
    params: list[object] = [MARK_OPEN, MARK_CLOSE, snippet_tokens, q.match, lo, hi]
    if episode_id is not None:
        params.append(episode_id)
    rows = conn.execute(
        f"""
        SELECT s.episode_id, e.title, s.idx, s.start, s."end", s.text, s.speaker,
               snippet(segments_fts, 0, ?, ?, '…', ?), segments_fts.rank
        FROM segments_fts
        JOIN segments AS s ON s.id = segments_fts.rowid
        JOIN episodes AS e ON e.id = s.episode_id
        WHERE segments_fts MATCH ? AND segments_fts.rowid BETWEEN ? AND ? {episode_clause}
        ORDER BY segments_fts.rank
        LIMIT ? OFFSET ?
        """,
        [*params, limit, offset],
    ).fetchall()
    return [SearchHit(*row) for row in rows]


def _capped(
    conn: sqlite3.Connection,
    q: ParsedQuery,
    episode_id: int | None,
    lo: int,
    hi: int,
    limit: int,
    offset: int,
    snippet_tokens: int,
    cap: int,
) -> list[SearchHit]:
    episode_clause = "AND s.episode_id = ?" if episode_id is not None else ""
    params: list[object] = [q.match, lo, hi]
    if episode_id is not None:
        params.append(episode_id)
    candidates = conn.execute(
        f"""
        SELECT s.id, s.text FROM segments AS s
        WHERE s.id IN (
            SELECT rowid FROM segments_fts
            WHERE segments_fts MATCH ? AND rowid BETWEEN ? AND ?
            ORDER BY rowid DESC LIMIT {int(cap)}
        ) {episode_clause}
        """,
        params,
    ).fetchall()
    ranked = rank_texts([(row[0], row[1]) for row in candidates], q.words)[offset : offset + limit]
    if not ranked:
        return []
    ids = ",".join(str(rowid) for rowid, _ in ranked)
    details = {row[0]: row for row in conn.execute(_DETAILS.format(ids=ids))}
    hits = []
    for rowid, value in ranked:
        _, ep, title, idx, start, end, text, speaker = details[rowid]
        snippet = make_snippet(text, q.words, snippet_tokens)
        hits.append(SearchHit(ep, title, idx, start, end, text, speaker, snippet, -value))
    return hits
