"""Chapters of a Markdown transcript: its headings, and its front-matter table of contents.

A heading has no time of its own (unless it carries a stamp): its chapter starts at the
first segment after it. A table-of-contents entry names a heading by anchor ("#devcon0")
or title, or carries its own time in a video link ("…&t=115s").
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.core.importers.frontmatter import TocEntry
from desktop.core.importers.raw import ParseResult
from desktop.core.model import Chapter


@dataclass(slots=True)
class Heading:
    line: int
    title: str
    start: float | None  # a stamp inside the heading itself
    anchor: str  # its HTML id, kramdown {#id}, or the slug Jekyll would give it


def place_chapters(
    headings: list[Heading],
    toc: list[TocEntry],
    segments: list[tuple[int, float]],
    result: ParseResult,
) -> None:
    """Chapters from headings (placed at the next of `segments`: (line, start)) and the TOC."""
    placed: list[tuple[Heading, float]] = []
    position = 0
    for heading in headings:
        while position < len(segments) and segments[position][0] <= heading.line:
            position += 1
        start = heading.start
        if start is None and position < len(segments):
            start = segments[position][1]
        if start is None:
            result.warnings.append(
                f"line {heading.line}: chapter '{heading.title}' has no timestamp after it"
            )
            continue
        if placed and placed[-1][1] == start and heading.start is None:
            placed.pop()  # headings with nothing between them: the nearer one names the part
        placed.append((heading, start))
    result.chapters.extend(Chapter(start, heading.title) for heading, start in placed)
    _add_toc(toc, [heading for heading, _ in placed], result)


def _add_toc(toc: list[TocEntry], headings: list[Heading], result: ParseResult) -> None:
    """Entries that name no placed heading become chapters when they carry their own time."""
    anchors = {heading.anchor.lower() for heading in headings}
    titles = {heading.title.casefold() for heading in headings}
    unplaced = 0
    for entry in toc:
        link = (entry.link or "").strip()
        if (link.startswith("#") and link[1:].lower() in anchors) or (
            entry.title.casefold() in titles
        ):
            continue  # the heading already made this chapter
        if entry.start is not None:
            result.chapters.append(Chapter(entry.start, entry.title))
        else:
            unplaced += 1
    if unplaced:
        result.warnings.append(
            f"{unplaced} table-of-contents entries match no heading and give no time; "
            "left out of the chapters"
        )
