"""Which sentence of a section makes its Key Insight: the one that says the most about it.

The engine's relevance (TextRank centrality) finds the sentences most like the rest of the
episode; for the Key Insights that favours chit-chat that echoes the episode's words
("The thing that's interesting about the reinforcement learning framework is...") over
the sentence that states something specific. A Key Insight is chosen by `key_relevance`:

* how much specific vocabulary the sentence holds (lexicon.informativeness: words rare in
  English, saturating with their amount), the strongest sign that it states a fact;
* how much of its section's theme it says: the section scores of the keyphrases the
  episode says more than once (a phrase said once, often a recognition error, names no
  theme), so the sentence is about its section and its title names that theme;
* less for a host's line in an interview (the insights are the guest's), for talk about
  the talk itself ("Talking about...", "I'll show you...", "as I said", "today we
  have..."), and for a sentence made mostly of people's names ("with Gavin, Jeff and
  Vitalik").

A chapter the episode titles as no topic ("Introduction", "Sponsors") claims no Key
Insight of its own (`topical`), nor does a section whose best sentence scores below WEAK
of the episode's best (engine._Picker.per_section): their places go to the best
sentences left anywhere.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

from desktop.core.insights.extractive.brief import chapter_topics
from desktop.core.insights.extractive.keyphrases import KeyphraseIndex
from desktop.core.insights.extractive.rank import STOP_WORDS
from desktop.core.insights.extractive.sentences import Sentence
from desktop.core.model import Chapter

# Signposting and introductions: the speaker talks about the talk, not its subject.
META = re.compile(
    r"^(?:talking|speaking) (?:about|of)\b|\b(?:as (?:i|we) (?:said|mentioned)|like i said|"
    r"going back to|(?:i|we)(?:'d| would)? (?:just )?(?:want|like) to (?:show|go through|"
    r"talk|discuss|mention|highlight|share|start|spend|present)|let me (?:show|tell|give|"
    r"start)|(?:i|we)'?ll show you|(?:next|previous|this|last) slide|now that we'?ve|"
    r"before we (?:go|get|move|start)|(?:which|that) brings (?:me|us) to|"
    r"today we have|(?:our|my) (?:next |first )?(?:guest|speaker)s?\b|please welcome|"
    r"joining (?:us|me)\b|(?:it'?s|it is) (?:my|a) (?:pleasure|privilege|honou?r))",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
HOST = 0.3  # a host's line in an interview
TALK_ABOUT_TALK = 0.5
WEAK = 0.25  # a section whose best sentence scores below this share of the best has no
# Key Insight of its own (its slot goes to the best sentence left anywhere)
MOSTLY_NAMES = 0.3  # a sentence whose content words are at least NAMES_SHARE names
NAMES_SHARE = 0.3


def key_relevance(
    info: np.ndarray,
    index: KeyphraseIndex,
    ranges: Sequence[tuple[int, int]],
    sections: Sequence[dict[str, float]],
    cleaned: Sequence[str],
    sentences: Sequence[Sentence],
    host: str | None,
    names: frozenset[str],
) -> np.ndarray:
    """A score per sentence for choosing Key Insights (see the module's doc), 0..1.
    `info` is each sentence's informativeness, `sections` each range's keyphrase scores."""
    key = (0.3 + 0.7 * info) * (0.5 + theme_coverage(index, ranges, sections))
    for row, text in enumerate(cleaned):
        if host and sentences[row].speaker == host:
            key[row] *= HOST
        if META.search(text):
            key[row] *= TALK_ABOUT_TALK
        if name_share(text, names) >= NAMES_SHARE:
            key[row] *= MOSTLY_NAMES
    top = key.max() if len(key) else 0.0
    return key / top if top > 0 else key


def topical(
    ranges: Sequence[tuple[int, int]], starts: Sequence[float], chapters: Sequence[Chapter]
) -> list[tuple[int, int]]:
    """The ranges that are topics: all of them, except those of a chapter the episode
    titles as no topic ("Introduction", "Sponsors", "Outro": brief.chapter_topics), which
    claim no Key Insight of their own."""
    if not chapters:
        return list(ranges)
    ordered = sorted(chapters, key=lambda c: c.start)
    kept = []
    for lo, hi in ranges:
        at = [c for c in ordered if c.start <= starts[lo] + 1e-6] or ordered[:1]
        if chapter_topics([at[-1]]):
            kept.append((lo, hi))
    return kept or list(ranges)


def theme_coverage(
    index: KeyphraseIndex,
    ranges: Sequence[tuple[int, int]],
    sections: Sequence[dict[str, float]],
) -> np.ndarray:
    """0..1 per sentence: the section scores of the recurring keyphrases it says, relative
    to its section's best, summed and saturated (1 - e^-x)."""
    coverage = np.zeros(index.size)
    for (lo, hi), scored in zip(ranges, sections, strict=True):
        themes = {
            k: v for k, v in scored.items() if index.mentions(k) >= 2 and index.names_a_thing(k)
        }
        top = max(themes.values(), default=0.0)
        if not top:
            continue
        for row in range(lo, hi):
            said = sum(themes.get(k, 0.0) for k in index.in_row[row]) / top
            coverage[row] = 1.0 - math.exp(-said)
    return coverage


def name_share(text: str, names: frozenset[str]) -> float:
    """The share of a sentence's content words that are people's names."""
    content = [w.lower() for w in _WORD.findall(text) if w.lower() not in STOP_WORDS]
    if not content:
        return 0.0
    named = sum(1 for w in content if w in names or re.sub(r"['’]s$", "", w) in names)
    return named / len(content)
