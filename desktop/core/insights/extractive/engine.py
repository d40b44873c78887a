"""The embedded insight engine: extractive, deterministic, no model weights.

Every item is a cleaned sentence of the transcript (or a keyphrase of one) and carries the
start of the segment where that sentence begins.
"""

from __future__ import annotations

import itertools
import json
import re
from datetime import UTC, datetime
from functools import cache

import numpy as np

from desktop.core.insights.engine import (
    CancelFn,
    InsightError,
    InsightInput,
    InsightsCancelled,
    ProgressFn,
)
from desktop.core.insights.extractive import qa
from desktop.core.insights.extractive.clean import clean_sentence, is_sponsor_read
from desktop.core.insights.extractive.rank import STOP_WORDS, SentenceSpace, sections
from desktop.core.insights.extractive.sentences import Sentence, split_sentences
from desktop.core.insights.payload import Insights, KeyInsight, QuestionAnswer, Takeaway
from desktop.core.resources import resources_dir

_ADVICE = re.compile(
    r"\b(?:should|need to|have to|must|make sure|try to|don'?t|never|always|remember|"
    r"my (?:advice|rule)|the (?:key|trick|lesson) is|start (?:with|by)|if you want)\b",
    re.IGNORECASE,
)
# Greetings and thanks are central in the similarity graph but say nothing.
_BANTER = re.compile(
    r"\b(?:welcome (?:back |to )|thanks? (?:you |so much )?for (?:having|coming|joining|"
    r"listening)|thank you|great question|good question|see you next|that'?s it for|"
    r"let'?s give)\b",
    re.IGNORECASE,
)
MIN_WORDS = 6


@cache
def emoji_table() -> tuple[str, dict[str, str]]:
    data = json.loads((resources_dir() / "insights" / "emoji.json").read_text(encoding="utf-8"))
    return data["default"], data["keywords"]


