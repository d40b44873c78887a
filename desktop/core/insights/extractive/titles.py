"""Titles for Key Insights: a keyphrase that names the thing the insight is about.

An English title is a noun phrase of the insight's own sentence (keyphrases.py), the one
its topic section says most of all those the sentence holds ("the Hessian-free
optimizer", "double descent"); never a lone adjective, verb or everyday noun, a sentence's
opening words or a person's name. When the sentence names nothing, its neighbours' best
keyphrase, or its section's, titles it. A phrase that adds no word to an earlier title is
passed over.

Other languages have no parts of speech here: their titles are runs of content words as
spoken (RAKE-style), scored by TF-IDF weight and English rarity (`fallback_title`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from desktop.core.insights.extractive.keyphrases import KeyphraseIndex
from desktop.core.insights.extractive.lexicon import COMMON, specificity, tags, zipf
from desktop.core.insights.extractive.rank import STOP_WORDS, SentenceSpace

MAX_TITLE_WORDS = 5
CONTEXT = 2  # sentences either side that may title a sentence naming nothing itself

_JOINERS = {"of", "for", "per", "and", "in", "on", "to"}
_VAGUE = {"quite", "rather", "pretty", "very", "much", "lot", "lots", "thing", "things", "way"}
# Words that never carry a title, even when rare in the episode.
GENERIC = frozenset(
    re.findall(
        r"\S+",
        """
    key point points phrase cool kinda sorta gonna wanna gotta yeah yep okay ok right really
    like just thing things stuff lot lots kind sort bit way ways something anything everything
    nothing laughs laughter laughing chuckles chuckle chuckling applause music crosstalk
    inaudible um uh hmm mm oh wow great good nice awesome amazing interesting sure course
    totally exactly absolutely basically literally actually obviously probably maybe pretty
    quite guys folks people person time times today episode show podcast talk question
    questions answer idea ideas part topic example case fact sense stuff whatever hey hi
    hello thanks thank welcome bye yes no sorry super fun crazy huge big little lots
    anyway anyways certain certainly definitely different same whole able
    """,
    )
)
_TOKEN = re.compile(r"[^\W\d_][\w'’.-]*[\w]|[^\W\d_]|\S")


class Titler:
    """Titles Key Insights: keyphrases in English, spoken phrases otherwise."""

    def __init__(
        self,
        space: SentenceSpace,
        index: KeyphraseIndex,
        ranges: list[tuple[int, int]],
        sections: list[dict[str, float]],
        names: frozenset[str],
        english: bool,
    ) -> None:
        self.space, self.index, self.names, self.english = space, index, names, english
        self.firsts = [lo for lo, _ in ranges]
        self.sections = sections
        self.episode = index.scores(range(index.size), focus=0.0) if english else {}

    def title(self, row: int, text: str, used: list[str]) -> str:
        if self.english:
            k = max(0, bisect_right(self.firsts, row) - 1)
            section = self.sections[k] if self.sections else {}
            title = keyphrase_title(self.index, row, section, self.episode, used)
            if title:
                return title
        return fallback_title(self.space, row, text, self.names, used)


def keyphrase_title(
    index: KeyphraseIndex,
    row: int,
    section: dict[str, float],
    episode: dict[str, float],
    used: Sequence[str],
) -> str:
    """The title of the Key Insight at sentence `row`, title-cased: its best phrase that
    names a thing, scored within its section (`section`, from KeyphraseIndex.scores), else
    the section's best phrase, else the episode's; "" when the episode names nothing."""
    taken = [set(t.lower().split()) - _JOINERS for t in used]

    def fresh(key: str) -> bool:
        """Says something no earlier title says ("Swarm Team" may follow "Swarm"), and a
        lone term is said at least twice as shown ("iguana" and "iguanas" once each is
        no term of the episode)."""
        shown = index.text(key)
        words = {w for w in shown.lower().split()} - _JOINERS
        entry = index.entries[key]
        if len(words) == 1 and not entry.proper and entry.forms[shown] < 2:
            return False
        return len(words) <= MAX_TITLE_WORDS and not any(words <= t for t in taken)

    own = [k for k in index.in_row[row] if index.names_a_thing(k) and fresh(k)]
    if own:
        return title_case(index.text(max(own, key=lambda k: (section.get(k, 0.0), k))))
    # The sentence names nothing: what the sentences around it name is what it is about.
    near = {
        k
        for r in range(max(0, row - CONTEXT), min(index.size, row + CONTEXT + 1))
        for k in index.in_row[r]
        if index.names_a_thing(k) and fresh(k)
    }
    if near:
        return title_case(index.text(max(near, key=lambda k: (section.get(k, 0.0), k))))
    for scored in (section, episode):
        best = [k for k in index.best(scored, 8) if fresh(k)]
        if best:
            return title_case(index.text(best[0]))
    return ""


def fallback_title(
    space: SentenceSpace, row: int, text: str, names: frozenset[str], used: list[str]
) -> str:
    """The best title phrase of the sentence not overlapping the titles in `used`, in the
    sentence's own words, title-cased; "" when the sentence has none worth showing."""
    ranked = ranked_phrases(space, row, text, names)
    taken = [set(t.lower().split()) for t in used]
    for phrase in ranked:
        words = set(phrase.lower().split()) - _JOINERS
        if not any(words <= t or t <= words for t in taken):
            return title_case(phrase)
    for phrase in ranked:
        if phrase.lower() not in {t.lower() for t in used}:
            return title_case(phrase)
    return ""


