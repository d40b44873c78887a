"""Noun phrases of a spoken sentence, with the parts of speech settled by their neighbours.

LemmInflect knows the parts of speech a word can have out of context; the words around it
decide which one it has here: after "the" or "of" a word is a noun ("the use of"), after
"I", "to" or "will" a verb ("we use the"), and a word that could be either is taken for a
verb when an object follows it ("depth means that..."). Words the lexicon does not know
are names of things ("Kademlia", "devp2p") unless their ending makes them adjectives
("impactful", "convolutional") or adverbs. A phrase is a run of nouns and the adjectives
before them, ending on a noun, up to four words, or two such runs joined by "of".
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from lemminflect import getLemma
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from desktop.core.insights.extractive.lexicon import COMMON, tags, zipf

MAX_WORDS = 4

_TOKEN = re.compile(r"[^\W\d_](?:[\w'’+-]*\w)?(?:\.(?=[^\W\d_])\w+)*\+*|\d[\d.,:%]*|[^\w\s]")


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words of the stop list that are nouns of substance ("operating system").
_CONTENT_STOPS = _set(
    "system bill fire interest detail amount name side bottom front computer mill"
)
FUNCTION = (frozenset(ENGLISH_STOP_WORDS) - _CONTENT_STOPS) | _set(
    """yeah yep yup okay ok oh uh um hmm hey hi hello gonna wanna gotta kinda sorta really
    actually basically literally obviously probably maybe just like right sure also very
    pretty quite rather lot lots bit bunch couple let lets got get gets getting did does
    doing done said say says saying think thinks thought know knew known mean means meant
    guess want wanted wants going went come came coming use used using make made making
    really totally exactly absolutely definitely anyway anyways whatever today tonight"""
)
# Nouns that name no topic: a title or a theme made of them says nothing.
GENERIC = _set(
    """thing things stuff time times people person persons guy guys folks way ways kind kinds
    sort sorts type types question questions idea ideas point points part parts piece
    pieces example examples case cases fact facts sense topic topics episode episodes show
    shows podcast podcasts talk talks conversation year years day days week weeks month
    months moment moments everyone someone anyone world life story stories work job jobs
    number numbers level levels area areas problem problems issue issues reason reasons
    place places end beginning start aspect aspects group groups rest half answer answers
    lot lots bit bits something everything nothing anything laughter laughs applause music
    crosstalk inaudible feel feeling feelings side sides term terms situation situations
    version versions sorry thanks thank welcome hour hours minute minutes second seconds
    stage step steps matter bunch couple tons ton word words name names man woman men women
    guy kid kids friend friends takeaway takeaways january february march april may june
    july august september october november december monday tuesday wednesday thursday
    friday saturday sunday morning afternoon evening night weekend yesterday tomorrow
    today everybody somebody nobody anybody mister mr mrs ms dr sir madam increase
    decrease statement difference effect impact result results"""
)
# Adjectives that judge or count, and so never narrow a phrase down to a topic.
EVALUATIVE = _set(
    """good great big small little huge tiny large new old nice cool awesome amazing crazy
    interesting important different same similar certain sure whole other own next last
    first second third main key real true right wrong hard easy simple able likely
    particular specific general various entire full best better worse worst bad major
    incredible fantastic wonderful super fun funny weird strange basic typical actual
    early late recent current previous former latter possible impossible obvious clear
    high low long short much many few several more most less least only even exact
    whole fine okay perfect favorite favourite lucky fortunate impactful happy excited
    honest successful proper impressive valuable proud glad sad nervous scary awful
    terrible brilliant beautiful cute lovely excellent neat fascinating exciting earlier
    later recent newer older bigger smaller larger greater higher lower longer shorter
    surprising tough cheap expensive useful helpful powerful meaningful various"""
)
DETERMINERS = _set(
    """the a an my your our their his her its this these those some any every each no
    another other several many much more most few both either neither all such what which
    whose one two three four five six seven eight nine ten"""
)
PREPOSITIONS = _set(
    """of in on at for with about from into through over under between during after before
    without within across against toward towards around behind beyond by via per like as
    among upon onto than"""
)
# After these a word that can be a verb is one ("I use", "to build", "will change").
_BEFORE_VERB = _set(
    """i we you they he she it who which that will would can could should might must may
    shall is are was were am be been being has have had 's 're 've 'm 'd do does did
    don't didn't doesn't won't can't couldn't wouldn't shouldn't not never always just also
    really actually even still then already often usually sometimes"""
)
# A verb's object starts with these ("means that", "use the", "build it").
_OBJECTS = _set(
    """the a an my your our their his her its this these those that it them him me us you
    what how why whether if some any all everything something"""
)
_ENDS_OBJECT = PREPOSITIONS | _set("and or but so because when while where if")
_ADJECTIVE_ENDINGS = (
    "ful", "ous", "ive", "al", "ic", "able", "ible", "less", "ish", "ary", "ian", "esque",
)  # fmt: skip


class Casing:
    """How the episode writes each word inside sentences: a word mostly capitalised there
    is a name ("Swarm", "Old Dominion"), whatever its first word's capital says."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.upper: Counter[str] = Counter()
        self.lower: Counter[str] = Counter()
        self.forms: dict[str, Counter[str]] = {}
        for text in texts:
            words = tokens(text)
            for i, token in enumerate(words):
                if not token[0].isalpha() or _starts_sentence(words, i):
                    continue
                key = token.lower()
                if token[0].isupper():
                    self.upper[key] += 1
                    self.forms.setdefault(key, Counter())[token] += 1
                else:
                    self.lower[key] += 1

    def proper(self, word: str) -> bool:
        key = word.lower()
        return self.upper[key] > self.lower[key]

    def display(self, token: str) -> str:
        """The word as the episode writes it inside sentences."""
        key = token.lower()
        if _acronym(token) or (token[1:] != token[1:].lower()):
            return token  # "NASA", "HyperTerm", "devP2P": as written
        if self.proper(key):
            return self.forms[key].most_common(1)[0][0]
        if not self.lower[key] and token[:1].isupper() and not tags(key):
            return token  # only ever said at a sentence's start, and no English word
        return key


