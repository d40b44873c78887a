"""YAML front matter of Markdown transcripts: title, language and a table of contents.

Only the few shapes podcast sites write are read, with a line scanner rather than a YAML
library: a malformed header must never stop the transcript below it from importing.

    table_of_contents:            (also "toc:" or "chapters:")
      - link: "#introduction"     a heading's anchor, or a URL with "t=115s"
        title: "Introduction"
      - title: "Intro"
        time: "01:55"             (also "start:" or "timestamp:")
      - "01:55 Introduction"      a plain string starting with a clock
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from desktop.core.importers.timestamps import BadTimestamp, parse_clock

_FIELD_RE = re.compile(r"^(title|language):\s*(.*?)\s*$", re.IGNORECASE)
_TOC_KEY_RE = re.compile(r"^(?:table_of_contents|toc|chapters):\s*$", re.IGNORECASE)
_ITEM_RE = re.compile(r"^(\s*)-\s*(.*?)\s*$")
_PAIR_RE = re.compile(r"^([A-Za-z_]\w{0,30}):\s*(.*?)\s*$")
# "?t=115", "&t=115s", "#t=1h2m3s", "?start=115": a video link's start time.
_LINK_TIME_RE = re.compile(
    r"[?&#](?:t|start)=(?:(?P<h>\d{1,4})h)?(?:(?P<m>\d{1,6})m)?(?:(?P<s>\d{1,9})s?)?(?:$|[&#])"
)
_LEADING_CLOCK_RE = re.compile(r"^\[?(\d{1,6}(?::\d{1,2}){1,2}(?:[.,]\d{1,9})?)\]?\s*[-–—:|]?\s*")


@dataclass(slots=True)
class TocEntry:
    title: str
    link: str | None = None
    start: float | None = None  # when the entry itself says when it starts


@dataclass(slots=True)
class FrontMatter:
    body_start: int = 0  # index of the first line after the header
    title: str | None = None
    language: str | None = None
    toc: list[TocEntry] = field(default_factory=list)


def read_front_matter(lines: list[str]) -> FrontMatter:
    """The header's fields; body_start 0 when the file has no front matter."""
    found = FrontMatter()
    if not lines or lines[0].strip() != "---":
        return found
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            header = lines[1:index]
            found.body_start = index + 1
            _fields(header, found)
            found.toc = _toc(header)
            return found
    return found  # no closing fence: it was a horizontal rule, not front matter


def _unquote(value: str) -> str:
    r"""A YAML scalar's text: "double" quotes take backslash escapes (`\\`, `\"`, `\u00e9`;
    JSON's are a subset, and Earmark writes titles with them), 'single' quotes double `'`."""
    if len(value) < 2 or value[0] != value[-1] or value[0] not in "\"'":
        return value
    if value[0] == "'":
        return value[1:-1].replace("''", "'")
    try:
        decoded = json.loads(value)
    except ValueError:  # a YAML-only escape ("\x41", "\e"): keep the text, quotes off
        return value[1:-1].replace('\\"', '"')
    return decoded if isinstance(decoded, str) else value[1:-1]


def _fields(header: list[str], found: FrontMatter) -> None:
    for line in header:
        match = _FIELD_RE.match(line)
        if match is None or not match.group(2):
            continue
        value = _unquote(match.group(2)).strip()
        if match.group(1).lower() == "title":
            found.title = value or found.title
        else:
            found.language = value or found.language


def _toc(header: list[str]) -> list[TocEntry]:
    """Entries of the first table-of-contents list in the header."""
    start = next((i for i, line in enumerate(header) if _TOC_KEY_RE.match(line)), None)
    if start is None:
        return []
    items: list[dict[str, str]] = []
    for line in header[start + 1 :]:
        if line.strip() and not line[0].isspace() and not line.startswith("-"):
            break  # the next top-level key ends the list
        item = _ITEM_RE.match(line)
        text = item.group(2) if item else line.strip()
        if item:
            items.append({})
        pair = _PAIR_RE.match(text)
        if items and pair:
            items[-1][pair.group(1).lower()] = _unquote(pair.group(2))
        elif items and item and text:
            items[-1]["title"] = _unquote(text)  # "- 01:55 Introduction"
    return [entry for entry in map(_entry, items) if entry is not None]


def _entry(item: dict[str, str]) -> TocEntry | None:
    title = (item.get("title") or item.get("name") or item.get("text") or "").strip()
    link = item.get("link") or item.get("url") or item.get("href")
    start = _clock(item.get("time") or item.get("start") or item.get("timestamp"))
    leading = _LEADING_CLOCK_RE.match(title)
    if leading and start is None:
        start = _clock(leading.group(1))
        title = title[leading.end() :] if start is not None else title
    if start is None and link:
        start = link_time(link)
    return TocEntry(title.strip(), link, start) if title.strip() else None


def _clock(token: str | None) -> float | None:
    if not token:
        return None
    try:
        return parse_clock(_unquote(token.strip()))
    except BadTimestamp:
        return None


def link_time(url: str) -> float | None:
    """The start time a video link carries ("…&t=115s", "youtu.be/x?t=1h2m3s"), if any."""
    found = _LINK_TIME_RE.search(url)
    if found is None or not any(found.group(g) for g in "hms"):
        return None
    return sum(int(found.group(g) or 0) * k for g, k in (("h", 3600), ("m", 60), ("s", 1)))
