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


@dataclass(frozen=True, slots=True)
class _Scope:
    """Which segments a search covers: a rowid range and, for one episode, its id."""

    episode_id: int | None
    lo: int
    hi: int

    def sql(self) -> str:
        """Conditions to put after `segments_fts MATCH ?` (segments aliased as `s`)."""
        clause = "AND segments_fts.rowid BETWEEN ? AND ?"
        return clause + (" AND s.episode_id = ?" if self.episode_id is not None else "")

    def params(self) -> list[object]:
        return [self.lo, self.hi] + ([self.episode_id] if self.episode_id is not None else [])


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
    scope = _scope(conn, episode_id)
    try:
        if rank_cap and _more_than(conn, parsed, scope, rank_cap):
            ranked = _capped_ranking(conn, parsed, scope, rank_cap)[offset : offset + limit]
            return _hits_for(conn, parsed, ranked, snippet_tokens)
        return _exact(conn, parsed, scope, limit, offset, snippet_tokens)
    except sqlite3.OperationalError as exc:  # pragma: no cover - the parser prevents this
        raise EarmarkError(f"search for {text!r} failed: {exc}") from exc


def _scope(conn: sqlite3.Connection, episode_id: int | None) -> _Scope:
    """Segment ids of one episode lie in a narrow range; FTS5 seeks by rowid cheaply."""
    if episode_id is None:
        return _Scope(None, 0, 2**63 - 1)
    lo, hi = conn.execute(
        "SELECT min(id), max(id) FROM segments WHERE episode_id = ?", (episode_id,)
    ).fetchone()
    return _Scope(episode_id, lo, hi) if lo is not None else _Scope(episode_id, 1, 0)


def _more_than(conn: sqlite3.Connection, q: ParsedQuery, scope: _Scope, cap: int) -> bool:
    row = conn.execute(
        "SELECT segments_fts.rowid FROM segments_fts "
        "JOIN segments AS s ON s.id = segments_fts.rowid "
        f"WHERE segments_fts MATCH ? {scope.sql()} "
        "ORDER BY segments_fts.rowid DESC LIMIT 1 OFFSET ?",
        [q.match, *scope.params(), cap],
    ).fetchone()
    return row is not None


def _exact(
    conn: sqlite3.Connection,
    q: ParsedQuery,
    scope: _Scope,
    limit: int,
    offset: int,
    snippet_tokens: int,
) -> list[SearchHit]:
    rows = conn.execute(
        f"""
        SELECT s.episode_id, e.title, s.idx, s.start, s."end", s.text, s.speaker,
               snippet(segments_fts, 0, ?, ?, '…', ?), segments_fts.rank
        FROM segments_fts
        JOIN segments AS s ON s.id = segments_fts.rowid
        JOIN episodes AS e ON e.id = s.episode_id
        WHERE segments_fts MATCH ? {scope.sql()}
        ORDER BY segments_fts.rank
        LIMIT ? OFFSET ?
        """,
        [MARK_OPEN, MARK_CLOSE, snippet_tokens, q.match, *scope.params(), limit, offset],
    ).fetchall()
    return [SearchHit(*row) for row in rows]


def _capped_ranking(
    conn: sqlite3.Connection, q: ParsedQuery, scope: _Scope, cap: int
) -> list[tuple[int, float]]:
    """The newest `cap` matches, ranked in Python: (segment id, score) best first."""
    candidates = conn.execute(
        f"""
        SELECT s.id, s.text FROM segments_fts
        JOIN segments AS s ON s.id = segments_fts.rowid
        WHERE segments_fts MATCH ? {scope.sql()}
        ORDER BY segments_fts.rowid DESC LIMIT {int(cap)}
        """,
        [q.match, *scope.params()],
    ).fetchall()
    return rank_texts([(row[0], row[1]) for row in candidates], q.words)


def _hits_for(
    conn: sqlite3.Connection,
    q: ParsedQuery,
    ranked: list[tuple[int, float]],
    snippet_tokens: int,
) -> list[SearchHit]:
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