@dataclass(frozen=True, slots=True)
class Phrase:
    key: str  # lower case, the head noun singular: "gas turbine engine"
    text: str  # as said: "gas turbine engines"
    proper: bool  # holds a name or an acronym
    whole: bool  # the whole noun phrase, not a part of a longer one
    article: str  # the word before it when that is "the", "a" or "an", else ""
    position: int  # index of its first token in the sentence


def tokens(text: str) -> list[str]:
    """Words, numbers and punctuation; a possessive's "'s" is a token of its own, so that
    it ends the phrase before it ("NASA's polymers": "NASA", "polymers")."""
    found = []
    for token in _TOKEN.findall(text):
        if len(token) > 3 and token[-2] in "'’" and token[-1] in "sS":
            found += [token[:-2], "'s"]
        else:
            found.append(token)
    return found


def phrases(text: str, casing: Casing) -> list[Phrase]:
    """Every noun phrase of the sentence and every shorter one inside it that ends on a
    noun ("gas turbine engines", "turbine engines", "engines", "gas")."""
    words = tokens(text)
    roles = _roles(words, casing)
    runs = _runs(roles)
    if not runs:
        return []
    sentence = _Sentence(words, casing)
    found: list[Phrase] = []
    for lo, hi in runs:
        for end in range(lo, hi):
            if roles[end] != "N":
                continue
            for begin in range(max(lo, end - MAX_WORDS + 1), end + 1):
                whole = begin == lo and end == hi - 1
                found.append(sentence.phrase(begin, end + 1, whole))
    for (lo, hi), (lo2, hi2) in itertools.pairwise(runs):
        joined = hi + 1 == lo2 and words[hi].lower() == "of"
        if joined and (hi - lo) + (hi2 - lo2) <= MAX_WORDS - 1:
            found.append(sentence.phrase(lo, hi2, True))
    return found


class _Sentence:
    """A sentence's words as phrases show them (worked out once per word)."""

    def __init__(self, words: list[str], casing: Casing) -> None:
        self.words = words
        self.lower = [w.lower() for w in words]
        self.named = [
            w[0].isupper() and not _starts_sentence(words, i) for i, w in enumerate(words)
        ]
        self.proper = [w[0].isalpha() and (_acronym(w) or casing.proper(w)) for w in words]
        self.shown = [
            w if w.lower() == "of" or not w[0].isalpha() else casing.display(w) for w in words
        ]

    def phrase(self, lo: int, hi: int, whole: bool) -> Phrase:
        # A name said in capitals inside a sentence keeps them all ("Old Dominion").
        named = lo > 0 and all(self.named[lo:hi])
        shown = self.words[lo:hi] if named else self.shown[lo:hi]
        key = self.lower[lo:hi]
        if not self.proper[hi - 1]:
            key[-1] = singular(key[-1])
        before = self.lower[lo - 1] if lo > 0 else ""
        article = before if before in ("the", "a", "an") else ""
        proper = any(self.proper[lo:hi])
        return Phrase(" ".join(key), " ".join(shown), proper, whole, article, lo)


