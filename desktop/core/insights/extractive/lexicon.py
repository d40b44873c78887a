"""How informative words are, from how common they are in English (wordfreq's tables,
shipped in its wheel), and which words of a transcript are people's names.

TF-IDF only knows a word is rare in this episode; "interesting" said once weighs as much as
"Kademlia" said once. English frequencies tell the two apart: specific words make better
insights and titles than the words every conversation uses.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

from lemminflect import getAllLemmas
from wordfreq import zipf_frequency

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
COMMON = 5.3  # Zipf frequency from which a word is one everybody says ("time", "people")


@lru_cache(maxsize=1 << 16)
def zipf(word: str) -> float:
    """Zipf frequency of the word in English: 7 for "the", 3 for "beekeeper", 0 unknown."""
    return zipf_frequency(word, "en")


def specificity(word: str) -> float:
    """0 for the commonest words (Zipf 6 and above), 1 for rare ones (Zipf 3 and below)."""
    return min(1.0, max(0.0, (6.0 - zipf(word.lower())) / 3.0))


@lru_cache(maxsize=1 << 16)
def tags(word: str) -> frozenset[str]:
    """The parts of speech a word can have out of context (NOUN, VERB, AUX, ADJ, ADV...,
    from LemmInflect's English lexicon), empty when the word is unknown (a name)."""
    return frozenset(getAllLemmas(word.lower()))


def has_verb(text: str) -> bool:
    """Whether any word could be a verb ("A very small town north of Des Moines." has
    none: it is the tail of another sentence)."""
    for word in _WORD.findall(text):
        if re.search(r"['’](?:s|re|ve|ll|d|m|t)$", word.lower()) or tags(word) & _VERBS:
            return True
    return False


_VERBS = frozenset({"VERB", "AUX"})


def informativeness(text: str, stop_words: frozenset[str]) -> float:
    """0..1: how much specific vocabulary a sentence holds (saturating with its amount)."""
    content = {w.lower() for w in _WORD.findall(text)} - stop_words
    total = sum(specificity(w) for w in content)
    return 1.0 - math.exp(-total / 2.0)


def person_names(speakers: Iterable[str | None], texts: Sequence[str]) -> frozenset[str]:
    """Lower-case words that name people: speaker labels ("Bob Summerwill" gives both
    words, "Speaker 3" nothing) and the names people are addressed by ("Lisa, thanks...",
    "Thanks, Viktor", "my guest is Daniel Okafor")."""
    names: set[str] = set()
    for speaker in set(speakers):
        if speaker and not re.fullmatch(
            r"(?i)(?:speaker|spk|host|guest|interviewer|interviewee|s|unknown)[\s_-]*\d*",
            speaker.strip(),
        ):
            names |= {w.lower() for w in _WORD.findall(speaker) if len(w) > 1}
    vocative = Counter[str]()
    lower: set[str] = set()
    for text in texts:
        lower.update(w for w in _WORD.findall(text) if w.islower())
        for pattern in _ADDRESSED:
            vocative.update(m.lower() for m in pattern.findall(text))
    # Who says, thinks or is met: "Jeff said", "Vitalik basically said", "I visited Jeff".
    for text in texts:
        for match in _PERSON_CLUE.finditer(text):
            vocative.update(n.lower() for n in match.groups() if n)
    names |= {
        n for n in vocative if _may_name(n, lower) and zipf(n) < COMMON and n not in _NOT_NAMES
    }
    # "Zsolt Felföldi", "Felix Lange": two capitalised words inside a sentence, neither an
    # English word, nor an acronym ("NASA Langley"), nor ever written in lower case.
    for text in texts:
        for first, last in _FULL_NAME.findall(text):
            pair = (first.lower(), last.lower())
            if not (set(pair) & lower) and not tags(first) and not tags(last):
                names |= set(pair)
    return frozenset(names | _listed_with(names, texts, lower))


def _listed_with(names: set[str], texts: Sequence[str], lower: set[str]) -> set[str]:
    """Words listed with a name ("Gavin, Jeff and Vitalik" when Jeff is one), and the
    subject of a sentence the next one calls "he" or "she" ("Nick Johnson was first part
    of the Swarm team. He developed the ENS"): names too, when never written in lower case."""
    found: set[str] = set()
    for text in texts:
        for listing in _LISTING.finditer(text):
            words = {w.lower() for w in re.findall(r"[A-Z][a-z]+", listing.group(0))}
            if words & names:
                found |= {w for w in words - names if _may_name(w, lower)}
    for text, after in itertools.pairwise(texts):
        subject = _SUBJECT.match(text)
        if subject and re.match(r"(?:He|She)\b", after):
            found |= {w.strip().lower() for w in subject.groups() if w}
    return {w for w in found if _may_name(w, lower)}


def _may_name(word: str, lower: set[str]) -> bool:
    """Never written in lower case, and no word that is only an adverb or adjective
    ("Furthermore, ..."); "Nick" (also a noun) may be a name."""
    kinds = tags(word)
    return word not in lower and (not kinds or "NOUN" in kinds)


_NAME_WORDS = r"[A-Z][a-z]+(?: [A-Z][a-z]+)?"
_LISTING = re.compile(rf"\b{_NAME_WORDS}(?:, {_NAME_WORDS})*,? (?:and|or) {_NAME_WORDS}\b")
_SUBJECT = re.compile(
    r"^([A-Z][a-z]+) ([A-Z][a-z]+ )?(?:was|is|had|has|did|went|came|worked|joined|left|"
    r"developed|wrote|built|started|founded|created|led|ran)\b"
)


_ADDRESSED = (
    re.compile(r"^(?:(?:so|well|hi|hello|hey|thanks|thank you|oh),?\s+)?([A-Z][a-z]{2,}),\s"),
    re.compile(r"\b(?:thanks|thank you|hi|hello|hey|welcome),?\s+([A-Z][a-z]{2,})\b"),
    re.compile(
        r"\b(?:I am|I'm|my name is|my guest is|guest is|joined by|here with|talking with|"
        r"talked to|welcome)\s+([A-Z][a-z]{2,})(?:\s+[A-Z][\w'-]+)?"
    ),
)
_PERSON_CLUE = re.compile(
    r"\b([A-Z][a-z]{2,})(?: (?:\w+ly|also|just|then|once|always|never))? (?:said|says|"
    r"told|asked|thinks|thought|wanted|was like|and I\b|and me\b|himself|herself)"
    r"|\b(?:I|we) (?:visited|met|called|asked|told|hired|emailed|texted|invited) "
    r"([A-Z][a-z]{2,})\b"
)
_FULL_NAME = re.compile(r"(?<=[\w,] )([A-Z][^\W\d_A-Z]{2,}) ([A-Z][^\W\d_A-Z]{2,})\b")
_NOT_NAMES = frozenset(
    re.findall(
        r"\S+",
        "so well yeah okay now and but the this that there here what which today everyone "
        "everybody guys folks again back sir thanks alright hey",
    )
)
