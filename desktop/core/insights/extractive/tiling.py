"""Where an episode's topics change: TextTiling (Hearst 1997) over the sentence vectors.

For every gap between two sentences, the cohesion is the cosine similarity of what was said
in the WINDOW_SECONDS before it and the WINDOW_SECONDS after it. Windows are measured in
time, not sentences, so a transcript of long Markdown paragraphs and one of short Whisper
segments are read at the same scale. The curve is smoothed (SMOOTH_SECONDS each way), and
each gap's depth is how far it lies below the peaks on either side (TextTiling's depth
score): a topic shift is a deep valley, wherever it falls. The cuts are the deepest valleys
at least `min_gap` seconds apart (and from either end); a part that is still too long gets
the deepest valley inside it.

Measured on a 90-minute interview with its 15 real chapters hidden (bench/chapters.py):
the valleys found 10 of the real chapter starts within 60 s where evenly spaced cuts of the
same number found 6, and the earlier rule (even shares moved to the nearest valley) 7.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from desktop.core.insights.extractive.rank import SentenceSpace

WINDOW_SECONDS = 150.0  # what is compared across a gap: 2.5 minutes of talk on each side
SMOOTH_SECONDS = 60.0  # the cohesion curve is averaged over a minute each way


def sections(
    space: SentenceSpace,
    times: Sequence[float],
    count: int,
    min_gap: float | None = None,
    max_length: float | None = None,
) -> list[int]:
    """Boundaries (sentence indexes, ascending) that cut the episode into at most `count`
    topic sections, none shorter than `min_gap` seconds (default: a third of an even
    share) and, where a valley allows, none longer than `max_length`."""
    n = space.matrix.shape[0]
    if count <= 1 or n < 2:
        return []
    starts = np.asarray(times, dtype=float)
    span = float(starts[-1] - starts[0])
    min_gap = span / count / 3 if min_gap is None else min_gap
    depth = valley_depths(space, starts)
    cuts = _deepest(depth, starts, count - 1, min_gap, range(1, n))
    if max_length is not None:
        cuts = _split_long(depth, starts, cuts, min_gap, max_length)
    return cuts


def valley_depths(space: SentenceSpace, starts: np.ndarray) -> np.ndarray:
    """TextTiling depth of every gap (index g: between sentence g-1 and g; 0 and n unused)."""
    firsts = np.searchsorted(starts, starts - WINDOW_SECONDS)
    lasts = np.searchsorted(starts, starts + WINDOW_SECONDS)
    smooth = _smoothed(_cohesion(space, firsts, lasts), starts)
    n = len(starts)
    depth = np.zeros(n + 1)
    for gap in range(1, n):
        left = gap
        while left > 1 and smooth[left - 1] >= smooth[left]:
            left -= 1
        right = gap
        while right < n - 1 and smooth[right + 1] >= smooth[right]:
            right += 1
        depth[gap] = (smooth[left] - smooth[gap]) + (smooth[right] - smooth[gap])
    return depth


def _cohesion(space: SentenceSpace, firsts: np.ndarray, lasts: np.ndarray) -> np.ndarray:
    """Cosine similarity of the summed sentence vectors on each side of every gap g:
    sentences firsts[g]..g-1 against g..lasts[g]-1 (at least one each way).

    Computed from the sentence-similarity matrix (dot products of unit vectors), so no
    dense term matrix is ever built: a.b sums the block across the gap, |a|^2 the block
    inside a window plus one per non-empty sentence.
    """
    n = space.matrix.shape[0]
    sim = space.similarity
    self_norms = (space.matrix.getnnz(axis=1) > 0).astype(float)
    cohesion = np.ones(n + 1)
    for gap in range(1, n):
        before = slice(min(int(firsts[gap]), gap - 1), gap)
        after = slice(gap, max(int(lasts[gap]), gap + 1))
        dot = sim[before, after].sum()
        norm = np.sqrt(
            (sim[before, before].sum() + self_norms[before].sum())
            * (sim[after, after].sum() + self_norms[after].sum())
        )
        cohesion[gap] = dot / norm if norm else 0.0
    return cohesion


def _smoothed(cohesion: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The mean cohesion of the gaps within SMOOTH_SECONDS of each gap."""
    n = len(starts)
    if n < 3:
        return cohesion
    totals = np.concatenate(([0.0], np.cumsum(cohesion[1:n])))  # totals[k]: gaps 1..k
    firsts = np.maximum(np.searchsorted(starts, starts - SMOOTH_SECONDS), 1)
    lasts = np.minimum(np.searchsorted(starts, starts + SMOOTH_SECONDS, side="right") - 1, n - 1)
    smooth = cohesion.copy()
    for gap in range(1, n):
        lo, hi = int(firsts[gap]), max(int(lasts[gap]), int(firsts[gap]))
        smooth[gap] = (totals[hi] - totals[lo - 1]) / (hi - lo + 1)
    return smooth