@lru_cache(maxsize=1 << 14)
def singular(word: str) -> str:
    """The noun's singular ("engines" -> "engine", "meetups" -> "meetup")."""
    if "NOUN" in tags(word):
        return getLemma(word, upos="NOUN")[0]
    if not tags(word) and word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _runs(roles: list[str | None]) -> list[tuple[int, int]]:
    """(first, past-last) token spans of noun phrases: nouns and modifiers ending on a
    noun (trailing adjectives dropped)."""
    runs = []
    i = 0
    while i < len(roles):
        if roles[i] not in ("N", "M"):
            i += 1
            continue
        j = i
        while j < len(roles) and roles[j] in ("N", "M"):
            j += 1
        end = j
        while end > i and roles[end - 1] != "N":
            end -= 1
        if end > i:
            runs.append((i, end))
        i = j
    return runs


def _roles(words: list[str], casing: Casing) -> list[str | None]:
    """Per token: "N" a noun (or name), "M" a modifier (adjective, participle), None a
    word that ends a phrase."""
    roles: list[str | None] = []
    for i, word in enumerate(words):
        prev = words[i - 1].lower() if i else None
        if prev == "'s" and i > 1 and roles[i - 2] == "N":
            prev = "the"  # a possessive: what follows it is a noun ("Swarm's team")
        after = words[i + 1] if i + 1 < len(words) else None
        in_run = bool(roles) and roles[-1] in ("N", "M")
        roles.append(_role(word, prev, after, in_run, _starts_sentence(words, i), casing))
    return roles


def _role(
    word: str, prev: str | None, after: str | None, in_run: bool, start: bool, casing: Casing
) -> str | None:
    lower = word.lower()
    if not word[0].isalpha() or "'" in word or "’" in word:
        return None
    named = after is not None and after[:1].isupper() and after[:1].isalpha()
    if not start and word[0].isupper() and named and lower not in FUNCTION:
        return "N"  # inside a name: "Old Dominion", "New York"
    after = after.lower() if after else None
    if lower in FUNCTION or lower in GENERIC or lower in EVALUATIVE:
        return None
    if _acronym(word) or (not start and word[0].isupper()) or (casing.proper(lower) and start):
        return "N"  # a name or an acronym, whatever else the word can be
    kinds = tags(lower)
    if not kinds:
        return _unknown(lower)
    after_determiner = prev in DETERMINERS or prev in PREPOSITIONS
    if "VERB" in kinds and lower.endswith("ing") and not in_run:
        # "years building tools", "designing HyperTerm": a verb with its object; "the
        # training data", "about learning": a noun.
        adjective = prev is not None and "ADJ" in tags(prev)
        if not (after_determiner or adjective) or named:
            return None
    if kinds & {"NOUN", "PROPN"}:
        verb = "VERB" in kinds and _used_as_verb(lower, prev, after, in_run)
        return None if verb else "N"
    if "VERB" in kinds and lower.endswith(("ed", "en")):
        # "the staged release": a participle after a determiner qualifies the noun;
        # "I studied", "an essay called", "Moved to": a verb.
        return "M" if after_determiner else None
    if "ADJ" in kinds:
        return None if "VERB" in kinds and prev in _BEFORE_VERB else "M"
    return None


def _used_as_verb(word: str, prev: str | None, after: str | None, in_run: bool) -> bool:
    """Whether a word that can be a noun or a verb is a verb here."""
    if prev in DETERMINERS or (prev in PREPOSITIONS and prev != "to"):
        return False
    if prev in _BEFORE_VERB:
        return True
    if prev is not None and ("ADJ" in tags(prev) or prev in EVALUATIVE):
        return False  # "high school"
    if in_run:  # "depth means that" (a verb), "climate change" (a noun)
        return after in _OBJECTS
    if prev == "to":  # "to guide troubleshooting" (a verb), "went to space." (a noun)
        return after is not None and after[0].isalpha() and after not in _ENDS_OBJECT
    # At a sentence's or clause's start: common verbs ("use", "help") are verbs.
    return zipf(word) >= COMMON or after in _OBJECTS


def _unknown(word: str) -> str | None:
    """A word the lexicon does not know: an adverb, an adjective, or a name of a thing."""
    if word.endswith("ly") and len(word) > 4:
        return None
    if word.endswith(_ADJECTIVE_ENDINGS) and len(word) > 5:
        return "M"
    if word.endswith("ed") and len(word) > 5:
        return None
    if word.endswith("ing") and len(word) > 5:
        return "M"  # "overarching": it may qualify a noun, never name one alone
    return "N"


@lru_cache(maxsize=1 << 14)
def _acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _starts_sentence(words: list[str], i: int) -> bool:
    return i == 0 or words[i - 1] in {".", "!", "?", ":", ";", '"', "“", "(", "-", "—"}
