"""The window's transcription queue as the library keeps it: what waits, runs, is held,
and how each ended. Every change is one statement or one transaction, so a crash leaves
the queue as it was before or after the change; an entry found running when the queue is
opened again (Earmark was killed) is waiting again (`recover_queue`)."""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.core.errors import NotFoundError
from desktop.core.model import QueueEntry, QueueState
from desktop.core.store.annotations import now_iso

ACTIVE = (QueueState.WAITING, QueueState.RUNNING, QueueState.HELD)
_COLUMNS = "id, kind, subject, title, state, position, added, episode_id, engine, error, ended"


class Queue:
    """Mixed into Library, which provides the connection and transactions."""

    conn: sqlite3.Connection
    path: Path

    if TYPE_CHECKING:

        def transaction(self, write: bool = True) -> AbstractContextManager[sqlite3.Connection]: ...

    def queue_add(self, kind: str, subject: str, title: str) -> tuple[QueueEntry, bool]:
        """Put work at the end of the queue; (the entry, True) — or, when the same work
        is already waiting, running or held, (that entry, False): never queued twice."""
        with self.transaction():
            row = self.conn.execute(
                f"SELECT {_COLUMNS} FROM queue WHERE kind = ? AND subject = ? AND state IN "
                "(?, ?, ?) ORDER BY position LIMIT 1",
                (kind, subject, *ACTIVE),
            ).fetchone()
            if row is not None:
                return _entry(row), False
            last = self.conn.execute("SELECT max(position) FROM queue").fetchone()[0]
            cursor = self.conn.execute(
                "INSERT INTO queue (kind, subject, title, position, added) VALUES (?, ?, ?, ?, ?)",
                (kind, subject, title, (last or 0.0) + 1.0, now_iso()),
            )
            return self.queue_entry(int(cursor.lastrowid or 0)), True

    def queue_entry(self, entry_id: int) -> QueueEntry:
        row = self.conn.execute(f"SELECT {_COLUMNS} FROM queue WHERE id = ?", (entry_id,))
        found = row.fetchone()
        if found is None:
            raise NotFoundError(f"queue entry {entry_id} is not in the queue")
        return _entry(found)

    def queue_entries(self) -> list[QueueEntry]:
        """Every entry in queue order (finished ones stay where they were until cleared)."""
        rows = self.conn.execute(f"SELECT {_COLUMNS} FROM queue ORDER BY position, id")
        return [_entry(row) for row in rows]

    def queue_next(self) -> QueueEntry | None:
        """The first entry waiting its turn."""
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM queue WHERE state = ? ORDER BY position, id LIMIT 1",
            (QueueState.WAITING,),
        ).fetchone()
        return _entry(row) if row is not None else None

    def queue_set(
        self,
        entry_id: int,
        state: QueueState,
        *,
        error: str | None = None,
        episode_id: int | None = None,
        engine: str | None = None,
    ) -> QueueEntry:
        """A new state (an ending one gets its time; error only with FAILED); the episode
        and engine, once known, are kept."""
        ended = now_iso() if state not in ACTIVE else None
        with self.transaction():
            self.queue_entry(entry_id)
            self.conn.execute(
                "UPDATE queue SET state = ?, error = ?, ended = ?, "
                "episode_id = coalesce(?, episode_id), engine = coalesce(?, engine) "
                "WHERE id = ?",
                (state, error if state is QueueState.FAILED else None, ended, episode_id,
                 engine, entry_id),
            )  # fmt: skip
            return self.queue_entry(entry_id)

    def queue_move(self, entry_id: int, step: int) -> bool:
        """Move an unfinished entry `step` places among the unfinished ones (-1: up);
        False when it is already first (or last)."""
        with self.transaction():
            order = [e for e in self.queue_entries() if e.active]
            at = next((n for n, e in enumerate(order) if e.id == entry_id), None)
            if at is None:
                raise NotFoundError(f"queue entry {entry_id} is not waiting")
            to = at + step
            if not 0 <= to < len(order):
                return False
            order.insert(to, order.pop(at))
            positions = sorted(e.position for e in order)
            self.conn.executemany(
                "UPDATE queue SET position = ? WHERE id = ?",
                [(p, e.id) for p, e in zip(positions, order, strict=True)],
            )
            return True

    def queue_remove(self, entry_ids: list[int]) -> None:
        with self.transaction():
            self.conn.executemany("DELETE FROM queue WHERE id = ?", [(i,) for i in entry_ids])

    def recover_queue(self) -> list[QueueEntry]:
        """Entries left running by an Earmark that stopped without ending them: waiting
        again (a transcription resumes where its stored segments end). Returns them."""
        with self.transaction():
            rows = self.conn.execute(
                f"SELECT {_COLUMNS} FROM queue WHERE state = ?", (QueueState.RUNNING,)
            ).fetchall()
            self.conn.execute(
                "UPDATE queue SET state = ? WHERE state = ?",
                (QueueState.WAITING, QueueState.RUNNING),
            )
        return [_entry(row) for row in rows]


def _entry(row: sqlite3.Row) -> QueueEntry:
    return QueueEntry(
        id=row["id"],
        kind=row["kind"],
        subject=row["subject"],
        title=row["title"],
        state=QueueState(row["state"]),
        position=row["position"],
        added=row["added"],
        episode_id=row["episode_id"],
        engine=row["engine"],
        error=row["error"],
        ended=row["ended"],
    )
