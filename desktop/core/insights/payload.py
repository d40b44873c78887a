"""The versioned insight payload stored in the `insights` table.

Every item carries `start`: the start time of the segment that supports it.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

PAYLOAD_VERSION = 1


class PayloadError(ValueError):
    """A stored or received payload does not match the schema."""


@dataclass(frozen=True, slots=True)
class KeyInsight:
    emoji: str
    title: str
    text: str
    start: float


@dataclass(frozen=True, slots=True)
class QuestionAnswer:
    question: str
    answer: str
    start: float


@dataclass(frozen=True, slots=True)
class Takeaway:
    text: str
    start: float


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
                    KeyInsight(_text(i, "emoji"), _text(i, "title"), _text(i, "text"), _time(i))
                    for i in _items(data, "key_insights")
                ],
                qa=[
                    QuestionAnswer(_text(i, "question"), _text(i, "answer"), _time(i))
                    for i in _items(data, "qa")
                ],
                takeaways=[Takeaway(_text(i, "text"), _time(i)) for i in _items(data, "takeaways")],
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


def _time(data: dict[str, Any]) -> float:
    value = data.get("start")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PayloadError("'start' must be a non-negative number of seconds")
    try:
        start = float(value)  # an int too large for a float raises OverflowError
    except OverflowError:
        start = math.inf
    # NaN passes `< 0`; it and infinity are no time to seek to, and JSON cannot store them.
    if not math.isfinite(start) or start < 0:
        raise PayloadError("'start' must be a non-negative number of seconds")
    return start
