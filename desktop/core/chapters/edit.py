"""A reader's changes to an episode's chapters: rename, add, delete, move.

Each change takes the chapters as they are (in time order) and returns them as they will
be, or says in one line why it cannot be made. Chapters are numbered from 1 as the
outline lists them (`earmark chapters ID`). A chapter the reader names, adds or moves is
the reader's own (made=False): making chapters again never replaces it.
"""

from __future__ import annotations

from dataclasses import replace

from desktop.core.errors import EarmarkError
from desktop.core.model import Chapter
from desktop.core.timecode import short

MAX_TITLE = 200  # characters: a heading, not a paragraph
MIN_APART = 1.0  # seconds between two chapters' starts (two at one moment would be one)


def renamed(chapters: list[Chapter], number: int, title: str) -> list[Chapter]:
    result = _ordered(chapters)
    at = _index(result, number)
    result[at] = replace(result[at], title=_title(title), made=False)
    return result


def added(
    chapters: list[Chapter], start: float, title: str, duration: float | None
) -> list[Chapter]:
    result = _ordered(chapters)
    _check_moment(result, start, duration, skip=None)
    result.append(Chapter(start, _title(title), made=False))
    return _ordered(result)


def deleted(chapters: list[Chapter], number: int) -> list[Chapter]:
    result = _ordered(chapters)
    del result[_index(result, number)]
    return result


def moved(
    chapters: list[Chapter], number: int, start: float, duration: float | None
) -> list[Chapter]:
    result = _ordered(chapters)
    at = _index(result, number)
    _check_moment(result, start, duration, skip=at)
    result[at] = replace(result[at], start=start, made=False)
    return _ordered(result)


def number_at(chapters: list[Chapter], start: float) -> int | None:
    """The number of the chapter starting at `start` (the outline's order)."""
    for n, chapter in enumerate(_ordered(chapters), start=1):
        if abs(chapter.start - start) < 1e-6:
            return n
    return None


def _ordered(chapters: list[Chapter]) -> list[Chapter]:
    return sorted(chapters, key=lambda c: c.start)


def _index(chapters: list[Chapter], number: int) -> int:
    if not chapters:
        raise EarmarkError("the episode has no chapters")
    if not 1 <= number <= len(chapters):
        raise EarmarkError(f"there is no chapter {number}: the episode has 1 to {len(chapters)}")
    return number - 1


def _title(title: str) -> str:
    text = " ".join(title.split())
    if not text:
        raise EarmarkError("a chapter needs a title")
    if len(text) > MAX_TITLE:
        raise EarmarkError(f"a chapter title is at most {MAX_TITLE} characters ({len(text)})")
    return text


def _check_moment(
    chapters: list[Chapter], start: float, duration: float | None, skip: int | None
) -> None:
    if not start >= 0:  # also NaN
        raise EarmarkError(f"{start} is not a moment of the episode")
    if duration is not None and start >= duration:
        raise EarmarkError(
            f"{short(start)} is past the episode's end ({short(duration)}): no chapter there"
        )
    for n, other in enumerate(chapters):
        if n != skip and abs(other.start - start) < MIN_APART:
            raise EarmarkError(
                f"chapter {n + 1} (“{other.title}”) already starts at {short(other.start)}"
            )
