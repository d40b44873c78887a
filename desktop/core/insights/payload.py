"""The versioned insight payload stored in the `insights` table.

Every item carries `start`: the start time of the segment that supports it. Version 2
adds what proves a generated item: `quote` (the transcript's own words, checked by
insights/quotes.py) and `end` (where the quoted passage ends), and on the payload
`dropped` (generated items left out because their quote is not in the transcript).
Version 1 payloads read as items without quotes.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

PAYLOAD_VERSION = 2


class PayloadError(ValueError):
    """A stored or received payload does not match the schema."""


@dataclass(frozen=True, slots=True)
class KeyInsight:
    emoji: str
    title: str
    text: str
    start: float
    quote: str = ""  # verbatim words of the transcript it rests on ("" for extracted items)
    end: float | None = None  # end of the quoted passage


@dataclass(frozen=True, slots=True)
class QuestionAnswer:
    question: str
    answer: str
    start: float
    quote: str = ""
    end: float | None = None


@dataclass(frozen=True, slots=True)
class Takeaway:
    text: str
    start: float
    quote: str = ""
    end: float | None = None


@dataclass(frozen=True, slots=True)
class Insights:
    tldr: str
    summary: str
    engine: str
    model: str | None = None
    created: str | None = None
    key_insights: list[KeyInsight] = field(default_factory=list)
    qa: list[QuestionAnswer] = field(default_factory=list)
    takeaways: list[Takeaway] = field(default_factory=list)
    dropped: int = 0  # generated items whose quote was not found, left out
    version: int = PAYLOAD_VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> Insights:
        if not isinstance(data, dict):
            raise PayloadError("insight payload must be a JSON object")
        try:
            return cls(
                tldr=_text(data, "tldr"),
                summary=_text(data, "summary"),
                engine=_text(data, "engine"),
                model=_optional_text(data, "model"),
                created=_optional_text(data, "created"),
                key_insights=[
                    KeyInsight(
                        _text(i, "emoji"),
                        _text(i, "title"),
                        _text(i, "text"),
                        _time(i),
                        *_proof(i),
                    )
                    for i in _items(data, "key_insights")
                ],
                qa=[
                    QuestionAnswer(_text(i, "question"), _text(i, "answer"), _time(i), *_proof(i))
                    for i in _items(data, "qa")
                ],
                takeaways=[
                    Takeaway(_text(i, "text"), _time(i), *_proof(i))
                    for i in _items(data, "takeaways")
                ],
                dropped=_count(data, "dropped"),
                version=_version(data),
            )
        except (TypeError, ValueError) as exc:
            raise PayloadError(str(exc)) from exc


def _items(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise PayloadError(f"{key!r} must be a list of objects")
    return items


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise PayloadError(f"{key!r} must be a string")
    return value


def _optional_text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise PayloadError(f"{key!r} must be a string or null")
    return value


def _version(data: dict[str, Any]) -> int:
    # A whole number only: int() of "1", 1.5 or infinity would pass or raise OverflowError.
    value = data.get("version", PAYLOAD_VERSION)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PayloadError("'version' must be an integer")
    return value


def _proof(data: dict[str, Any]) -> tuple[str, float | None]:
    """(quote, end) of an item; absent in version 1 payloads and in extracted items."""
    quote = data.get("quote", "")
    if not isinstance(quote, str):
        raise PayloadError("'quote' must be a string")
    end = None if data.get("end") is None else _time(data, "end")
    return quote, end


def _count(data: dict[str, Any], key: str) -> int:
    value = data.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PayloadError(f"{key!r} must be a whole number, 0 or more")
    return value


def _time(data: dict[str, Any], key: str = "start") -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PayloadError(f"{key!r} must be a non-negative number of seconds")
    try:
        start = float(value)  # an int too large for a float raises OverflowError
    except OverflowError:
        start = math.inf
    # NaN passes `< 0`; it and infinity are no time to seek to, and JSON cannot store them.
    if not math.isfinite(start) or start < 0:
        raise PayloadError(f"{key!r} must be a non-negative number of seconds")
    return start
