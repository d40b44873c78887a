"""A transcript replaced by another (a run with another model), kept so it can come back.

One transcript is kept per episode, in `replaced_transcripts`: its segments (words,
speakers, corrections), the insights made from it, and the engine, model and language that
made it. Replacing and bringing back are the same operation, a swap in one transaction, so
Undo and Redo are each one swap. Notes are not part of a version: they stay with the episode
and are pointed at the segment playing at their time in whichever transcript is shown.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from desktop.core.errors import ChangedElsewhereError, EarmarkError
from desktop.core.model import Episode, Segment, Word
from desktop.core.store.annotations import now_iso


@dataclass(frozen=True, slots=True)
class TranscriptVersion:
    """One transcript of an episode with what was made from it."""

    segments: list[Segment]
    engine: str | None = None
    model: str | None = None
    language: str | None = None
    insights: list[dict[str, Any]] = field(default_factory=list)  # insights rows, as stored
    replaced: str | None = None  # when it was set aside (ISO 8601), for a kept version


def fingerprint(segments: list[Segment]) -> str:
    """What a reader sees of a transcript (times, text, speaker, corrected), hashed: a
    swap back is made only over the transcript the previous swap left."""
    digest = hashlib.sha256()
    for s in segments:
        digest.update(json.dumps([s.start, s.end, s.text, s.speaker, s.edited]).encode())
    return digest.hexdigest()


class Versions:
    """Mixed into Library, which provides the connection, transactions and episodes."""

    conn: sqlite3.Connection

    if TYPE_CHECKING:

        def transaction(self, write: bool = True) -> AbstractContextManager[sqlite3.Connection]: ...

        def episode(self, episode_id: int) -> Episode: ...

        def segments(
            self, episode_id: int, first: int = 0, words: bool = True
        ) -> list[Segment]: ...

        def append_segments(self, episode_id: int, segments: list[Segment]) -> int: ...

        def update_episode(self, episode_id: int, **fields: Any) -> Episode: ...

        def segment_at(self, episode_id: int, time: float) -> int | None: ...

    def replace_transcript(self, episode_id: int, incoming: TranscriptVersion) -> TranscriptVersion:
        """Show `incoming` instead of the current transcript, which is kept (replacing a
        kept one); returns the transcript set aside."""
        with self.transaction():
            return self._swap(episode_id, incoming)

    def replaced_transcript(self, episode_id: int) -> TranscriptVersion | None:
        row = self.conn.execute(
            "SELECT * FROM replaced_transcripts WHERE episode_id = ?", (episode_id,)
        ).fetchone()
        return None if row is None else _version_from_row(row)

    def swap_transcript_back(self, episode_id: int) -> TranscriptVersion:
        """Show the kept transcript again and keep the current one in its place (a second
        call swaps again: undo, then redo). Refused when the current transcript is no
        longer what the last swap left. Returns the transcript now shown."""
        with self.transaction():
            row = self.conn.execute(
                "SELECT * FROM replaced_transcripts WHERE episode_id = ?", (episode_id,)
            ).fetchone()
            if row is None:
                self.episode(episode_id)  # NotFoundError for an unknown episode
                raise EarmarkError(f"episode {episode_id} has no earlier transcript to bring back")
            kept = _version_from_row(row)
            if fingerprint(self.segments(episode_id, words=False)) != row["fingerprint"]:
                raise ChangedElsewhereError(
                    f"the transcript of episode {episode_id} was changed since it replaced "
                    "the earlier one; undo those changes first"
                )
            self._swap(episode_id, kept)
            return kept

    def _swap(self, episode_id: int, incoming: TranscriptVersion) -> TranscriptVersion:
        episode = self.episode(episode_id)
        outgoing = TranscriptVersion(
            segments=self.segments(episode_id),
            engine=episode.engine,
            model=episode.model,
            language=episode.language,
            insights=self._insights_rows(episode_id),
            replaced=now_iso(),
        )
        self.conn.execute("DELETE FROM segments WHERE episode_id = ?", (episode_id,))
        self.append_segments(episode_id, incoming.segments)
        self.conn.execute("DELETE FROM insights WHERE episode_id = ?", (episode_id,))
        self.conn.executemany(
            "INSERT INTO insights (episode_id, engine, model, created, payload) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (episode_id, i["engine"], i["model"], i["created"], i["payload"])
                for i in incoming.insights
            ],
        )
        self.update_episode(
            episode_id, engine=incoming.engine, model=incoming.model, language=incoming.language
        )
        self._repoint_notes(episode_id, outgoing.segments)
        self.conn.execute(
            "INSERT OR REPLACE INTO replaced_transcripts (episode_id, replaced, engine, model, "
            "language, segments, insights, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                episode_id,
                outgoing.replaced,
                outgoing.engine,
                outgoing.model,
                outgoing.language,
                json.dumps([_segment_dict(s) for s in outgoing.segments], ensure_ascii=False),
                json.dumps(outgoing.insights, ensure_ascii=False),
                fingerprint(incoming.segments),
            ),
        )
        return outgoing

    def _insights_rows(self, episode_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT engine, model, created, payload FROM insights WHERE episode_id = ? ORDER BY id",
            (episode_id,),
        )
        return [dict(row) for row in rows]

    def _repoint_notes(self, episode_id: int, before: list[Segment]) -> None:
        """Each note stays at its time, on the segment playing then. A note that had only
        a segment gets that segment's start as its time, so it stays put in every swap."""
        notes = self.conn.execute(
            "SELECT id, segment_idx, time FROM notes WHERE episode_id = ?", (episode_id,)
        ).fetchall()
        for note_id, idx, time in notes:
            if time is None and idx is not None and 0 <= idx < len(before):
                time = before[idx].start
            if time is None:
                continue
            self.conn.execute(
                "UPDATE notes SET segment_idx = ?, time = ? WHERE id = ?",
                (self.segment_at(episode_id, time), time, note_id),
            )


def _segment_dict(segment: Segment) -> dict[str, Any]:
    words = None
    if segment.words is not None:
        words = [[w.start, w.end, w.text, w.probability] for w in segment.words]
    return {
        "start": segment.start,
        "end": segment.end,
        "text": segment.text,
        "speaker": segment.speaker,
        "edited": segment.edited,
        "words": words,
    }


def _segment_from_dict(item: dict[str, Any]) -> Segment:
    words = item.get("words")
    return Segment(
        start=item["start"],
        end=item["end"],
        text=item["text"],
        speaker=item.get("speaker"),
        words=None if words is None else [Word(*w) for w in words],
        edited=bool(item.get("edited")),
    )


def _version_from_row(row: sqlite3.Row) -> TranscriptVersion:
    return TranscriptVersion(
        segments=[_segment_from_dict(item) for item in json.loads(row["segments"])],
        engine=row["engine"],
        model=row["model"],
        language=row["language"],
        insights=json.loads(row["insights"]),
        replaced=row["replaced"],
    )
