"""The library: one SQLite file holding episodes, segments, chapters, notes and insights."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from desktop.core.errors import EarmarkError, NotFoundError
from desktop.core.model import (
    Chapter,
    Episode,
    EpisodeDocument,
    EpisodeSource,
    EpisodeStatus,
    Segment,
    Word,
)
from desktop.core.paths import default_db_path
from desktop.core.store.annotations import Annotations, now_iso
from desktop.core.store.connection import connect
from desktop.core.store.queue import Queue
from desktop.core.store.rows import (
    EPISODE_COLUMNS,
    episode_from_row,
    segment_from_row,
    words_from_json,
    words_to_json,
)
from desktop.core.store.shows import Shows
from desktop.core.store.versions import Versions

# Tables whose row counts describe the library's content (used to prove "nothing changed").
CONTENT_TABLES = ("episodes", "segments", "chapters", "notes", "insights", "shows", "feed_items")


class Library(Annotations, Queue, Shows, Versions):
    """A connection to the library file with the operations the services need.

    Multi-row writes go through `transaction()`, so a failure leaves no partial rows.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, read_only: bool = False) -> None:
        self.conn = conn
        self.path = path
        self.read_only = read_only
        self._depth = 0

    @classmethod
    def open(cls, path: Path | None = None) -> Library:
        """Open (or create) the library, upgrading its schema after saving a copy.

        Raises LibraryError subclasses naming the file (store/faults.py). A file that
        cannot be written opens read-only when SQLite can read it: `read_only` is then True.
        """
        path = Path(path) if path is not None else default_db_path()
        conn, read_only = connect(path)
        return cls(conn, path, read_only)

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
            self.conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise
        finally:
            self._depth = 0

    def _rollback(self) -> None:
        """Undo the open transaction, if SQLite has not already: after a full disk it has,
        and a ROLLBACK then would hide that error behind "no transaction is active". A
        failed COMMIT (a lock) leaves the transaction open, so this runs for it too."""
        if self.conn.in_transaction:
            with suppress(sqlite3.Error, EarmarkError):
                self.conn.execute("ROLLBACK")

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
        # Each count is the episode's last idx + 1, one index seek: segments are only ever
        # appended, numbered on from the last (append_segments), and never deleted alone.
        # count(*) read every segment of the library: 0.2-0.5 s for 1.5M, on the UI thread.
        counts = dict(
            self.conn.execute(
                "SELECT id, coalesce((SELECT max(idx) + 1 FROM segments "
                "WHERE episode_id = episodes.id), 0) FROM episodes"
            )
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
                (
                    episode_id, first + n, s.start, s.end, s.text, s.speaker,
                    words_to_json(s.words), int(s.edited),
                )
                for n, s in enumerate(segments)
            ]  # fmt: skip
            self.conn.executemany(
                'INSERT INTO segments (episode_id, idx, start, "end", text, speaker, words, '
                "edited) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
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
                "INSERT INTO chapters (episode_id, start, title, made) VALUES (?, ?, ?, ?)",
                [(episode_id, c.start, c.title, int(c.made)) for c in chapters],
            )

    def chapters(self, episode_id: int) -> list[Chapter]:
        rows = self.conn.execute(
            "SELECT start, title, made FROM chapters WHERE episode_id = ? ORDER BY start, id",
            (episode_id,),
        )
        return [Chapter(row["start"], row["title"], bool(row["made"])) for row in rows]

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
