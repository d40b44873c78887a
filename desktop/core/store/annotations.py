"""Notes, insights and remembered media hashes: the part of Library that annotates
episodes (kept apart from library.py, which holds episodes, segments and chapters)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.core.errors import EarmarkError, NotFoundError
from desktop.core.insights.payload import Insights, PayloadError
from desktop.core.model import Episode, Note
from desktop.core.store.rows import note_from_row


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Annotations:
    """Mixed into Library, which provides the connection, transactions and episodes."""

    conn: sqlite3.Connection
    path: Path

    if TYPE_CHECKING:

        def transaction(self, write: bool = True) -> AbstractContextManager[sqlite3.Connection]: ...

        def episode(self, episode_id: int) -> Episode: ...

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
