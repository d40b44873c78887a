"""Podcasting 2.0 JSON chapters (the file a <podcast:chapters> element points at), and
chapter marks written in show notes when there is no such file.

    {"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro"}, ...]}

Only what a reader navigates by is kept: a start and a title. Entries marked "toc": false
are, per the spec, for artwork or links shown during playback, not the table of contents.
"""

from __future__ import annotations

import json
import re

from desktop.core.feeds.parse import FeedError
from desktop.core.jsonvalues import time_value
from desktop.core.model import Chapter
from desktop.core.text import clean_line

__all__ = ["chapters_from_notes", "parse_chapters_json"]


_start = time_value  # a start time: a finite number, not negative


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


# A chapter mark in show notes: a line that starts with a time ("12:34", "1:02:03",
# "(12:34)", "[12:34]"), then an optional dash or colon, then the topic.
_MARK = re.compile(
    r"^\s*[\(\[]?((?:\d{1,2}:)?\d{1,2}:\d{2})[\)\]]?\s*(?:[-–—:|]\s*)?(?P<title>\S.*?)\s*$"
)
MIN_NOTE_MARKS = 2  # one time in the notes is a mention, not a table of contents


def chapters_from_notes(text: str, duration: float | None = None) -> list[Chapter]:
    """Chapter marks written in show notes ("12:34 Topic", one per line), when they read as
    a table of contents: at least two, in increasing order, within the episode. None
    otherwise: a time in a sentence ("at 12:34 she said") is not a chapter."""
    found: list[Chapter] = []
    for line in text.splitlines():
        match = _MARK.match(line)
        if match is None:
            continue
        start = _seconds(match.group(1))
        title = clean_line(match.group("title"))
        if start is None or not title or (duration and start > duration):
            continue
        if found and start <= found[-1].start:
            return []  # out of order: not a table of contents
        found.append(Chapter(float(start), title))
    return found if len(found) >= MIN_NOTE_MARKS else []


def _seconds(stamp: str) -> int | None:
    parts = [int(p) for p in stamp.split(":")]
    if any(p >= 60 for p in parts[1:]):
        return None
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + part
    return seconds
