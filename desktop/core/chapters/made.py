"""Chapters for an episode that has none: topical sections of its transcript, each titled
by the keyphrase that names its topic.

Where the sections fall: the episode is cut into a number of parts that depends on its
length (parts of 1.5 to 7 minutes, about eight to an episode), each cut starting at an
equal share of the time and moving to the nearest topic shift, the deepest valley of a
TextTiling-style lexical cohesion curve (insights/extractive/rank.sections, the same cut
the insight engine's sections use), and then to the longest pause or a change of speaker
within a few segments, so a chapter does not start mid-sentence. Titles: the section's
best keyphrase (insights/extractive/keyphrases), the same index the Key Insights' titles
come from; "Part N" when a section names nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from desktop.core.model import Chapter, Segment

MIN_PART_SECONDS = 90.0
MAX_PART_SECONDS = 420.0
MIN_LONG_PART_SECONDS = 180.0  # no part of a long episode under 3 minutes (before snapping)
PARTS_PER_EPISODE = 8  # the length of a part is the episode's / 8, within the bounds above
TITLE_PHRASES = 2  # "Yellow Paper and Gavin": a lone name says too little
SNAP_SEGMENTS = 3  # how far (in segments, each way) a cut may move to a pause or speaker change


def part_count(duration: float) -> int:
    """How many chapters an episode of `duration` seconds gets: none under 3 minutes."""
    if duration < 2 * MIN_PART_SECONDS:
        return 0
    length = min(max(duration / PARTS_PER_EPISODE, MIN_PART_SECONDS), MAX_PART_SECONDS)
    return max(2, round(duration / length))


def make_chapters(segments: Sequence[Segment], count: int | None = None) -> list[Chapter]:
    """Chapters for these segments (`count` of them, else by the episode's length)."""
    from desktop.core.insights.extractive.keyphrases import KeyphraseIndex
    from desktop.core.insights.extractive.rank import SentenceSpace
    from desktop.core.insights.extractive.tiling import sections

    segments = [s for s in segments if s.text.strip()]
    if not segments:
        return []
    duration = segments[-1].end - segments[0].start
    count = part_count(duration) if count is None else count
    if count < 2 or len(segments) < 2 * count:
        return []
    texts = [s.text for s in segments]
    starts = [s.start for s in segments]
    length = duration / count  # parts from a third to twice this, where topics allow
    min_gap = min(max(MIN_PART_SECONDS, length / 2), MIN_LONG_PART_SECONDS)
    found = sections(SentenceSpace(texts), starts, count, min_gap, 2 * length)
    cuts = [_snapped(segments, cut) for cut in found]
    edges = sorted({0, *cuts})
    index = KeyphraseIndex(texts, names=[s.speaker for s in segments if s.speaker])
    chapters: list[Chapter] = []
    used: set[str] = set()  # words of the phrases earlier chapters lead with
    for n, lo in enumerate(edges):
        hi = edges[n + 1] if n + 1 < len(edges) else len(segments)
        keys = index.best(index.scores(range(lo, hi)), 8)
        # Said at least twice (a misheard name is said once); else a term of two words or
        # more that is not a name ("orthopedic surgeon", "encryption decryption").
        twice = [k for k in keys if len(index.entries[k].rows) >= 2]
        once = [k for k in keys if len(k.split()) > 1 and not index.entries[k].proper]
        phrases = [index.text(k) for k in twice + [k for k in once if k not in twice]]
        title = _title(phrases, used, {c.title for c in chapters}) or f"Part {n + 1}"
        chapters.append(Chapter(segments[lo].start, title))
    return chapters


def _title(phrases: list[str], used: set[str], titles: set[str]) -> str | None:
    """The section's phrases new to the outline, best first, joined ("Yellow Paper and
    Gavin"); the best phrase again with a new one when only that is left ("Swarm and
    Bzz"); None when nothing gives a title the outline does not have yet."""
    from desktop.core.insights.extractive.titles import title_case

    fresh = [p for p in phrases if not set(p.lower().split()) <= used]
    chosen = fresh[:TITLE_PHRASES]
    if phrases and phrases[0] not in chosen:
        chosen = [phrases[0], *fresh[:1]]
    title = " and ".join(title_case(p) for p in chosen)
    if not title or title in titles:
        return None
    used.update(chosen[0].lower().split())
    return title


def even_chapters(segments: Sequence[Segment], count: int) -> list[Chapter]:
    """The baseline: `count` parts of equal time, cut at the segment starting nearest."""
    if not segments or count < 1:
        return []
    begin, end = segments[0].start, segments[-1].end
    starts = [s.start for s in segments]
    chapters = []
    for k in range(count):
        moment = begin + k * (end - begin) / count
        at = min(range(len(starts)), key=lambda i: abs(starts[i] - moment))
        chapters.append(Chapter(starts[at], f"Part {k + 1}"))
    return chapters


def _snapped(segments: Sequence[Segment], cut: int) -> int:
    """`cut` moved to the nearby gap with the longest pause, a change of speaker first."""
    lo, hi = max(1, cut - SNAP_SEGMENTS), min(len(segments) - 1, cut + SNAP_SEGMENTS)

    def quality(gap: int) -> tuple[bool, float, int]:
        before, after = segments[gap - 1], segments[gap]
        changed = bool(before.speaker and after.speaker and before.speaker != after.speaker)
        return changed, after.start - before.end, -abs(gap - cut)

    return max(range(lo, hi + 1), key=quality) if hi >= lo else cut