def _deepest(
    depth: np.ndarray, starts: np.ndarray, wanted: int, min_gap: float, gaps: range
) -> list[int]:
    """Up to `wanted` of `gaps`, deepest first, each `min_gap` s from the others and ends."""
    begin, end = starts[0], starts[-1]
    chosen: list[int] = []
    for gap in sorted(gaps, key=lambda g: (-depth[g], g)):
        if len(chosen) >= wanted:
            break
        moment = starts[gap]
        if moment - begin < min_gap or end - moment < min_gap:
            continue
        if all(abs(moment - starts[c]) >= min_gap for c in chosen):
            chosen.append(gap)
    return sorted(chosen)


def _split_long(
    depth: np.ndarray, starts: np.ndarray, cuts: list[int], min_gap: float, max_length: float
) -> list[int]:
    """Cut every part longer than `max_length` at its deepest valley, until none is (or
    none can be cut without a part under `min_gap`)."""
    cuts = list(cuts)
    while True:
        edges = [0, *cuts, len(starts)]
        added = False
        for lo, hi in itertools.pairwise(edges):
            stop = starts[hi] if hi < len(starts) else starts[-1]
            if stop - starts[lo] <= max_length:
                continue
            inside = [
                g
                for g in range(lo + 1, hi)
                if starts[g] - starts[lo] >= min_gap and stop - starts[g] >= min_gap
            ]
            if inside:
                cuts.append(max(inside, key=lambda g: depth[g]))
                added = True
        if not added:
            return sorted(set(cuts))
        cuts.sort()


def spread_sections(
    space: SentenceSpace, times: Sequence[float], count: int, window: int = 6
) -> list[int]:
    """Boundaries that cut the episode into `count` sections covering it evenly (the
    insight engine's sections, one sentence from each: no part goes without).

    Each boundary starts at an equal share of the episode's time and moves to the lowest
    cohesion within a quarter share, cohesion compared across `window` sentences each way
    (unsmoothed: the insights' recall was measured and tuned on this curve).
    """
    n = space.matrix.shape[0]
    if count <= 1 or n < 2:
        return []
    gaps = np.arange(n)
    depth = 1.0 - _cohesion(space, np.maximum(gaps - window, 0), np.minimum(gaps + window, n))
    starts = np.asarray(times, dtype=float)
    begin, share = starts[0], (starts[-1] - starts[0]) / count
    boundaries: list[int] = []
    for k in range(1, count):
        lo = int(np.searchsorted(starts, begin + (k - 0.25) * share))
        hi = int(np.searchsorted(starts, begin + (k + 0.25) * share))
        lo = max(lo, boundaries[-1] + 1 if boundaries else 1)
        if lo >= n:
            break
        window_gaps = range(lo, max(lo + 1, min(hi, n - 1) + 1))
        boundaries.append(max(window_gaps, key=lambda gap: depth[gap]))
    return boundaries
