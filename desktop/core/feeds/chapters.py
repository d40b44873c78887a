"""Podcasting 2.0 JSON chapters (the file a <podcast:chapters> element points at).

    {"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro"}, ...]}

Only what a reader navigates by is kept: a start and a title. Entries marked "toc": false
are, per the spec, for artwork or links shown during playback, not the table of contents.
"""

from __future__ import annotations

import json
import math
from typing import Any

from desktop.core.feeds.parse import FeedError
from desktop.core.model import Chapter
from desktop.core.text import clean_line

__all__ = ["parse_chapters_json"]


def _start(value: Any) -> float | None:
    # bool is an int to Python, but `true` is not a time.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        start = float(value)
    except OverflowError:  # an integer beyond a float
        return None
    return start if math.isfinite(start) and start >= 0 else None


def parse_chapters_json(data: bytes, source: str) -> list[Chapter]:
    """The chapters in a Podcasting 2.0 JSON chapters file, sorted by start.

    Entries without a title, with a missing, negative or non-numeric startTime, or with
    "toc": false are skipped; FeedError (naming `source`) when `data` is not such a file.
    """
    try:
        document = json.loads(data)
    except RecursionError as exc:
        raise FeedError(f"{source} is not a chapters file: its JSON is nested too deeply") from exc
    except ValueError as exc:  # JSONDecodeError, or bytes that are not UTF-8/16/32
        raise FeedError(f"{source} is not a chapters file: invalid JSON ({exc})") from exc
    chapters = document.get("chapters") if isinstance(document, dict) else None
    if not isinstance(chapters, list):
        raise FeedError(f'{source} is not a Podcasting 2.0 chapters file (no "chapters" list)')
    found: list[Chapter] = []
    for entry in chapters:
        if not isinstance(entry, dict) or entry.get("toc") is False:
            continue
        start = _start(entry.get("startTime"))
        raw_title = entry.get("title")
        title = clean_line(raw_title) if isinstance(raw_title, str) else ""
        if start is not None and title:
            found.append(Chapter(start, title))
    found.sort(key=lambda chapter: chapter.start)  # stable: equal starts keep file order
    return found
