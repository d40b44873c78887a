"""Keyphrases: the noun phrases that name what a passage of an episode is about.

Candidates are noun phrases of the cleaned sentences (nouns and the adjectives before them,
"gas turbine engines", joined once by "of": "staged release of GPT-2"), found by
`nounphrases.phrases`. A phrase's score for a passage multiplies how often the passage says
it, the share of the episode's mentions that fall inside the passage (a theme of this
passage, not of every one), how rare its words are in English (wordfreq), and a bonus for
phrases of two or three words that recur and for names of things. People's names never
make a keyphrase: a title or a theme names what is talked about, not who talks.

The same index serves the TL;DR's themes, the Key Insights' titles and the Summary's
lines, and `section_keyphrases` titles any run of sentences (a future "make chapters").
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from desktop.core.insights.extractive.lexicon import specificity, tags, zipf
from desktop.core.insights.extractive.nounphrases import Casing, Phrase, phrases

RARE = 3.5  # Zipf below which a lone common noun is a term ("kinesiology", "polymers")


@dataclass
class _Entry:
    """What the episode says of one phrase (key: lower case, head noun singular)."""

    rows: list[int] = field(default_factory=list)  # sentences saying it, in order
    forms: Counter[str] = field(default_factory=Counter)  # as said
    whole: int = 0  # times said as a whole noun phrase (not inside a longer one)
    the: int = 0  # ... of which after "the"
    a: int = 0  # ... of which after "a" or "an"
    proper: bool = False


class KeyphraseIndex:
    """The noun phrases of every sentence of an episode, and how often each is said."""

    def __init__(self, texts: Sequence[str], names: Iterable[str] = ()) -> None:
        self.size = len(texts)
        self.names = frozenset(n.lower() for n in names)
        self.casing = Casing(texts)
        self.entries: dict[str, _Entry] = defaultdict(_Entry)
        self.in_row: list[list[str]] = []
        for row, text in enumerate(texts):
            keys: list[str] = []
            for phrase in phrases(text, self.casing):
                if self._named(phrase):
                    continue
                entry = self.entries[phrase.key]
                if not entry.rows or entry.rows[-1] != row:
                    entry.rows.append(row)
                entry.forms[phrase.text] += 1
                entry.whole += phrase.whole
                entry.the += phrase.whole and phrase.article == "the"
                entry.a += phrase.whole and phrase.article in ("a", "an")
                entry.proper = entry.proper or phrase.proper
                if phrase.key not in keys:
                    keys.append(phrase.key)
            self.in_row.append(keys)
        self.entries = dict(self.entries)

    def _named(self, phrase: Phrase) -> bool:
        return any(w in self.names for w in phrase.key.split())

    def text(self, key: str) -> str:
        """The phrase as it is said most often (names keep their capitals)."""
        return self.entries[key].forms.most_common(1)[0][0]

    def with_article(self, key: str) -> str:
        """The phrase as a theme in a sentence: with "the" when the episode mostly says it so
        ("the Yellow Paper"), plural when it ever says it so ("neural networks"), else
        with "a" when it mostly says it so ("a notes app")."""
        entry = self.entries[key]
        text = self.text(key)
        if entry.the * 2 > entry.whole > 0:
            return f"the {text}"
        if not entry.proper:
            plural = [f for f in entry.forms if f.split()[-1].lower() != key.split()[-1]]
            if plural:
                return max(plural, key=lambda f: (entry.forms[f], f))
        if entry.a * 2 > entry.whole > 0:
            return f"{'an' if text[:1].lower() in 'aeiou' else 'a'} {text}"
        return text

    def mentions(self, key: str) -> int:
        return len(self.entries[key].rows) if key in self.entries else 0

    def names_a_thing(self, key: str) -> bool:
        """Whether the phrase can stand as a title: two words or more, or a lone word that
        is a name (capitalised when said: "Swarm", "NASA") or a term the episode repeats
        ("polymers", "kinesiology"), never a lone everyday noun ("trajectory")."""
        words = [w for w in key.split() if w != "of"]
        if len(words) > 1:
            return any(specificity(w) > 0.25 for w in words) or self.entries[key].proper
        if self.entries[key].proper:
            return True
        if "ADJ" in tags(words[0]):
            return False  # "Intractable", "Human": an adjective first of all
        said = self.text(key).lower()  # "constraints" is commoner than "constraint"
        return max(zipf(words[0]), zipf(said)) < RARE and self.mentions(key) >= 2

    def scores(self, rows: Iterable[int], focus: float = 0.5) -> dict[str, float]:
        """Each phrase said in `rows`, scored for that passage (see the module's doc).
        `focus` weighs the share of the episode's mentions inside the passage (0: none)."""
        counts = Counter(key for row in rows for key in self.in_row[row])
        result = {}
        for key, said in counts.items():
            entry = self.entries[key]
            words = [w for w in key.split() if w != "of"]
            rarity = sum(self._rarity(w, entry.proper) for w in words) / len(words)
            recurs = said >= 2
            length = {1: 1.0, 2: 1.5 if recurs else 1.15}.get(len(words), 1.7 if recurs else 1.2)
            share = (said / len(entry.rows)) ** focus
            thing = 1.0 if self.names_a_thing(key) else 0.35
            # A phrase mostly said inside a longer one ("steam turbine" of "steam turbine
            # engines") is a piece of a phrase, not one.
            whole = 0.6 + 0.4 * entry.whole / max(1, entry.forms.total())
            result[key] = said**0.8 * share * (0.1 + rarity) * length * thing * whole
        return result

    def _rarity(self, word: str, proper: bool) -> float:
        # A name is specific even when made of common words ("Yellow Paper", "Old Dominion").
        known = bool(tags(word))
        return max(specificity(word), 0.75 if proper else 0.0, 0.0 if known else 0.8)

    def best(
        self, scored: dict[str, float], k: int, avoid: Iterable[str] = (), things: bool = True
    ) -> list[str]:
        """The `k` best keys of `scored` that share no word with each other or with `avoid`
        (so "Swarm" and "Swarm team" are not both chosen); only phrases that name a thing
        when `things`."""
        taken = [set(_content(a)) for a in avoid]
        chosen: list[str] = []
        for key in sorted(scored, key=lambda key: (-scored[key], key)):
            if len(chosen) == k:
                break
            if things and not self.names_a_thing(key):
                continue
            words = set(_content(key))
            if any(words & t for t in taken):
                continue
            chosen.append(key)
            taken.append(words)
        return chosen


def _content(key: str) -> list[str]:
    return [w for w in key.split() if w != "of"]


def section_keyphrases(
    source: KeyphraseIndex | Sequence[str], rows: Sequence[int], k: int = 3
) -> list[str]:
    """The `k` phrases that best name what the sentences `rows` talk about, as said
    ("the Hessian-free optimizer" is said "Hessian-free optimizer"); `source` is the
    episode's index or its cleaned sentences."""
    index = source if isinstance(source, KeyphraseIndex) else KeyphraseIndex(source)
    return [index.text(key) for key in index.best(index.scores(rows), k)]
