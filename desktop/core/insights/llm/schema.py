"""JSON schemas the model must answer with, and the checks every reply goes through.

Every length and count is bounded (maxLength/maxItems): servers turn the schema into a
grammar, so a runaway model cannot produce unbounded output. Items cite transcript
lines by id ("segment"); the engine turns ids into times, never the model.
"""

from __future__ import annotations

import json
from typing import Any

# Limits are generous for a real model and small enough to keep replies bounded.
TLDR_MAX = 300
SUMMARY_MAX = 900  # llama.cpp rejects (and its Python server dies on) maxLength > 1000
TITLE_MAX = 80
TEXT_MAX = 400
EMOJI_MAX = 8


def _string(max_length: int, min_length: int = 0) -> dict[str, Any]:
    if min_length:
        return {"type": "string", "minLength": min_length, "maxLength": max_length}
    return {"type": "string", "maxLength": max_length}


_SEGMENT: dict[str, Any] = {"type": "integer", "minimum": 0}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    # OpenAI's strict mode wants every property required and no extra ones.
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _array(item: dict[str, Any], max_items: int) -> dict[str, Any]:
    return {"type": "array", "items": item, "maxItems": max_items}


KEY_INSIGHT = _object(
    {
        "emoji": _string(EMOJI_MAX),
        "title": _string(TITLE_MAX),
        "text": _string(TEXT_MAX),
        "segment": _SEGMENT,
    }
)
QA = _object({"question": _string(TEXT_MAX), "answer": _string(TEXT_MAX), "segment": _SEGMENT})
TAKEAWAY = _object({"text": _string(TEXT_MAX), "segment": _SEGMENT})

# The final payload (one call for a short episode, the reduce call for a long one).
SCHEMA: dict[str, Any] = _object(
    {
        # minLength: a grammar-constrained model cannot answer "" where text is required.
        "tldr": _string(TLDR_MAX, 1),
        "summary": _string(SUMMARY_MAX, 1),
        "key_insights": _array(KEY_INSIGHT, 6),
        "qa": _array(QA, 5),
        "takeaways": _array(TAKEAWAY, 5),
    }
)

# Partial notes on one chunk of a long transcript (the map calls).
NOTES_SCHEMA: dict[str, Any] = _object(
    {
        "points": _array(TAKEAWAY, 6),
        "questions": _array(QA, 4),
        "takeaways": _array(TAKEAWAY, 4),
    }
)

# Which fields of each list are strings, per schema: the shape checks below use these.
PAYLOAD_LISTS: dict[str, tuple[str, ...]] = {
    "key_insights": ("emoji", "title", "text"),
    "qa": ("question", "answer"),
    "takeaways": ("text",),
}
NOTES_LISTS: dict[str, tuple[str, ...]] = {
    "points": ("text",),
    "questions": ("question", "answer"),
    "takeaways": ("text",),
}


class ReplyError(ValueError):
    """A reply is not the JSON we asked for; the message is sent back to the model."""


def parse_reply(content: str | None) -> Any:
    """json.loads with the common wrappers removed (some models fence JSON in markdown)."""
    if content is None or not content.strip():
        raise ReplyError("the reply was empty")
    text = content.strip()
    if text.startswith("```"):
        text = text.strip("`")
        text = text.removeprefix("json").strip()
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ReplyError(f"the reply is not valid JSON ({exc})") from exc
    except RecursionError as exc:  # "[[[[…": Python's parser gives up before the JSON ends
        raise ReplyError("the reply is not valid JSON (nested too deeply)") from exc


def check_shape(
    data: Any, lists: dict[str, tuple[str, ...]], texts: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Check the reply's shape: top-level strings in `texts`, lists of cited items in `lists`.

    Only structure is checked here; citations are checked against the transcript later,
    because a bad id drops one item, while a bad shape makes the whole reply unusable.
    """
    if not isinstance(data, dict):
        raise ReplyError("the reply must be a JSON object")
    for key in texts:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ReplyError(f"{key!r} must be a non-empty string")
    for key, fields in lists.items():
        items = data.get(key, [])
        if not isinstance(items, list):
            raise ReplyError(f"{key!r} must be a list")
        for n, item in enumerate(items, 1):
            if not isinstance(item, dict):
                raise ReplyError(f"{key}[{n}] must be an object")
            for name in fields:
                if not isinstance(item.get(name), str):
                    raise ReplyError(f"{key}[{n}].{name} must be a string")
            segment = item.get("segment")
            if isinstance(segment, bool) or not isinstance(segment, (int, float)):
                raise ReplyError(f"{key}[{n}].segment must be an integer line id")
            if isinstance(segment, float) and not segment.is_integer():
                raise ReplyError(f"{key}[{n}].segment must be an integer line id")
    return data