def ranked_phrases(space: SentenceSpace, row: int, text: str, names: frozenset[str]) -> list[str]:
    """Phrases of the sentence, best title first (names, fillers and generic words left out).

    A phrase scores the TF-IDF weights of its words in this sentence, times how specific its
    words are in English; two- and three-word phrases get a bonus because they make better
    titles, a lone common word a penalty.
    """
    weights = space.word_weights(row)
    scored: dict[str, tuple[float, str]] = {}
    for phrase in candidate_phrases(text):
        words = [w.lower() for w in phrase.split()]
        content = [w for w in words if w not in _JOINERS]
        if any(w in names or w.rstrip("'’s") in names for w in content):
            continue
        if all(w in GENERIC or w in STOP_WORDS for w in content):
            continue
        total = sum(weights.get(w, 0.0) for w in words)
        if total <= 0:
            continue
        specific = sum(specificity(w) for w in content) / len(content)
        bonus = {1: 1.0, 2: 1.5, 3: 1.6}.get(len(content), 1.2) * _title_shape(content)
        if len(content) == 1 and zipf(content[0]) >= COMMON - 0.8:
            bonus *= 0.3  # "Facebook" is fine, "Later" or "Work" is not a topic
        bonus *= 0.4 ** sum(1 for w in content if w in GENERIC)
        if _looks_like_a_name(phrase):
            bonus *= 0.3
        score = total / len(words) ** 0.5 * bonus * (0.25 + specific)
        key = phrase.lower()
        if key not in scored or score > scored[key][0]:
            scored[key] = (score, phrase)
    return [p for _, p in sorted(scored.values(), key=lambda v: -v[0])]


def _looks_like_a_name(phrase: str) -> bool:
    """Two or more capitalised words, one of them no English word ("Zsolt Felföldi",
    "Felix Lange"): most likely a person, which a title should not be."""
    tokens = phrase.split()
    return (
        len(tokens) >= 2
        and all(t[:1].isupper() for t in tokens)
        and any(not tags(t) for t in tokens)
    )


def _title_shape(words: list[str]) -> float:
    """Titles read as noun phrases: the last word can be a noun, and no word is only ever
    a verb ("came", "unleashes") or an adverb ("forth", "slightly"). Parts of speech come
    from LemmInflect's English lexicon, out of context; a word it does not know (a name
    of a thing, "Kademlia") counts as a noun."""
    factor = 1.0
    for position, word in enumerate(words):
        kinds = tags(word)
        if position and kinds == {"VERB"} and word.endswith("ed"):
            factor *= 0.3  # "month called Margins", "release surfaced": a clause, no noun
        if word in _VAGUE or (word.endswith("ly") and len(word) > 4) or kinds == {"ADV"}:
            factor *= 0.3
        elif kinds == {"VERB"} and not word.endswith(("ed", "ing")):
            factor *= 0.2  # a finite verb: the phrase runs across a clause
    head = tags(words[-1])
    if head and not head & {"NOUN", "PROPN"}:
        factor *= 0.5 if words[-1].endswith("ing") else 0.2
    return factor


def candidate_phrases(text: str) -> list[str]:
    """Runs of up to four content words, which may be joined by of/for/per/and/in/on/to."""
    phrases: list[str] = []
    run: list[str] = []

    def close() -> None:
        while run and run[-1].lower() in _JOINERS:
            run.pop()
        for size in range(1, min(4, len(run)) + 1):
            for i in range(len(run) - size + 1):
                piece = run[i : i + size]
                if piece[0].lower() not in _JOINERS:
                    phrases.append(" ".join(piece))
        run.clear()

    for token in _TOKEN.findall(text):
        lower = token.lower()
        # Contractions ("that's", "haven't") are function words, never title material.
        content = (
            token[0].isalpha()
            and lower not in STOP_WORDS
            and "'" not in token
            and "’" not in token
            and lower not in GENERIC
        )
        if content or (lower in _JOINERS and run):
            run.append(token.rstrip("."))
        else:
            close()
    close()
    return phrases


def title_case(phrase: str) -> str:
    small = {"a", "an", "and", "of", "the", "to", "in", "on", "for", "or", "per"}
    words = phrase.split()
    return " ".join(
        # A word with a capital already is a name as written ("eBay", "iPhone"): kept.
        w if (i and w.lower() in small) or w != w.lower() else (w[:1].upper() + w[1:])
        for i, w in enumerate(words)
    )
