"""JSON schemas the model must answer with, and the checks every reply goes through.

Every length and count is bounded (maxLength/maxItems): servers turn the schema into a
grammar, so a runaway model cannot produce unbounded output. Items cite transcript
lines by id ("segment") and copy a few words of that line ("quote"); the engine checks
the quote against the transcript (insights/quotes.py) and turns ids into times, never
the model. The order of the properties is the order a grammar makes the model write
them: the TL;DR first, so it can be shown while the rest is written.
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
QUOTE_MAX = 200  # a sentence or two of speech: enough to prove, short enough to check


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


def _array(item: dict[str, Any], max_items: int, min_items: int = 0) -> dict[str, Any]:
    array = {"type": "array", "items": item, "maxItems": max_items}
    if min_items:
        # A grammar-constrained model would otherwise close a list at once: an episode
        # always has something to say, so the main lists hold at least one item.
        array["minItems"] = min_items
    return array


_QUOTE: dict[str, Any] = _string(QUOTE_MAX, 1)

KEY_INSIGHT = _object(
    {
        "emoji": _string(EMOJI_MAX),
        "title": _string(TITLE_MAX),
        "text": _string(TEXT_MAX),
        "segment": _SEGMENT,
        "quote": _QUOTE,
    }
)
QA = _object(
    {
        "question": _string(TEXT_MAX),
        "answer": _string(TEXT_MAX),
        "segment": _SEGMENT,
        "quote": _QUOTE,
    }
)
TAKEAWAY = _object({"text": _string(TEXT_MAX), "segment": _SEGMENT, "quote": _QUOTE})

# The final payload (one call for a short episode, the reduce call for a long one).
SCHEMA: dict[str, Any] = _object(
    {
        # minLength: a grammar-constrained model cannot answer "" where text is required.
        "tldr": _string(TLDR_MAX, 1),
        "summary": _string(SUMMARY_MAX, 1),
        "key_insights": _array(KEY_INSIGHT, 6, 1),
        "qa": _array(QA, 5),
        "takeaways": _array(TAKEAWAY, 5, 1),
    }
)

# Partial notes on one chunk of a long transcript (the map calls).
NOTES_SCHEMA: dict[str, Any] = _object(
    {
        "points": _array(TAKEAWAY, 6, 1),
        "questions": _array(QA, 4),
        "takeaways": _array(TAKEAWAY, 4),
    }
)

# Which fields of each list are strings, per schema: the shape checks below use these.
PAYLOAD_LISTS: dict[str, tuple[str, ...]] = {
    "key_insights": ("emoji", "title", "text", "quote"),
    "qa": ("question", "answer", "quote"),
    "takeaways": ("text", "quote"),
}
NOTES_LISTS: dict[str, tuple[str, ...]] = {
    "points": ("text", "quote"),
    "questions": ("question", "answer", "quote"),
    "takeaways": ("text", "quote"),
}
PAYLOAD_TEXTS = ("tldr", "summary")
# The one-field reply asked for when an item's quote was not found (see engine._requote).
REQUOTE_SCHEMA: dict[str, Any] = _object(
    {"quotes": _array(_object({"item": {"type": "integer", "minimum": 1}, "quote": _QUOTE}), 20)}
)


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


def with_quote_choices(schema: dict[str, Any], choices: list[str]) -> dict[str, Any]:
    """The schema with every "quote" held to one of `choices` (exact transcript text): a
    grammar then lets a small model copy a sentence, never write one of its own."""
    if isinstance(schema, dict):
        copied = {key: with_quote_choices(value, choices) for key, value in schema.items()}
        properties = copied.get("properties")
        if isinstance(properties, dict) and "quote" in properties and choices:
            properties["quote"] = {"type": "string", "enum": choices}
        return copied
    if isinstance(schema, list):
        return [with_quote_choices(value, choices) for value in schema]
    return schema


# A reply's characters per token, low on purpose: emoji and digits take a token or more
# each, and a small model that fills every string to its maxLength writes little else.
CHARS_PER_TOKEN = 2.5
MIN_TEXT_LENGTH = 60


def worst_chars(schema: Any) -> int:
    """The longest JSON text the schema allows (escapes aside)."""
    if not isinstance(schema, dict):
        return 0
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        return 2 + sum(len(k) + 6 + worst_chars(v) for k, v in properties.items())
    if kind == "array":
        return 2 + int(schema.get("maxItems", 1)) * (worst_chars(schema.get("items")) + 1)
    if kind == "string":
        if "enum" in schema:
            return 2 + max((len(str(v)) for v in schema["enum"]), default=0)
        return 2 + int(schema.get("maxLength", TEXT_MAX))
    return 12  # a number


def fit_to_tokens(schema: dict[str, Any], max_tokens: int) -> dict[str, Any]:
    """The schema with fewer items, then shorter texts, until even a reply that fills
    every field to its limit ends within `max_tokens`: a grammar-held model then never
    has its JSON cut off by the token limit (and asked again in vain)."""
    fitted = json.loads(json.dumps(schema))
    budget = int(max_tokens * CHARS_PER_TOKEN * 0.9)
    # Texts first down to half their length (a shorter summary reads better than none of
    # the takeaways), then fewer items, then texts down to MIN_TEXT_LENGTH.
    for shorten, floor in ((True, 0.5), (False, 0.0), (True, 0.0)):
        while worst_chars(fitted) > budget:
            done = _shorter_texts(fitted, schema, floor) if shorten else _fewer_items(fitted)
            if not done:
                break
    return fitted


def _arrays(schema: Any) -> list[dict[str, Any]]:
    if not isinstance(schema, dict):
        return []
    found = [schema] if schema.get("type") == "array" else []
    for value in schema.get("properties", {}).values():
        found += _arrays(value)
    return found + _arrays(schema.get("items"))


def _fewer_items(schema: dict[str, Any]) -> bool:
    """One item fewer in the list that costs most, keeping minItems (and one item)."""
    arrays = [a for a in _arrays(schema) if a["maxItems"] > max(1, a.get("minItems", 0))]
    if not arrays:
        return False
    largest = max(arrays, key=worst_chars)
    largest["maxItems"] -= 1
    return True


def _shorter_texts(schema: Any, original: Any, floor: float, key: str = "") -> bool:
    """Every free text a fifth shorter, not below `floor` of its original length nor
    MIN_TEXT_LENGTH (emoji and quotes keep theirs); False when none can shrink."""
    if not isinstance(schema, dict) or not isinstance(original, dict):
        return False
    changed = False
    limit = schema.get("maxLength")
    if schema.get("type") == "string" and limit and key not in ("emoji", "quote"):
        least = max(MIN_TEXT_LENGTH, int(original["maxLength"] * floor))
        shorter = max(least, int(limit * 0.8))
        if shorter < limit:
            schema["maxLength"] = shorter
            changed = True
    for name, value in schema.get("properties", {}).items():
        changed = _shorter_texts(value, original["properties"][name], floor, name) or changed
    if "items" in schema:
        changed = _shorter_texts(schema["items"], original["items"], floor) or changed
    return changed
