"""What the TL;DR's named themes are, in the episode's own words.

Podcasts say what a name stands for when they introduce it: "HyperTerm, a terminal
emulator based on JavaScript", "HyperTerm, which is a terminal emulator", "ZEIT is a
company", "his new company, ZEIT". Those appositions make the TL;DR's second sentence
("HyperTerm is a terminal emulator based on JavaScript; ZEIT is his new company."), so a
reader learns what the themes are, not just their names. A description that speaks from
the speaker's own point of view ("my first startup", "your new company") is left out: the
TL;DR speaks about the speakers, in the third person.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from desktop.core.insights.extractive.lexicon import tags
from desktop.core.insights.extractive.nounphrases import FUNCTION

MAX_WORDS = 12
_DESCRIPTION = r"(?P<d>(?:a|an) [^.;:!?]+)"
_PATTERNS = (
    r"{name},? which is " + _DESCRIPTION,
    r"{name}, " + _DESCRIPTION,
    r"{name} is " + _DESCRIPTION,
    r"(?P<d>(?:his|her|their) (?:new |own |first |latest )?[a-z][\w-]+), {name}\b",
)
# Where a description's own clause ends.
_CLAUSE_END = re.compile(
    r",|\s[-–—]\s|\b(?:which|that|who|where|when|and then|but|because|so|if|and I|and we)\b"
)
_FIRST_PERSON = re.compile(r"\b(?:i|me|my|mine|we|us|our|ours|you|your|yours)\b", re.I)


def describe(name: str, texts: Sequence[str], first: Sequence[int] = ()) -> str:
    """What `name` is, in words the episode uses ("a terminal emulator"), or "". The rows
    `first` (the opening's framing) are searched before the rest, in order."""
    escaped = re.escape(name)
    patterns = [re.compile(r"(?<![\w-])" + p.format(name=escaped)) for p in _PATTERNS]
    order = [*first, *(i for i in range(len(texts)) if i not in set(first))]
    for row in order:
        if name not in texts[row]:
            continue
        for pattern in patterns:
            found = pattern.search(texts[row])
            if found:
                description = _trim(found.group("d"))
                if description:
                    return description
    return ""


def _trim(text: str) -> str:
    """The description up to where its clause ends, at most MAX_WORDS words, ending on a
    word of substance; "" when it says nothing or speaks in the first or second person."""
    end = _CLAUSE_END.search(text)
    words = (text[: end.start()] if end else text).split()[:MAX_WORDS]
    while words and (words[-1].lower() in FUNCTION or words[-1].lower() in _ARTICLES):
        words.pop()
    if len(words) < 2 or _FIRST_PERSON.search(" ".join(words)):
        return ""
    if not any(tags(w) & {"NOUN"} or not tags(w) for w in words[1:]):
        return ""
    return " ".join(words)


_ARTICLES = frozenset({"a", "an", "the", "his", "her", "their"})


def definitions(names: Sequence[str], texts: Sequence[str], first: Sequence[int] = ()) -> str:
    """ "HyperTerm is a terminal emulator; ZEIT is his new company." for the names the episode
    describes (at most two), or ""."""
    said = []
    for name in names:
        description = describe(name, texts, first)
        if description:
            said.append(f"{name} is {description}")
        if len(said) == 2:
            break
    return "; ".join(said) + "." if said else ""
