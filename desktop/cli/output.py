"""How the CLI prints: JSON for scripts, aligned text for people."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from enum import Enum
from typing import Any

from desktop.core.model import Episode, Note
from desktop.core.search import SearchHit, highlight
from desktop.core.timecode import short


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=_plain)
    sys.stdout.write("\n")


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot serialise {type(value).__name__}")


def episode_json(episode: Episode) -> dict[str, Any]:
    data = asdict(episode)
    data["status"] = str(episode.status)
    data["source"] = str(episode.source)
    data["segments"] = data.pop("segment_count")
    return data


def hit_json(hit: SearchHit) -> dict[str, Any]:
    return {
        "kind": hit.kind,
        "note_id": hit.note_id,
        "episode_id": hit.episode_id,
        "title": hit.title,
        "segment_idx": hit.segment_idx,
        "start": hit.start,
        "end": hit.end,
        "speaker": hit.speaker,
        "text": hit.text,
        "snippet": highlight(hit.snippet, "**", "**"),
        "chapter": hit.chapter,
    }


def episode_table(episodes: list[Episode]) -> str:
    if not episodes:
        return "The library is empty. Add a transcript with: earmark import FILE"
    rows = [("ID", "DURATION", "SEGMENTS", "STATUS", "LANG", "TITLE")]
    rows += [
        (
            str(e.id),
            short(e.duration) if e.duration is not None else "-",
            str(e.segment_count),
            str(e.status),
            e.language or "-",
            e.title,
        )
        for e in episodes
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    return "\n".join(
        "  ".join(
            cell.rjust(w) if i in (0, 1, 2) else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row[:5], widths, strict=True))
        )
        + "  "
        + row[5]
        for row in rows
    )


def hit_line(hit: SearchHit, bold: bool) -> str:
    open_mark, close_mark = ("\x1b[1m", "\x1b[0m") if bold else ("**", "**")
    speaker = f"{hit.speaker}: " if hit.speaker else ""
    if hit.note_id is not None:
        speaker = f"note {hit.note_id}: "
    snippet = " ".join(highlight(hit.snippet, open_mark, close_mark).split())
    chapter = f" ({hit.chapter})" if hit.chapter else ""
    return f"#{hit.episode_id} {hit.title} @ {short(hit.start)}{chapter}  {speaker}{snippet}"


def note_json(note: Note) -> dict[str, Any]:
    return {
        "id": note.id,
        "episode_id": note.episode_id,
        "time": note.time,
        "segment_idx": note.segment_idx,
        "text": note.text,
        "created": note.created,
    }


def note_line(note: Note) -> str:
    where = f"[{short(note.time)}] " if note.time is not None else ""
    if not where and note.segment_idx is not None:
        where = f"[segment {note.segment_idx}] "
    text = " / ".join(line.strip() for line in note.text.splitlines() if line.strip())
    return f"{note.id:>4}  {where}{text}"
