"""An episode's chapters as an outline: each with its start, length and title; the one
playing at a moment; the one before or after it (for Previous/Next Chapter)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from desktop.core.model import Chapter, Segment

# Back within this many seconds of a chapter's start, "previous" goes to the chapter
# before it (as a player's previous-track button does); later, to its own start.
RESTART_WINDOW = 3.0


@dataclass(frozen=True, slots=True)
class OutlineEntry:
    index: int
    start: float
    end: float | None  # the next chapter's start, else the episode's end (None: unknown)
    title: str
    made: bool = False  # made by Earmark, not the episode's own

    @property
    def length(self) -> float | None:
        return None if self.end is None else max(0.0, self.end - self.start)


def outline(chapters: list[Chapter], duration: float | None) -> list[OutlineEntry]:
    ordered = sorted(chapters, key=lambda c: c.start)
    entries = []
    for n, chapter in enumerate(ordered):
        end = ordered[n + 1].start if n + 1 < len(ordered) else duration
        entries.append(OutlineEntry(n, chapter.start, end, chapter.title, chapter.made))
    return entries


def chapter_at(entries: list[OutlineEntry], seconds: float) -> int | None:
    """The chapter playing at `seconds` (None before the first one starts)."""
    at = bisect_right([e.start for e in entries], seconds + 1e-6) - 1
    return at if at >= 0 else None


def neighbour(entries: list[OutlineEntry], seconds: float, step: int) -> OutlineEntry | None:
    """The chapter to jump to from `seconds`: the next one (step 1), or the previous one
    (step -1; the current one's start when more than RESTART_WINDOW into it)."""
    if not entries:
        return None
    current = chapter_at(entries, seconds)
    if step > 0:
        target = 0 if current is None else current + 1
        return entries[target] if target < len(entries) else None
    if current is None:
        return None
    if seconds - entries[current].start > RESTART_WINDOW:
        return entries[current]
    return entries[current - 1] if current > 0 else entries[current]


def heading_rows(
    chapters: Sequence[Chapter],
    segments: Sequence[Segment],
    has_text: Callable[[Segment], bool] = lambda s: bool(s.text.strip()),
) -> dict[int, list[Chapter]]:
    """Where chapter headings go in a transcript: before the first segment (with text)
    whose middle is at or after the chapter's start, so a chapter starting early in a
    segment claims it. Row -> the chapters heading it (two may head one row). The
    Markdown export and the transcript view both place headings by this rule.
    Chapters after the last segment head nothing yet (a transcript still coming in)."""
    ordered = sorted(chapters, key=lambda c: c.start)
    rows: dict[int, list[Chapter]] = {}
    next_chapter = 0
    for row, segment in enumerate(segments):
        if next_chapter >= len(ordered):
            break
        if not has_text(segment):  # a heading goes over text (what the writer shows)
            continue
        middle = (segment.start + max(segment.start, segment.end)) / 2
        while next_chapter < len(ordered) and ordered[next_chapter].start <= middle:
            rows.setdefault(row, []).append(ordered[next_chapter])
            next_chapter += 1
    return rows
