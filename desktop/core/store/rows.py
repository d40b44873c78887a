"""Conversions between SQLite rows and domain values."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from desktop.core.model import Episode, EpisodeSource, EpisodeStatus, Note, Segment, Word

EPISODE_COLUMNS = (
    "id, title, status, source, created, updated, media_path, media_sha256, source_path, "
    "source_sha256, duration, language, engine, model"
)


def episode_from_row(row: sqlite3.Row, segment_count: int = 0) -> Episode:
    return Episode(
        id=row["id"],
        title=row["title"],
        status=EpisodeStatus(row["status"]),
        source=EpisodeSource(row["source"]),
        created=row["created"],
        updated=row["updated"],
        media_path=row["media_path"],
        media_sha256=row["media_sha256"],
        source_path=row["source_path"],
        source_sha256=row["source_sha256"],
        duration=row["duration"],
        language=row["language"],
        engine=row["engine"],
        model=row["model"],
        segment_count=segment_count,
    )


def segment_from_row(row: sqlite3.Row) -> Segment:
    return Segment(
        start=row["start"],
        end=row["end"],
        text=row["text"],
        speaker=row["speaker"],
        words=words_from_json(row["words"]),
        edited=bool(row["edited"]),
    )


def note_from_row(row: sqlite3.Row) -> Note:
    return Note(
        id=row["id"],
        episode_id=row["episode_id"],
        text=row["text"],
        created=row["created"],
        segment_idx=row["segment_idx"],
        time=row["time"],
    )


def words_to_json(words: list[Word] | None) -> str | None:
    if words is None:
        return None
    return json.dumps(
        [
            {"start": w.start, "end": w.end, "word": w.text, "probability": w.probability}
            for w in words
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def words_from_json(raw: str | None) -> list[Word] | None:
    if raw is None:
        return None
    items: list[dict[str, Any]] = json.loads(raw)
    return [Word(i["start"], i["end"], i["word"], i.get("probability")) for i in items]
