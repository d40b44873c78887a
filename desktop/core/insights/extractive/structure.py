"""The episode's structure: its topic sections, and the sentences that say what it is about.

Sections are the transcript's own chapters when it has them, else its topic shifts
(tiling.sections). The opening's framing sentences ("we talked about his new company...",
"I will tell you about...") name the themes the written TL;DR favours (brief.py). A
transcript in another language gets a TL;DR of its own sentences instead (`tldr`): those
framing sentences, completed with the sentence closest to the whole episode's vocabulary.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import numpy as np

from desktop.core.insights.extractive.rank import SentenceSpace
from desktop.core.insights.extractive.tiling import spread_sections
from desktop.core.model import Chapter

MIN_SECTION_SECONDS = 45.0  # a chapter shorter than this (an intro, a break) is no topic
TLDR_WORDS = 70

_FRAMING = re.compile(
    r"\b(?:talk(?:ed|ing)? (?:a (?:bit|little) )?about|tell (?:you|us) about|"
    r"(?:this|today'?s) (?:episode|show|talk|lecture|podcast|conversation|interview)|"
    r"today,? (?:we|i|my guest)\b|my guest|"
    r"we(?:'re| are|'ll| will) (?:going to |gonna )?(?:discuss|cover|talk|look|explore|dive)|"
    r"i(?:'m| am|'ll| will) (?:going to |gonna )?(?:discuss|cover|talk|tell|explain|present)|"
    r"in this (?:talk|episode|lecture|video|conversation)|(?:is|was) about|"
    r"(?:we|i) (?:also )?(?:covered|discussed|talked))\b",
    re.IGNORECASE,
)


def topic_sections(
    space: SentenceSpace,
    starts: Sequence[float],
    chapters: Sequence[Chapter],
    end: float,
    count: int,
) -> list[tuple[int, int]]:
    """(first, past-last) sentence ranges of the episode's topics, in order."""
    n = len(starts)
    if chapters:
        ordered = sorted(chapters, key=lambda c: c.start)
        bounds = [c.start for c in ordered[1:]] + [end]
        ranges = []
        for chapter, stop in zip(ordered, bounds, strict=True):
            if stop - chapter.start < MIN_SECTION_SECONDS:
                continue
            lo = int(np.searchsorted(np.asarray(starts), chapter.start - 1e-6))
            hi = int(np.searchsorted(np.asarray(starts), stop - 1e-6))
            if hi > lo:
                ranges.append((lo, hi))
        if ranges:
            return ranges
    edges = [0, *spread_sections(space, starts, count), n]
    return [(lo, hi) for lo, hi in itertools.pairwise(edges) if hi > lo]


def tldr(
    space: SentenceSpace,
    cleaned: Sequence[str],
    starts: Sequence[float],
    pool: Sequence[int],
    weight: np.ndarray,
) -> list[int]:
    """One to three sentences saying what the episode is about, in spoken order.

    From the opening (its first 12%, at least two minutes), up to two sentences that frame
    the episode; then, to make two (three while short), the pool's sentences most like the
    episode as a whole.
    """
    if not pool:
        return []
    central = space.centrality() * weight
    framing = [i for i in framing_rows(cleaned, starts) if i in set(pool)]
    chosen: list[int] = []
    for i in sorted(framing, key=lambda i: -central[i]):
        if len(chosen) == 2 or _words(cleaned, [*chosen, i]) > TLDR_WORDS:
            continue
        if central[i] >= 0.1 * central[list(pool)].max():
            chosen.append(i)
    while len(chosen) < 2 or (len(chosen) < 3 and _words(cleaned, chosen) < 25):
        rest = [i for i in pool if i not in chosen and _words(cleaned, [*chosen, i]) <= TLDR_WORDS]
        picked = space.mmr(central, rest, 1, chosen=chosen, balance=0.6)
        if not picked:
            break
        chosen += picked
    return sorted(chosen)


def framing_rows(cleaned: Sequence[str], starts: Sequence[float]) -> list[int]:
    """Sentences of the opening (its first 12%, at least two minutes) that say what the
    episode is about ("we talked about his new company, ZEIT...")."""
    begin, end = starts[0], starts[-1]
    opening = begin + max(0.12 * (end - begin), 120.0)
    return [i for i, text in enumerate(cleaned) if starts[i] <= opening and _FRAMING.search(text)]


def _words(cleaned: Sequence[str], rows: Sequence[int]) -> int:
    return sum(len(cleaned[i].split()) for i in rows)
