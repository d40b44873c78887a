"""Offline full-text search over every stored segment and note (SQLite FTS5).

Queries matching fewer than `rank_cap` segments are ranked exactly by FTS5's bm25. A query
matching more (a very common word) is ranked among its `rank_cap` newest matches, in
Python, so that it stays fast on a library of millions of segments.

Notes have an FTS5 index of their own (`notes_fts`, same tokenizer). Matching notes come
first, best first among themselves: they are what the person wrote, and there are few of
them. Then come the matching segments. A hit is a note when `note_id` is set.

Terms with symbols (`C++`) are looked up by their words in FTS5 and then checked against
the raw text with a regular expression (`earmark_raw()`, a function registered on the
connection), so only FTS5's candidates are ever scanned. Such queries are always ranked in
Python, in one pass over the newest `rank_cap` hits that pass the check: FTS5's bm25 would
score `C++` as the token `c`.
"""

from __future__ import annotations

import re
import sqlite3
from bisect import bisect_right
from dataclasses import dataclass, replace
from functools import lru_cache

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
    "enable_raw_matching",
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
    rank: float  # lower is better, as FTS5's rank (compare hits of the same kind only)
    # Set for a note: the note's id. Its `start` is the note's time (else its segment's
    # start, else 0), `segment_idx` the segment it belongs to (else 0), `text` the note.
    note_id: int | None = None
    chapter: str | None = None  # the title of the chapter it falls in, when there are any

    @property
    def kind(self) -> str:
        """ "note" or "segment"."""
        return "segment" if self.note_id is None else "note"


@dataclass(frozen=True, slots=True)
class _Scope:
    """Which segments a search covers: a rowid range and, for one episode, its id."""

    episode_id: int | None
    lo: int
    hi: int

    filter_sql: str = ""
    filter_params: tuple[object, ...] = ()

    def sql(self) -> str:
        """Conditions to put after `segments_fts MATCH ?` (segments aliased as `s`)."""
        clause = "AND segments_fts.rowid BETWEEN ? AND ?"
        if self.episode_id is not None:
            clause += " AND s.episode_id = ?"
        return clause + self.filter_sql

    def params(self) -> list[object]:
        params: list[object] = [self.lo, self.hi]
        if self.episode_id is not None:
            params.append(self.episode_id)
        return params + list(self.filter_params)


def search(
    conn: sqlite3.Connection,
    text: str,
    episode_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
    snippet_tokens: int = 24,
    rank_cap: int | None = RANK_CAP,
    notes: bool = True,
    min_prefix: int = 1,
) -> list[SearchHit]:
    """Ranked hits across the library or within one episode: notes first, then segments,
    each with the chapter it falls in.

    `offset` and `limit` page through that one list. With notes=False only segments.
    The last word is a prefix from `min_prefix` characters on (see parse_query).
    """
    hits = _search(
        conn, text, episode_id, limit, offset, snippet_tokens, rank_cap, notes, min_prefix
    )
    return _with_chapters(conn, hits)


def _with_chapters(conn: sqlite3.Connection, hits: list[SearchHit]) -> list[SearchHit]:
    """Each hit with the title of the chapter playing at its time (one small query per
    episode among the hits)."""
    chapters: dict[int, tuple[list[float], list[str]]] = {}
    placed = []
    for hit in hits:
        if hit.episode_id not in chapters:
            rows = conn.execute(
                "SELECT start, title FROM chapters WHERE episode_id = ? ORDER BY start, id",
                (hit.episode_id,),
            ).fetchall()
            chapters[hit.episode_id] = ([r[0] for r in rows], [r[1] for r in rows])
        starts, titles = chapters[hit.episode_id]
        at = bisect_right(starts, hit.start + 1e-6) - 1
        placed.append(replace(hit, chapter=titles[at]) if at >= 0 else hit)
    return placed


def _search(
    conn: sqlite3.Connection,
    text: str,
    episode_id: int | None,
    limit: int,
    offset: int,
    snippet_tokens: int,
    rank_cap: int | None,
    notes: bool,
    min_prefix: int,
) -> list[SearchHit]:
    parsed = parse_query(text, min_prefix)
    if parsed is None or limit <= 0:
        return []
    offset = max(0, offset)
    if parsed.filtered:
        enable_raw_matching(conn)
    try:
        note_hits = (
            _note_hits(conn, parsed, episode_id, offset + limit, snippet_tokens) if notes else []
        )
        hits = note_hits[offset : offset + limit]
        limit -= len(hits)
        offset = max(0, offset - len(note_hits))
        if limit <= 0:
            return hits
        scope = _scope(conn, parsed, episode_id)
        if parsed.filtered:
            # One pass over FTS5's candidates, the raw-text check on each, newest first;
            # ranked in Python, where `C++` counts as `C++` and not as the token `c`.
            ranked = _capped_ranking(conn, parsed, scope, rank_cap)[offset : offset + limit]
            return hits + _hits_for(conn, parsed, ranked, snippet_tokens)
        if rank_cap and _more_than(conn, parsed, scope, rank_cap):
            ranked = _capped_ranking(conn, parsed, scope, rank_cap)[offset : offset + limit]
            return hits + _hits_for(conn, parsed, ranked, snippet_tokens)
        return hits + _exact(conn, parsed, scope, limit, offset, snippet_tokens)
    except sqlite3.OperationalError as exc:  # pragma: no cover - the parser prevents this
        raise EarmarkError(f"search for {text!r} failed: {exc}") from exc


