"""The embedded insight engine: extractive, deterministic, no model weights.

Every item is a cleaned sentence of the transcript (or a phrase of one) and carries the
start of the segment where that sentence begins. Only sentences that read on their own
reach the Key Insights, Summary and Takeaways (clean.fault: no fragment, filler, question
or sponsor read; on Earmark's own transcriptions, no word the recogniser doubted), and no
sentence appears in two of them. Each topic section's Key Insight is its sentence that
says the most about it (salience.py: specific words and the section's themes, not the
host's framing or talk about the talk). What is written rather than picked comes from the
episode's structure: the TL;DR says who talks about which themes (brief.py), the titles
are keyphrases (keyphrases.py, titles.py) and the Summary has a timed line per section
(summary.py).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from functools import cache

import numpy as np

from desktop.core.insights.engine import (
    CancelFn,
    InsightError,
    InsightInput,
    InsightProgress,
    InsightsCancelled,
    ProgressFn,
)
from desktop.core.insights.extractive import brief, qa
from desktop.core.insights.extractive.clean import BANTER, clean_sentence, fault, hedging
from desktop.core.insights.extractive.keyphrases import KeyphraseIndex
from desktop.core.insights.extractive.lexicon import informativeness, person_names
from desktop.core.insights.extractive.rank import STOP_WORDS, SentenceSpace
from desktop.core.insights.extractive.salience import WEAK, key_relevance, topical
from desktop.core.insights.extractive.sentences import Sentence, split_sentences
from desktop.core.insights.extractive.structure import framing_rows, tldr, topic_sections
from desktop.core.insights.extractive.summary import MAX_LINES, line_count, merge
from desktop.core.insights.extractive.summary import summary as summarise
from desktop.core.insights.extractive.titles import Titler
from desktop.core.insights.payload import Insights, KeyInsight, QuestionAnswer, Takeaway
from desktop.core.resources import resources_dir

_ADVICE = re.compile(
    r"\b(?:should|need to|have to|must|make sure|try to|don'?t|never|always|remember|"
    r"my (?:advice|rule)|the (?:key|trick|lesson) is|start (?:with|by)|if you want)\b",
    re.IGNORECASE,
)
MIN_WORDS = 6
DOUBTFUL = 0.4  # a word recognised with less probability than this may well be wrong
VAGUE = 0.3  # informativeness below which a sentence says too little to be shown alone


@cache
def emoji_table() -> tuple[str, dict[str, str]]:
    data = json.loads((resources_dir() / "insights" / "emoji.json").read_text(encoding="utf-8"))
    return data["default"], data["keywords"]


def insight_count(words: int) -> int:
    """6 Key Insights for a short talk, one more per ~10 minutes of speech, at most 14."""
    return int(np.clip(6 + words // 1500, 6, 14))


class ExtractiveEngine:
    name = "extractive"
    model = "tfidf-textrank-4"  # 4: Key Insights by salience; 3: a written TL;DR, keyphrase
    # titles, a timed Summary

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
        punctuated = _punctuated(sentences)
        space = SentenceSpace(cleaned)
        _check(cancelled, progress, 0.3)
        info = np.array([informativeness(t, STOP_WORDS) for t in cleaned])
        relevance = space.textrank() * np.array([_length_prior(t) for t in cleaned])
        plain = np.array([hedging(t) for t in cleaned])
        relevance *= (0.3 + 0.7 * info) * plain
        # In an interview the insights are the guest's: the host's lines are questions,
        # links and introductions.
        found = qa.exchanges(sentences, cleaned, punctuated)
        host = qa.host(sentences, cleaned, found)
        guest = np.array([0.5 if host and s.speaker == host else 1.0 for s in sentences])
        relevance *= guest
        faults = [fault(c, s.text, punctuated) for c, s in zip(cleaned, sentences, strict=True)]
        sure = [s.confidence is None or s.confidence >= DOUBTFUL for s in sentences]
        good = [i for i, f in enumerate(faults) if f is None and sure[i] and info[i] >= VAGUE]
        # When too few sentences read alone (a short clip), the least bad others may serve.
        spare = [i for i, f in enumerate(faults) if f == "too long" and sure[i]]
        if not good and not spare:  # a clip of a few lines: better weak insights than none
            spare = [
                i
                for i, t in enumerate(cleaned)
                if len(t.split()) >= MIN_WORDS and not t.endswith("?") and not BANTER.search(t)
            ]
        if not good and not spare:
            raise InsightError(f"{source.title!r} is too short to take insights from")
        _check(cancelled, progress, 0.5)

        start = [_start(source, s, c) for s, c in zip(sentences, cleaned, strict=True)]
        end = source.segments[-1].end
        words = sum(len(t.split()) for t in cleaned)
        count = insight_count(words)
        ranges = topic_sections(space, start, source.chapters, end, count)
        if source.chapters:
            count = int(np.clip(max(count, len(ranges)), 6, 16))
        lines = _summary_ranges(space, start, source, ranges)
        english = brief.is_english(cleaned)
        people = brief.who(sentences, source.title)
        names = person_names((s.speaker for s in source.segments), [s.text for s in sentences])
        names |= {w.lower() for w in people.guest.split()}
        # A sponsor read names its sponsor often: never a theme or a title.
        index = KeyphraseIndex(
            [t if f != "sponsor read" else "" for t, f in zip(cleaned, faults, strict=True)], names
        )
        pick = _Picker(space, relevance, good, spare)
        text = ""
        if english:
            conversation = brief.is_conversation(sentences, len(found))
            framing = framing_rows(cleaned, start)
            text = brief.tldr(
                index, ranges, source.chapters, people, host, conversation, cleaned, framing
            )
        if not text:  # another language, or nothing to name: the episode's own sentences
            picked = tldr(space, cleaned, start, good or spare, info * guest * plain)
            pick.used.update(picked)
            text = " ".join(cleaned[i] for i in picked)
        # A short clip may not hold enough sentences that read alone for every section:
        # Key Insights then leave room for three Takeaways and a line of Summary each.
        count = min(count, max(3, len(good) - len(pick.used) - 3 - len(lines)))
        sections = [index.scores(range(lo, hi)) for lo, hi in ranges]
        salient = key_relevance(info, index, ranges, sections, cleaned, sentences, host, names)
        key = pick.per_section(topical(ranges, start, source.chapters), count, salient)
        summary = summarise(index, lines, start, source.chapters, cleaned, pick.one)
        takeaways = pick.takeaways(cleaned, start, (source.segments[0].start, end))
        _check(cancelled, progress, 0.8)
        exchanges = self._qa(space, relevance, found, cleaned, set(good), key)
        _check(cancelled, progress, 1.0)
        titler = Titler(space, index, ranges, sections, names, english)
        return Insights(
            tldr=text,
            summary=summary,
            engine=self.name,
            model=self.model,
            created=datetime.now(UTC).isoformat(timespec="seconds"),
            key_insights=_key_insights(titler, cleaned, key, start),
            qa=[QuestionAnswer(q, a, _start(source, sentences[i], q)) for i, q, a in exchanges],
            takeaways=[Takeaway(cleaned[i], start[i]) for i in takeaways],
        )

    def _qa(
        self,
        space: SentenceSpace,
        relevance: np.ndarray,
        found: list[qa.Exchange],
        cleaned: list[str],
        readable: set[int],
        shown: list[int],
    ) -> list[tuple[int, str, str]]:
        words = sum(len(t.split()) for t in cleaned)
        limit = int(np.clip(5 + words // 2000, 5, 15))
        answered = []
        for exchange in found:
            answer = qa.condense(space, relevance, cleaned, exchange, readable, set(shown))
            if answer:
                answered.append((exchange, answer))
        best = sorted(answered, key=lambda e: -qa.substance(space, cleaned, e[0]))[:limit]
        items = []
        for exchange, answer in sorted(best, key=lambda e: e[0].questions[0]):
            first, question = qa.question_text(exchange, cleaned)
            items.append((first, question, " ".join(cleaned[i] for i in answer)))
        return items


class _Picker:
    """Chooses sentences for the sections of the payload, never the same one twice."""

    def __init__(
        self, space: SentenceSpace, relevance: np.ndarray, good: list[int], spare: list[int]
    ) -> None:
        self.space = space
        self.relevance = relevance
        self.good = good
        self.spare = spare
        self.used: set[int] = set()

    def best(
        self,
        candidates: list[int],
        count: int,
        weight: np.ndarray | None = None,
        relevance: np.ndarray | None = None,
    ) -> list[int]:
        """Up to `count` of the candidates by maximal marginal relevance (the engine's
        relevance, times `weight`, unless `relevance` is given): readable ones first, spare
        ones only when no readable one is left."""
        relevance = self.relevance if relevance is None else relevance
        relevance = relevance if weight is None else relevance * weight
        chosen: list[int] = []
        for tier in (self.good, self.spare):
            allowed = set(tier) & set(candidates)
            pool = [i for i in candidates if i in allowed and i not in self.used]
            picked = self.space.mmr(relevance, pool, count - len(chosen), chosen=list(self.used))
            chosen += picked
            self.used.update(picked)
            if len(chosen) >= count:
                break
        return chosen

    def per_section(
        self, ranges: list[tuple[int, int]], count: int, relevance: np.ndarray
    ) -> list[int]:
        """The best sentence of each topic section by `relevance` (of the best sections
        when there are more than `count`), then the best of the rest, in time order. A
        section whose best reads poorly next to the episode's best (below `WEAK` of it: a
        host's aside, small talk) leaves its place to the best of the rest."""
        firsts = []
        floor = WEAK * relevance.max()
        for lo, hi in ranges:
            section = [i for i in self.good if lo <= i < hi and i not in self.used]
            top = max(section, key=lambda i: relevance[i], default=None)
            if top is not None and relevance[top] >= floor:
                firsts.append(top)
        firsts = sorted(firsts, key=lambda i: -relevance[i])[:count]
        chosen = []
        for lo, hi in sorted((r for r in ranges), key=lambda r: r[0]):
            if not any(lo <= i < hi for i in firsts):
                continue
            chosen += self.best(list(range(lo, hi)), 1, relevance=relevance)
        rest = list(range(len(self.relevance)))
        chosen += self.best(rest, count - len(chosen), relevance=relevance)
        return sorted(chosen)

    def one(self, candidates: list[int], weight: np.ndarray) -> int | None:
        """The best of the candidates (`weight` one per candidate), or None."""
        full = np.ones(len(self.relevance))
        full[candidates] = weight
        chosen = self.best(candidates, 1, full)
        return chosen[0] if chosen else None

    def takeaways(
        self, cleaned: list[str], start: list[float], span: tuple[float, float]
    ) -> list[int]:
        """One sentence from each third of the episode's time, preferring advice."""
        boost = np.array([1.6 if _ADVICE.search(t) else 1.0 for t in cleaned])
        begin, end = span[0], span[1] + 1e-6
        chosen: list[int] = []
        for part in range(3):
            lo, hi = begin + (end - begin) * part / 3, begin + (end - begin) * (part + 1) / 3
            third = [i for i in range(len(cleaned)) if lo <= start[i] < hi]
            chosen += self.best(third, 1, boost)
        return sorted(chosen)


