"""The Summary: one line per chapter or topic section, in time order, each with its time.

A line reads "[12:09] Yellow Paper and multi-client development — <the section's most
representative sentence>": the chapter's title, or without chapters the section's two best
keyphrases, then a sentence of the section that says them. Long episodes are cut into at
most MAX_LINES sections (the shortest merged into a neighbour), so the Summary stays a
page's glance. Lines are separated by "\\n".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from desktop.core.insights.extractive.brief import chapter_topics, join
from desktop.core.insights.extractive.keyphrases import KeyphraseIndex
from desktop.core.insights.extractive.lexicon import has_verb
from desktop.core.model import Chapter

MAX_LINES = 12
MIN_LINES = 3
MINUTES_PER_LINE = 8.0
SHORT_WORDS = 30  # a summary sentence longer than this is cut at a clause, when it can be

# (candidate rows, weight per row) -> the chosen row, or None; the engine's picker, which
# never gives a sentence shown elsewhere.
Pick = Callable[[list[int], np.ndarray], int | None]


def line_count(duration: float) -> int:
    """One line per ~8 minutes, at least 3, at most MAX_LINES."""
    return int(np.clip(round(duration / 60 / MINUTES_PER_LINE), MIN_LINES, MAX_LINES))


def merge(ranges: Sequence[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    """Adjacent ranges merged, the shortest into its shorter neighbour, until `limit` remain."""
    merged = list(ranges)
    while len(merged) > limit:
        shortest = min(range(len(merged)), key=lambda k: (merged[k][1] - merged[k][0], k))
        if shortest == 0:
            other = 1
        elif shortest == len(merged) - 1:
            other = shortest - 1
        else:
            left, right = merged[shortest - 1], merged[shortest + 1]
            other = shortest - 1 if left[1] - left[0] <= right[1] - right[0] else shortest + 1
        a, b = sorted((shortest, other))
        merged[a : b + 1] = [(merged[a][0], merged[b][1])]
    return merged


def summary(
    index: KeyphraseIndex,
    ranges: Sequence[tuple[int, int]],
    starts: Sequence[float],
    chapters: Sequence[Chapter],
    cleaned: Sequence[str],
    pick: Pick,
) -> str:
    """The Summary's lines, "\\n"-separated, one per range (ranges in time order)."""
    lines = []
    for lo, hi in _distinct_starts(ranges, starts):
        rows = list(range(lo, hi))
        titles = _chapter_titles(chapters, starts[lo], starts[hi - 1])
        topics = [t for t in titles if t in chapter_topics([Chapter(0.0, t)])]
        titles = topics or titles  # "Introduction; Swarm origins" says "Swarm origins"
        keys = index.best(index.scores(rows), 2)
        theme = "; ".join(titles) if titles else join([index.text(k) for k in keys])
        weight = np.array([_weight(index, r, keys, cleaned[r]) for r in rows])
        chosen = pick(rows, weight)
        text = shorten(cleaned[chosen]) if chosen is not None else ""
        lines.append(_line(starts[lo], theme, text))
    return "\n".join(line for line in lines if line)


def _distinct_starts(
    ranges: Sequence[tuple[int, int]], starts: Sequence[float]
) -> list[tuple[int, int]]:
    """The ranges, a range that starts in the same segment as the one before it (two
    sentences of one caption) joined to it: two lines never show the same time."""
    joined: list[tuple[int, int]] = []
    for lo, hi in ranges:
        if joined and starts[lo] <= starts[joined[-1][0]]:
            joined[-1] = (joined[-1][0], hi)
        else:
            joined.append((lo, hi))
    return joined


def _weight(index: KeyphraseIndex, row: int, keys: list[str], text: str) -> float:
    """Favour a sentence that says the line's keyphrases and is short enough to glance at."""
    says = 1.5 if set(keys) & set(index.in_row[row]) else 1.0
    return says * (1.0 if len(text.split()) <= SHORT_WORDS else 0.7)


def _chapter_titles(chapters: Sequence[Chapter], first: float, last: float) -> list[str]:
    """Titles of the chapters that overlap the section from `first` to `last` seconds."""
    ordered = sorted(chapters, key=lambda c: c.start)
    ends = [c.start for c in ordered[1:]] + [float("inf")] if ordered else []
    return [
        " ".join(c.title.split()).replace(" — ", ", ")
        for c, end in zip(ordered, ends, strict=True)
        if c.start <= last + 1e-6 and end > first + 1e-6 and c.title.strip()
    ]


def _line(start: float, theme: str, text: str) -> str:
    theme = theme[:1].upper() + theme[1:]
    if theme and text:
        return f"[{clock(start)}] {theme} — {text}"
    if theme or text:
        return f"[{clock(start)}] {theme or text}"
    return ""


def clock(seconds: float) -> str:
    """ "07:05" or, from an hour on, "1:02:03"."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


_CLAUSE_END = re.compile(r";\s+|,\s+(?=(?:and|but|so|because|which|where|while)\b)|\s+[—–]\s+")


def shorten(sentence: str, limit: int = SHORT_WORDS) -> str:
    """The sentence, or its first clauses when it runs past `limit` words: cut where a
    clause ends, keeping at least 8 words and a verb, so that it still reads whole."""
    if len(sentence.split()) <= limit:
        return sentence
    best = None
    for found in _CLAUSE_END.finditer(sentence):
        head = sentence[: found.start()].rstrip(" ,;")
        if 8 <= len(head.split()) <= limit and has_verb(head):
            best = head
    return f"{best}." if best else sentence