def enable_raw_matching(conn: sqlite3.Connection) -> None:
    """Register `earmark_raw(text, regex)` (case-insensitive search) on the connection."""
    conn.create_function("earmark_raw", 2, _raw_match, deterministic=True)


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _raw_match(text: str | None, pattern: str) -> bool:
    return text is not None and _compiled(pattern).search(text) is not None


def _filter(q: ParsedQuery, id_column: str, text_column: str, fts: str) -> tuple[str, list]:
    """SQL (" AND ...") and parameters for the raw-text checks of terms with symbols.

    One alternative: each of its patterns must match (FTS5 already holds the rest). Several
    (`C++ OR rust`): a hit must satisfy one alternative whole, its FTS5 part checked with a
    sub-query on the index and its patterns on the raw text.
    """
    sql = ""
    params: list[object] = []
    raw = f"earmark_raw({text_column}, ?)"
    if len(q.clauses) == 1:
        for pattern in q.clauses[0].patterns:
            sql += f" AND {raw}"
            params.append(pattern)
    elif q.clauses:
        alternatives = []
        for clause in q.clauses:
            parts = [f"{id_column} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ?)"]
            params.append(clause.match)
            parts += [raw] * len(clause.patterns)
            params.extend(clause.patterns)
            alternatives.append("(" + " AND ".join(parts) + ")")
        sql += " AND (" + " OR ".join(alternatives) + ")"
    for pattern in q.excluded:
        sql += f" AND NOT {raw}"
        params.append(pattern)
    return sql, params


def _scope(conn: sqlite3.Connection, q: ParsedQuery, episode_id: int | None) -> _Scope:
    """Segment ids of one episode lie in a narrow range; FTS5 seeks by rowid cheaply."""
    sql, params = _filter(q, "s.id", "s.text", "segments_fts")
    if episode_id is None:
        return _Scope(None, 0, 2**63 - 1, sql, tuple(params))
    lo, hi = conn.execute(
        "SELECT min(id), max(id) FROM segments WHERE episode_id = ?", (episode_id,)
    ).fetchone()
    if lo is None:
        lo, hi = 1, 0
    return _Scope(episode_id, lo, hi, sql, tuple(params))


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
    conn: sqlite3.Connection, q: ParsedQuery, scope: _Scope, cap: int | None
) -> list[tuple[int, float]]:
    """The newest `cap` matches (all with cap=None), ranked in Python: (segment id, score)
    best first."""
    limit = f"LIMIT {int(cap)}" if cap else ""
    candidates = conn.execute(
        f"""
        SELECT s.id, s.text FROM segments_fts
        JOIN segments AS s ON s.id = segments_fts.rowid
        WHERE segments_fts MATCH ? {scope.sql()}
        ORDER BY segments_fts.rowid DESC {limit}
        """,
        [q.match, *scope.params()],
    ).fetchall()
    return rank_texts([(row[0], row[1]) for row in candidates], q.words, q.patterns)


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
        snippet = make_snippet(text, q.words, snippet_tokens, q.patterns)
        hits.append(SearchHit(ep, title, idx, start, end, text, speaker, snippet, -value))
    return hits


def _note_hits(
    conn: sqlite3.Connection,
    q: ParsedQuery,
    episode_id: int | None,
    limit: int,
    snippet_tokens: int,
) -> list[SearchHit]:
    """The best `limit` matching notes, each placed at its time and segment."""
    sql, params = _filter(q, "n.id", "n.text", "notes_fts")
    if episode_id is not None:
        sql += " AND n.episode_id = ?"
        params.append(episode_id)
    rows = conn.execute(
        f"""
        SELECT n.id, n.episode_id, e.title, n.segment_idx, n.time, n.text,
               snippet(notes_fts, 0, ?, ?, '…', ?), notes_fts.rank
        FROM notes_fts
        JOIN notes AS n ON n.id = notes_fts.rowid
        JOIN episodes AS e ON e.id = n.episode_id
        WHERE notes_fts MATCH ? {sql}
        ORDER BY notes_fts.rank
        LIMIT ?
        """,
        [MARK_OPEN, MARK_CLOSE, snippet_tokens, q.match, *params, limit],
    ).fetchall()
    hits = []
    for note_id, ep, title, segment_idx, time, text, snippet, rank in rows:
        idx, start, end = _note_place(conn, ep, segment_idx, time)
        if q.filtered:
            snippet = make_snippet(text, q.words, snippet_tokens, q.patterns)
        hits.append(SearchHit(ep, title, idx, start, end, text, None, snippet, rank, note_id))
    return hits


def _note_place(
    conn: sqlite3.Connection, episode_id: int, segment_idx: int | None, time: float | None
) -> tuple[int, float, float]:
    """(segment index, start, end) for a note: its segment, else the one playing at its time."""
    if segment_idx is not None:
        row = conn.execute(
            'SELECT idx, start, "end" FROM segments WHERE episode_id = ? AND idx = ?',
            (episode_id, segment_idx),
        ).fetchone()
    elif time is not None:
        row = conn.execute(
            'SELECT idx, start, "end" FROM segments WHERE episode_id = ? AND start <= ? '
            "ORDER BY idx DESC LIMIT 1",
            (episode_id, time),
        ).fetchone()
    else:
        row = None
    idx, start, end = (row[0], row[1], row[2]) if row else (segment_idx or 0, 0.0, 0.0)
    if time is not None:
        start = time
        end = max(end, time)
    return idx, start, end