def _check(cancelled: CancelFn | None, progress: ProgressFn | None, fraction: float) -> None:
    if cancelled is not None and cancelled():
        raise InsightsCancelled("insight generation was cancelled")
    if progress is not None:
        progress(InsightProgress(fraction))


def _punctuated(sentences: list[Sentence]) -> bool:
    """Whether the transcript has sentence punctuation (auto-captions often have none)."""
    ends = sum(1 for s in sentences if s.text.rstrip().endswith((".", "!", "?", "…")))
    return ends >= 0.3 * len(sentences)


def _start(source: InsightInput, sentence: Sentence, shown: str) -> float:
    """Start of the segment holding the first words shown of the sentence (cleaning may
    have removed words before them that sit in an earlier segment, and a long question is
    shown from its last clause)."""
    segment = sentence.segment
    lead = re.findall(r"[\w']+", shown)[:3]
    if lead and len(sentence.marks) > 1 and not sentence.text.startswith(shown[:12]):
        pattern = r"\W+(?:\w+\W+){0,2}?".join(re.escape(w) for w in lead)
        found = re.search(rf"(?<!\w){pattern}(?!\w)", sentence.text, re.IGNORECASE)
        if found:
            segment = sentence.segment_at(found.start())
    return source.segments[segment].start


def _length_prior(text: str) -> float:
    """Favour sentences of 10-35 words: long enough to say something, short enough to read."""
    n = len(text.split())
    if BANTER.search(text):
        return 0.05
    if n < MIN_WORDS:
        return 0.1
    complete = 1.0 if text.rstrip().endswith((".", "!", "?", "…")) else 0.7
    if n < 10:
        return 0.6 * complete
    length = 1.0 if n <= 35 else 0.6 if n <= 50 else 0.3
    return length * complete


