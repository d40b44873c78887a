"""The library: one SQLite file holding episodes, segments, chapters, notes and insights."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from desktop.core.errors import EarmarkError, NotFoundError
from desktop.core.insights.payload import Insights, PayloadError
from desktop.core.model import (
    Chapter,
    Episode,
    EpisodeDocument,
    EpisodeSource,
    EpisodeStatus,
    Note,
    Segment,
    Word,
)
from desktop.core.paths import default_db_path
from desktop.core.store.migrations import SchemaTooNewError, migrate
from desktop.core.store.rows import (
    EPISODE_COLUMNS,
    episode_from_row,
    note_from_row,
    segment_from_row,
    words_from_json,
    words_to_json,
)

# Tables whose row counts describe the library's content (used to prove "nothing changed").
CONTENT_TABLES = ("episodes", "segments", "chapters", "notes", "insights")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Library:
    """A connection to the library file with the operations the services need.

    Multi-row writes go through `transaction()`, so a failure leaves no partial rows.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._depth = 0

    @classmethod
    def open(cls, path: Path | None = None) -> Library:
        path = Path(path) if path is not None else default_db_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise EarmarkError(f"cannot open the library {path}: {exc}") from exc
        conn.row_factory = sqlite3.Row
        try:
            conn.execute("PRAGMA busy_timeout = 5000")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            migrate(conn)
        except SchemaTooNewError as exc:
            conn.close()
            raise EarmarkError(f"{path}: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise EarmarkError(f"{path} is not a usable Earmark library: {exc}") from exc
        return cls(conn, path)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[sqlite3.Connection]:
        """One atomic write (or, with write=False, one consistent read snapshot).

        Nested calls join the outer transaction.
        """
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        self.conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        self._depth = 1
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._depth = 0

    # --- episodes -------------------------------------------------------------------------

    def create_episode(
        self,
        title: str,
        source: EpisodeSource,
        status: EpisodeStatus = EpisodeStatus.PENDING,
        **fields: Any,
    ) -> Episode:
        stamp = now_iso()
        values = {
            "title": title,
            "source": str(source),
            "status": str(status),
            "created": stamp,
            "updated": stamp,
            **fields,
        }
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        with self.transaction():
            cursor = self.conn.execute(
                f"INSERT INTO episodes ({columns}) VALUES ({marks})", tuple(values.values())
            )
        return self.episode(int(cursor.lastrowid or 0))

    def update_episode(self, episode_id: int, **fields: Any) -> Episode:
        fields = {
            name: str(value) if isinstance(value, (EpisodeStatus, EpisodeSource)) else value
            for name, value in fields.items()
        }
        fields["updated"] = now_iso()
        assignments = ", ".join(f"{name} = ?" for name in fields)
        with self.transaction():
            self.conn.execute(
                f"UPDATE episodes SET {assignments} WHERE id = ?",
                (*fields.values(), episode_id),
            )
        return self.episode(episode_id)

    def episode(self, episode_id: int) -> Episode:
        row = self.conn.execute(
            f"SELECT {EPISODE_COLUMNS} FROM episodes WHERE id = ?", (episode_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no episode with id {episode_id} in {self.path}")
        return episode_from_row(row, self.segment_count(episode_id))

    def episodes(self) -> list[Episode]:
        counts = dict(
            self.conn.execute("SELECT episode_id, count(*) FROM segments GROUP BY episode_id")
        )
        rows = self.conn.execute(
            f"SELECT {EPISODE_COLUMNS} FROM episodes ORDER BY updated DESC, id DESC"
        )
        return [episode_from_row(row, counts.get(row["id"], 0)) for row in rows]

    def episode_titles(self) -> list[tuple[int, str]]:
        """(id, title) of every episode, oldest first: cheap (no segment counts)."""
        return [
            (int(r[0]), r[1])
            for r in self.conn.execute("SELECT id, title FROM episodes ORDER BY id")
        ]

    def find_episode(self, **where: str) -> Episode | None:
        """The most recent episode whose columns equal `where` (e.g. source_sha256=...)."""
        clause = " AND ".join(f"{name} = ?" for name in where)
        row = self.conn.execute(
            f"SELECT id FROM episodes WHERE {clause} ORDER BY id DESC LIMIT 1",
            tuple(where.values()),
        ).fetchone()
        return self.episode(row["id"]) if row else None

    def delete_episode(self, episode_id: int) -> None:
        self.episode(episode_id)
        with self.transaction():
            self.conn.execute("DELETE FROM episodes WHERE id = ?", (episode_id,))

    # --- segments and chapters ------------------------------------------------------------

    def segment_count(self, episode_id: int) -> int:
        row = self.conn.execute(
            "SELECT count(*) FROM segments WHERE episode_id = ?", (episode_id,)
        ).fetchone()
        return int(row[0])

    def append_segments(self, episode_id: int, segments: Iterable[Segment]) -> int:
        """Add segments after the last stored one; returns how many were added."""
        with self.transaction():
            row = self.conn.execute(
                "SELECT coalesce(max(idx), -1) FROM segments WHERE episode_id = ?",
                (episode_id,),
            ).fetchone()
            first = int(row[0]) + 1
            rows = [
                (episode_id, first + n, s.start, s.end, s.text, s.speaker, words_to_json(s.words))
                for n, s in enumerate(segments)
            ]
            self.conn.executemany(
                'INSERT INTO segments (episode_id, idx, start, "end", text, speaker, words) '
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        return len(rows)

    def last_segment_end(self, episode_id: int) -> float:
        """Where the stored transcript stops (0 when nothing is stored): the resume point."""
        row = self.conn.execute(
            'SELECT "end" FROM segments WHERE episode_id = ? ORDER BY idx DESC LIMIT 1',
            (episode_id,),
        ).fetchone()
        return float(row[0]) if row else 0.0

    def segments(self, episode_id: int, first: int = 0, words: bool = True) -> list[Segment]:
        """The episode's segments in order, from index `first` (new rows of a live run).

        With words=False the word timings are left out (None): parsing them is most of the
        cost of reading a long episode, and a view needs only the playing segment's, which
        `segment_words` reads.
        """
        column = "words" if words else "NULL AS words"
        rows = self.conn.execute(
            f'SELECT start, "end", text, speaker, {column}, edited FROM segments '
            "WHERE episode_id = ? AND idx >= ? ORDER BY idx",
            (episode_id, first),
        )
        return [segment_from_row(row) for row in rows]

    def segment(self, episode_id: int, idx: int) -> Segment:
        """One segment with its words; NotFoundError naming the episode and the range."""
        row = self.conn.execute(
            'SELECT start, "end", text, speaker, words, edited FROM segments '
            "WHERE episode_id = ? AND idx = ?",
            (episode_id, idx),
        ).fetchone()
        if row is None:
            count = self.episode(episode_id).segment_count
            have = f"segments 0-{count - 1}" if count else "no segments"
            raise NotFoundError(f"episode {episode_id} has {have}; there is no segment {idx}")
        return segment_from_row(row)

    def update_segment(
        self, episode_id: int, idx: int, text: str, words: list[Word] | None, edited: bool
    ) -> Segment:
        """Replace one segment's text, words and edited flag (its times and speaker stay).

        The FTS index follows through the `segments_au` trigger, in the same transaction.
        """
        with self.transaction():
            self.segment(episode_id, idx)
            self.conn.execute(
                "UPDATE segments SET text = ?, words = ?, edited = ? "
                "WHERE episode_id = ? AND idx = ?",
                (text, words_to_json(words), int(edited), episode_id, idx),
            )
            return self.segment(episode_id, idx)

    def segment_at(self, episode_id: int, time: float) -> int | None:
        """Index of the segment playing at `time` (the last one starting at or before it;
        the first one for a time before it), or None for an episode without segments."""
        row = self.conn.execute(
            "SELECT idx FROM segments WHERE episode_id = ? AND start <= ? "
            "ORDER BY idx DESC LIMIT 1",
            (episode_id, time),
        ).fetchone()
        if row is None:
            row = self.conn.execute(
                "SELECT min(idx) FROM segments WHERE episode_id = ?", (episode_id,)
            ).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def speakers(self, episode_id: int) -> list[tuple[str, int]]:
        """(speaker, number of segments) in order of first appearance."""
        rows = self.conn.execute(
            "SELECT speaker, count(*), min(idx) FROM segments "
            "WHERE episode_id = ? AND speaker IS NOT NULL GROUP BY speaker ORDER BY min(idx)",
            (episode_id,),
        )
        return [(row[0], int(row[1])) for row in rows]

    def segments_with_speaker(self, episode_id: int, speaker: str | None) -> list[int]:
        rows = self.conn.execute(
            "SELECT idx FROM segments WHERE episode_id = ? AND speaker IS ? ORDER BY idx",
            (episode_id, speaker),
        )
        return [int(row[0]) for row in rows]

    def set_speaker(self, episode_id: int, indices: Iterable[int], speaker: str | None) -> int:
        """Give the segments at `indices` this speaker, in one transaction; how many changed."""
        with self.transaction():
            cursor = self.conn.executemany(
                "UPDATE segments SET speaker = ? WHERE episode_id = ? AND idx = ?",
                [(speaker, episode_id, idx) for idx in indices],
            )
        return max(0, cursor.rowcount)

    def rename_speaker(self, episode_id: int, old: str, new: str | None) -> int:
        """Every segment of the episode spoken by `old` now by `new`; how many changed."""
        with self.transaction():
            cursor = self.conn.execute(
                "UPDATE segments SET speaker = ? WHERE episode_id = ? AND speaker = ?",
                (new, episode_id, old),
            )
        return max(0, cursor.rowcount)

    def segment_words(self, episode_id: int, idx: int) -> list[Word] | None:
        row = self.conn.execute(
            "SELECT words FROM segments WHERE episode_id = ? AND idx = ?", (episode_id, idx)
        ).fetchone()
        return words_from_json(row["words"]) if row else None

    def set_chapters(self, episode_id: int, chapters: Iterable[Chapter]) -> None:
        with self.transaction():
            self.conn.execute("DELETE FROM chapters WHERE episode_id = ?", (episode_id,))
            self.conn.executemany(
                "INSERT INTO chapters (episode_id, start, title) VALUES (?, ?, ?)",
                [(episode_id, c.start, c.title) for c in chapters],
            )

    def chapters(self, episode_id: int) -> list[Chapter]:
        rows = self.conn.execute(
            "SELECT start, title FROM chapters WHERE episode_id = ? ORDER BY start, id",
            (episode_id,),
        )
        return [Chapter(row["start"], row["title"]) for row in rows]

    # --- notes and insights ---------------------------------------------------------------

    def add_note(
        self,
        episode_id: int,
        text: str,
        segment_idx: int | None = None,
        time: float | None = None,
    ) -> Note:
        with self.transaction():
            self.episode(episode_id)
            cursor = self.conn.execute(
                "INSERT INTO notes (episode_id, segment_idx, time, text, created) "
                "VALUES (?, ?, ?, ?, ?)",
                (episode_id, segment_idx, time, text, now_iso()),
            )
            return self.note(int(cursor.lastrowid or 0))

    def note(self, note_id: int) -> Note:
        row = self.conn.execute("SELECT * FROM notes WHERE id = ?", (note_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no note with id {note_id} in {self.path}")
        return note_from_row(row)

    def update_note(self, note_id: int, text: str) -> Note:
        with self.transaction():
            self.note(note_id)
            self.conn.execute("UPDATE notes SET text = ? WHERE id = ?", (text, note_id))
            return self.note(note_id)

    def delete_note(self, note_id: int) -> Note:
        """Remove a note; returns it as it was (so that it can be put back)."""
        with self.transaction():
            note = self.note(note_id)
            self.conn.execute("DELETE FROM notes WHERE id = ?", (note_id,))
        return note

    def restore_note(self, note: Note) -> Note:
        """Write `note` back exactly (same id, time, segment, text and creation stamp)."""
        with self.transaction():
            self.episode(note.episode_id)
            if self.conn.execute("SELECT 1 FROM notes WHERE id = ?", (note.id,)).fetchone():
                raise EarmarkError(f"note {note.id} already exists in {self.path}")
            self.conn.execute(
                "INSERT INTO notes (id, episode_id, segment_idx, time, text, created) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (note.id, note.episode_id, note.segment_idx, note.time, note.text, note.created),
            )
            return self.note(note.id)

    def notes(self, episode_id: int) -> list[Note]:
        rows = self.conn.execute(
            "SELECT * FROM notes WHERE episode_id = ? ORDER BY coalesce(time, 0), id",
            (episode_id,),
        )
        return [note_from_row(row) for row in rows]

    def save_insights(self, episode_id: int, insights: Insights) -> None:
        """Store a payload; the newest stored payload is the one the episode shows."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO insights (episode_id, engine, model, created, payload) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    episode_id,
                    insights.engine,
                    insights.model,
                    insights.created or now_iso(),
                    json.dumps(insights.to_dict(), ensure_ascii=False),
                ),
            )

    def insights(self, episode_id: int, engine: str | None = None) -> Insights | None:
        """The episode's insights as shown (the newest stored payload), or None.

        With `engine` ("extractive", "openai"): the newest payload that engine made, shown
        or not. Every good payload is kept with its engine, so a failed LLM run can show the
        previous LLM answer again instead of losing it.
        """
        if engine is None:
            row = self.conn.execute(
                "SELECT payload FROM insights WHERE episode_id = ? ORDER BY id DESC LIMIT 1",
                (episode_id,),
            ).fetchone()
        else:
            row = self.conn.execute(
                "SELECT payload FROM insights WHERE episode_id = ? AND engine = ? "
                "ORDER BY id DESC LIMIT 1",
                (episode_id, engine),
            ).fetchone()
        if row is None:
            return None
        try:
            return Insights.from_dict(json.loads(row["payload"]))
        except PayloadError as exc:
            message = f"stored insights for episode {episode_id} are invalid: {exc}"
            raise EarmarkError(message) from exc

    # --- media hashes -----------------------------------------------------------------------

    def cached_hash(self, path: str, size: int, mtime_ns: int) -> str | None:
        row = self.conn.execute(
            "SELECT sha256 FROM media_hashes WHERE path = ? AND size = ? AND mtime_ns = ?",
            (path, size, mtime_ns),
        ).fetchone()
        return row["sha256"] if row else None

    def remember_hash(self, path: str, size: int, mtime_ns: int, sha256: str) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT OR REPLACE INTO media_hashes (path, size, mtime_ns, sha256) "
                "VALUES (?, ?, ?, ?)",
                (path, size, mtime_ns, sha256),
            )

    # --- whole documents ------------------------------------------------------------------

    def document(self, episode_id: int) -> EpisodeDocument:
        """A consistent snapshot of one episode (read inside one transaction)."""
        with self.transaction(write=False):
            return EpisodeDocument(
                episode=self.episode(episode_id),
                segments=self.segments(episode_id),
                chapters=self.chapters(episode_id),
                notes=self.notes(episode_id),
                insights=self.insights(episode_id),
            )

    def row_counts(self) -> dict[str, int]:
        return {
            table: int(self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in CONTENT_TABLES
        }