def insight_count(words: int) -> int:
    """6 Key Insights for a short talk, one more per ~10 minutes of speech, at most 14."""
    return int(np.clip(6 + words // 1500, 6, 14))


class ExtractiveEngine:
    name = "extractive"
    model = "tfidf-textrank-1"

    def generate(
        self,
        source: InsightInput,
        progress: ProgressFn | None = None,
        cancelled: CancelFn | None = None,
    ) -> Insights:
        sentences = split_sentences(source.segments)
        cleaned = [clean_sentence(s.text) for s in sentences]
        if not any(cleaned):
            raise InsightError(f"{source.title!r} has no transcript text to take insights from")
        space = SentenceSpace(cleaned)
        _check(cancelled, progress, 0.3)
        relevance = space.textrank() * np.array([_length_prior(t) for t in cleaned])
        usable = [
            i for i, s in enumerate(sentences)
            if len(cleaned[i].split()) >= MIN_WORDS and not is_sponsor_read(s.text)
        ]  # fmt: skip
        statements = [i for i in usable if not cleaned[i].endswith("?")]
        if not statements:
            raise InsightError(f"{source.title!r} is too short to take insights from")
        _check(cancelled, progress, 0.5)

        start = [source.segments[s.segment].start for s in sentences]
        words = sum(len(t.split()) for t in cleaned)
        count = insight_count(words)
        key = _spread(space, relevance, statements, sections(space, start, count), count)
        tldr = sorted(space.mmr(relevance, statements, 1 if len(cleaned[key[0]]) > 80 else 2))
        summary = sorted(space.mmr(relevance, statements, 6))
        span = (source.segments[0].start, source.segments[-1].end)
        takeaways = self._takeaways(space, relevance, cleaned, start, span, statements, set(key))
        _check(cancelled, progress, 0.8)
        exchanges = self._qa(space, relevance, sentences, cleaned, words)
        _check(cancelled, progress, 1.0)
        return Insights(
            tldr=" ".join(cleaned[i] for i in tldr),
            summary=" ".join(cleaned[i] for i in summary),
            engine=self.name,
            model=self.model,
            created=datetime.now(UTC).isoformat(timespec="seconds"),
            key_insights=_key_insights(space, cleaned, key, start),
            qa=[QuestionAnswer(q, a, start[i]) for i, q, a in exchanges],
            takeaways=[Takeaway(cleaned[i], start[i]) for i in takeaways],
        )

    def _takeaways(
        self,
        space: SentenceSpace,
        relevance: np.ndarray,
        cleaned: list[str],
        start: list[float],
        span: tuple[float, float],
        statements: list[int],
        exclude: set[int],
    ) -> list[int]:
        """One sentence from each third of the episode's time, preferring advice."""
        boost = np.array([1.6 if _ADVICE.search(t) else 1.0 for t in cleaned])
        begin, end = span[0], span[1] + 1e-6
        chosen: list[int] = []
        for part in range(3):
            lo, hi = begin + (end - begin) * part / 3, begin + (end - begin) * (part + 1) / 3
            third = [i for i in statements if lo <= start[i] < hi]
            pool = [i for i in third if i not in exclude] or third
            chosen += space.mmr(relevance * boost, pool, 1, chosen=chosen)
        return sorted(chosen)

    def _qa(
        self,
        space: SentenceSpace,
        relevance: np.ndarray,
        sentences: list[Sentence],
        cleaned: list[str],
        words: int,
    ) -> list[tuple[int, str, str]]:
        found = qa.exchanges(sentences, cleaned)
        limit = int(np.clip(5 + words // 2000, 5, 15))
        best = sorted(found, key=lambda e: -qa.substance(space, cleaned, e))[:limit]
        items = []
        for exchange in sorted(best, key=lambda e: e.questions[0]):
            answer = qa.condense(space, relevance, cleaned, exchange.questions[-1], exchange.answer)
            question = " ".join(cleaned[i] for i in exchange.questions)
            items.append((exchange.questions[0], question, " ".join(cleaned[i] for i in answer)))
        return items


def _check(cancelled: CancelFn | None, progress: ProgressFn | None, fraction: float) -> None:
    if cancelled is not None and cancelled():
        raise InsightsCancelled("insight generation was cancelled")
    if progress is not None:
        progress(fraction)


def _length_prior(text: str) -> float:
    """Favour sentences of 10-35 words: long enough to say something, short enough to read."""
    n = len(text.split())
    if _BANTER.search(text):
        return 0.05
    if n < MIN_WORDS:
        return 0.1
    complete = 1.0 if text.rstrip().endswith((".", "!", "?", "…")) else 0.7
    if n < 10:
        return 0.6 * complete
    length = 1.0 if n <= 35 else 0.6 if n <= 50 else 0.3
    return length * complete


def _spread(
    space: SentenceSpace, relevance: np.ndarray, pool: list[int], bounds: list[int], count: int
) -> list[int]:
    """The best sentence of each topic section, then the best of the rest, in time order."""
    edges = [0, *bounds, len(relevance)]
    chosen: list[int] = []
    for lo, hi in itertools.pairwise(edges):
        chosen += space.mmr(relevance, [i for i in pool if lo <= i < hi], 1, chosen=chosen)
    chosen += space.mmr(relevance, pool, count - len(chosen), chosen=chosen)
    return sorted(chosen[:count])


def _key_insights(
    space: SentenceSpace, cleaned: list[str], chosen: list[int], start: list[float]
) -> list[KeyInsight]:
    default, keywords = emoji_table()
    used_titles: set[str] = set()
    used_emoji: set[str] = set()
    items = []
    for i in chosen:
        phrases = space.keyphrases(i, cleaned[i], limit=6)
        title = next((p for p in phrases if p not in used_titles), phrases[0] if phrases else "")
        used_titles.add(title)
        emoji = _emoji(phrases, cleaned[i], keywords, default, used_emoji)
        used_emoji.add(emoji)
        items.append(KeyInsight(emoji, _title_case(title) or "Key point", cleaned[i], start[i]))
    return items


def _emoji(
    phrases: list[str], text: str, keywords: dict[str, str], default: str, used: set[str]
) -> str:
    """The emoji of the weightiest keyword found, preferring one not used yet."""
    words = [w for p in phrases for w in p.split()] + re.findall(r"[a-z']+", text.lower())
    matches = []
    for word in words:
        for form in (word, word.rstrip("s"), re.sub(r"(ing|ed|er|es)$", "", word)):
            if form in keywords and form not in STOP_WORDS:
                matches.append(keywords[form])
                break
    fresh = [m for m in matches if m not in used]
    return (fresh or matches or [default])[0]


def _title_case(phrase: str) -> str:
    small = {"a", "an", "and", "of", "the", "to", "in", "on", "for", "or"}
    words = phrase.split()
    return " ".join(w if i and w in small else (w[:1].upper() + w[1:]) for i, w in enumerate(words))
