"""JSON export: everything about the episode, in a shape an importer can read back.

Shape (version 1):
    {"format": "earmark", "version": 1,
     "episode": {every Episode field},
     "segments": [{"start", "end", "text", "speaker",
                   "words": [{"word", "start", "end", "probability"}] or null,
                   "edited": true only on a segment a person corrected}],
     "chapters": [{"start", "title"}],
     "notes": [{"id", "episode_id", "text", "created", "segment_idx", "time"}],
     "insights": the insight payload dict, or null}
Non-finite numbers (NaN, infinity) are written as null so the file stays valid JSON.
"""

from __future__ import annotations

import dataclasses
import json
import math
from enum import Enum
from typing import Any

from desktop.core.model import EpisodeDocument, Segment

JSON_FORMAT = "earmark"
JSON_VERSION = 1


def to_json_dict(doc: EpisodeDocument) -> dict[str, Any]:
    data = {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "episode": dataclasses.asdict(doc.episode),
        "segments": [_segment(seg) for seg in doc.segments],
        "chapters": [
            {"start": c.start, "title": c.title, **({"made": True} if c.made else {})}
            for c in doc.chapters
        ],
        "notes": [dataclasses.asdict(n) for n in doc.notes],
        "insights": doc.insights.to_dict() if doc.insights is not None else None,
    }
    return _plain(data)


def _segment(seg: Segment) -> dict[str, Any]:
    item: dict[str, Any] = {
        "start": seg.start,
        "end": seg.end,
        "text": seg.text,
        "speaker": seg.speaker,
        "words": None
        if seg.words is None
        else [
            {"word": w.text, "start": w.start, "end": w.end, "probability": w.probability}
            for w in seg.words
        ],
    }
    if seg.edited:
        item["edited"] = True
    return item


def _plain(value: Any) -> Any:
    """Enums to their values, non-finite floats to None, recursively."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def render_json(doc: EpisodeDocument) -> str:
    return json.dumps(to_json_dict(doc), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
