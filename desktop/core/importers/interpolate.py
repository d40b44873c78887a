"""Start times for paragraphs the file did not stamp, from the ones it did.

Published transcripts stamp some paragraphs only (The Changelog: 23 stamps in 170
paragraphs). Speech runs at a fairly even rate, so an unstamped paragraph starts where
the text before it, read at the rate between the stamps around it, would end.
"""

from __future__ import annotations

import itertools

from desktop.core.importers.normalize import WORDS_PER_SECOND

# Characters per second of speech when the file has too few stamps to measure its own rate:
# 2.5 words a second at about six characters a word (with the space).
DEFAULT_CHARS_PER_SECOND = WORDS_PER_SECOND * 6
# A measured rate outside this range comes from stamps that jump (an edited recording);
# extrapolating with it would put the last paragraphs hours away.
_RATE_RANGE = (5.0, 40.0)
_OPENING_SHARE = 0.5


def fill_starts(starts: list[float | None], lengths: list[int]) -> list[float]:
    """A start for every paragraph; `starts` holds the stamped ones (at least one).

    Between two stamps the paragraphs share the time by text length. Before the first
    stamp they run from 0 (or, when short, are read backwards from it at the file's
    rate); after the last stamp, forwards at that rate.
    """
    known = [i for i, start in enumerate(starts) if start is not None]
    if not known:
        raise ValueError("fill_starts needs at least one stamped paragraph")
    times = {i: float(starts[i]) for i in known}  # type: ignore[arg-type]
    rate = measured_rate(known, times, lengths)
    result = [0.0] * len(starts)
    first = known[0]
    lead = sum(lengths[:first]) / rate
    # Text that fills most of the time before the first stamp is the episode's opening: it
    # starts at 0. A short intro before a late first stamp is read backwards from it.
    begin = 0.0 if lead >= times[first] * _OPENING_SHARE else times[first] - lead
    _spread(result, lengths, 0, first, begin, times[first], rate)
    for a, b in itertools.pairwise(known):
        _spread(result, lengths, a, b, times[a], times[b], rate)
    last = known[-1]
    result[last] = times[last]
    _spread(result, lengths, last, len(starts), times[last], None, rate)
    return result


def measured_rate(known: list[int], times: dict[int, float], lengths: list[int]) -> float:
    """The file's own characters per second between its first and last stamp."""
    first, last = known[0], known[-1]
    seconds = times[last] - times[first]
    chars = sum(lengths[first:last])
    if seconds <= 0 or chars <= 0:
        return DEFAULT_CHARS_PER_SECOND
    return min(max(chars / seconds, _RATE_RANGE[0]), _RATE_RANGE[1])


def _spread(
    result: list[float],
    lengths: list[int],
    a: int,
    b: int,
    t_a: float,
    t_b: float | None,
    rate: float,
) -> None:
    """Starts for paragraphs a..b-1 (a at t_a): sharing t_a..t_b by length when t_b is
    later, all at t_a when t_b is the same time, else read at the rate (after the last
    stamp, or when the stamps go backwards)."""
    total = sum(lengths[a:b])
    offset = 0
    for i in range(a, b):
        if t_b is not None and t_b > t_a and total > 0:
            result[i] = t_a + (t_b - t_a) * offset / total
        elif t_b is not None and t_b == t_a:
            result[i] = t_a
        else:
            result[i] = t_a + offset / rate
        offset += lengths[i]