def _summary_ranges(
    space: SentenceSpace, start: list[float], source: InsightInput, ranges: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The Summary's sections: the chapters (merged down to summary.MAX_LINES), else topic
    sections of about eight minutes each."""
    end = source.segments[-1].end
    if source.chapters:
        return merge(ranges, MAX_LINES)
    return topic_sections(space, start, [], end, line_count(end - source.segments[0].start))


def _key_insights(
    titler: Titler, cleaned: list[str], chosen: list[int], start: list[float]
) -> list[KeyInsight]:
    default, keywords = emoji_table()
    titles: list[str] = []
    used_emoji: set[str] = set()
    items = []
    for i in chosen:
        title = titler.title(i, cleaned[i], titles)
        titles.append(title)
        emoji = _emoji(f"{title} {cleaned[i]}", keywords, default, used_emoji)
        used_emoji.add(emoji)
        items.append(KeyInsight(emoji, title, cleaned[i], start[i]))
    return items


def _emoji(text: str, keywords: dict[str, str], default: str, used: set[str]) -> str:
    """The emoji of the first keyword found (title first), preferring one not used yet."""
    matches = []
    for word in re.findall(r"[a-z']+", text.lower()):
        for form in (word, word.rstrip("s"), re.sub(r"(ing|ed|er|es)$", "", word)):
            if form in keywords and form not in STOP_WORDS:
                matches.append(keywords[form])
                break
    fresh = [m for m in matches if m not in used]
    return (fresh or matches or [default])[0]
