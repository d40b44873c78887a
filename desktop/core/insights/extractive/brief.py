"""The TL;DR, written from the episode's structure rather than picked: who talks about what.

Who: the speakers' names ("Bob Summerwill talks with Viktor Trón"), else the episode's
title, with a guest that the title names or that the opening thanks for joining; never a
label like "Speaker 3", never a name the transcript and title do not give. What: three to
five themes, from the noun phrases of the transcript's chapter titles when it has them
(those the episode says most), else from the keyphrases of its topic sections. The
second sentence says what the named themes are, when the episode does (describe.py). The
templates are English: a transcript in another language keeps a TL;DR of its own
sentences (structure.tldr) instead of a sentence that mixes two languages.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from desktop.core.insights.extractive.describe import definitions
from desktop.core.insights.extractive.keyphrases import KeyphraseIndex
from desktop.core.insights.extractive.lexicon import person_names, tags
from desktop.core.insights.extractive.nounphrases import Casing, Phrase, phrases, singular
from desktop.core.insights.extractive.sentences import Sentence
from desktop.core.model import Chapter

MAX_THEMES = 5
MIN_THEMES = 3
_GENERIC_LABEL = re.compile(
    r"(?i)(?:speaker|spk|host|guest|interviewer|interviewee|s|unknown|narrator|voice|"
    r"audience|participant|person|man|woman|male|female)[\s_-]*[a-z]?\d*"
)
# Chapters that are no topic: openings, closings, sponsors, breaks.
_NOISE_CHAPTER = re.compile(
    r"(?i)^\W*(?:intro(?:duction)?|outro|opening|closing|conclusions?|wrap[\s-]?up|"
    r"sponsors?(?:hip)?|ads?|advert\w*|break|housekeeping|announcements?|welcome|"
    r"q\s*&\s*a|questions?|thanks|credits|end|start|preview|teaser|recap)\b(?:\W*$|\W*\d)"
)
_UNTITLED = re.compile(r"(?i)^(?:episode|untitled|talk|recording|audio|video|podcast|new)?$")
_ENGLISH = frozenset(
    re.findall(
        r"\S+",
        "the and of to a in is it that i you was for on are with this be have not but they "
        "we what so at as there do my can if just like all about one",
    )
)


def is_english(texts: Sequence[str]) -> bool:
    """Whether the transcript is English: its commonest short words are ("the", "and"...),
    a fifth of the words of any English speech and almost none of other languages'."""
    words = [w.lower() for text in texts[:400] for w in re.findall(r"[^\W\d_]+", text)]
    return bool(words) and sum(w in _ENGLISH for w in words) >= 0.15 * len(words)


def real_speakers(sentences: Sequence[Sentence]) -> list[str]:
    """Speaker labels that are names, by words spoken, most first (at least 3% of the
    words: a voice that says "Break" or reads one ad is no speaker of the episode)."""
    spoken: Counter[str] = Counter()
    for s in sentences:
        if s.speaker and not _GENERIC_LABEL.fullmatch(s.speaker.strip()):
            spoken[s.speaker.strip()] += len(s.text.split())
    total = sum(spoken.values())
    return [name for name, n in spoken.most_common() if n >= 0.03 * total]


def is_conversation(sentences: Sequence[Sentence], exchanges: int) -> bool:
    """Questions answered, and no one voice holding 70% of the words (a lecture with a
    few questions from the audience is a talk)."""
    spoken: Counter[str | None] = Counter()
    for s in sentences:
        spoken[s.speaker] += len(s.text.split())
    labelled = any(spoken) and None not in spoken
    main = max(spoken.values(), default=0) / max(1, sum(spoken.values()))
    return exchanges >= 2 and not (labelled and main >= 0.7)


def clean_title(title: str) -> str:
    """The episode title worth quoting ("" for none: a placeholder or a file id)."""
    title = " ".join(title.split())
    if _UNTITLED.fullmatch(title) or (" " not in title and re.search(r"[\d_]", title)):
        return ""
    return title


def title_guest(title: str, texts: Sequence[str]) -> tuple[str, str]:
    """(the guest the title names, the title without that part), or ("", title).

    "Early Days of Ethereum - Episode 10 - Viktor Trón" names Viktor Trón: a part of two or
    three capitalised words, one of them no English word or a name the episode uses."""
    addressed = person_names([], list(texts[:200]))
    parts = re.split(r"\s+[-–—|]\s+|:\s+|\s+(?:with|ft\.|feat\.|featuring)\s+", title)
    for part in parts:
        words = part.split()
        capitalised = 2 <= len(words) <= 3 and all(w[:1].isupper() for w in words)
        named = any(not tags(w) or w.lower() in addressed for w in words)
        if capitalised and named and not any(c.isdigit() for c in part):
            rest = [p for p in parts if p is not part]
            return part, " - ".join(rest) if rest else title
    return "", title


def addressed_guest(texts: Sequence[str]) -> str:
    """A guest the opening names and thanks ("Lisa, thanks for joining us"), or ""."""
    names = person_names([], list(texts[:60]))
    for text in texts[:60]:
        found = _GUEST.search(text)
        if found:
            name = found.group("thanked") or found.group("introduced")
            if all(w.lower() in names for w in name.split()):
                return name
    return ""


_NAME = r"[A-Z][a-z]+(?: [A-Z][a-z]+)?"
_GUEST = re.compile(
    rf"^(?P<thanked>{_NAME}),\s+(?:thank you|thanks)(?: so much)? for (?:joining|coming|being)"
    rf"|\b(?:my guest(?: today)? is|(?:I'm|I am|we're|we are) joined(?: today)? by|"
    rf"please welcome)\s+(?P<introduced>{_NAME})\b"
)


def chapter_topics(chapters: Sequence[Chapter]) -> list[str]:
    """The chapter titles that name topics: no intro, outro, sponsor or break; without
    leading timestamps or numbering."""
    topics = []
    for chapter in chapters:
        title = re.sub(r"^\W*(?:\d+[:.]\d+(?:[:.]\d+)?|\d+[.)]|part \d+:?)\s*", "", chapter.title)
        title = title.strip(" -–—:|")
        if title and not _NOISE_CHAPTER.match(title):
            topics.append(title)
    return topics


def themes(
    index: KeyphraseIndex,
    ranges: Sequence[tuple[int, int]],
    chapters: Sequence[Chapter],
    known: Sequence[str] = (),
    framing: Sequence[int] = (),
) -> list[str]:
    """Three to five themes of the episode, most important first, as the episode says
    them ("the Yellow Paper"); none wholly made of the words in `known` (the title,
    the speakers' names). The sentences `framing` say what the episode is about: what they
    name counts twice."""
    known_words = {singular(w.lower()) for text in known for w in re.findall(r"[\w'-]+", text)}
    known_words |= {w.lower() for text in known for w in re.findall(r"[\w'-]+", text)}
    scored = _chapter_scores(index, chapters) if chapters else {}
    if len(scored) < MIN_THEMES:
        scored = {**_section_scores(index, ranges, framing), **scored}
    scored = {k: v for k, v in scored.items() if not set(k.split()) - {"of"} <= known_words}
    chosen = index.best(scored, MAX_THEMES, things=False)
    chosen = [k for k in chosen if k not in index.entries or index.names_a_thing(k)]
    if not chosen:
        return []
    # A fourth and fifth theme when the episode says them about as much as the third.
    third = scored[chosen[min(len(chosen), MIN_THEMES) - 1]]
    keep = chosen[:MIN_THEMES] + [k for k in chosen[MIN_THEMES:] if scored[k] >= 0.5 * third]
    return [_theme_text(index, k, chapters) for k in keep]


def _theme_text(index: KeyphraseIndex, key: str, chapters: Sequence[Chapter]) -> str:
    """A name as the episode writes it ("the Yellow Paper"), a chapter's phrase as the
    chapter does ("Ethereum meetups"), else as the episode says it most often."""
    if key in index.entries and index.entries[key].proper:
        return index.with_article(key)
    return _chapter_form(key, chapters) or index.with_article(key)


def _section_scores(
    index: KeyphraseIndex, ranges: Sequence[tuple[int, int]], framing: Sequence[int]
) -> dict[str, float]:
    """Keyphrases of the whole episode, favouring those its topic sections share and those
    its opening names when it says what the episode is about."""
    scored = index.scores(range(index.size), focus=0.0)
    present = Counter(
        key for lo, hi in ranges for key in {k for r in range(lo, hi) for k in index.in_row[r]}
    )
    framed = {k for r in framing for k in index.in_row[r]}
    sections = max(1, len(ranges))
    return {
        k: v * (present[k] / sections) ** 0.5 * (2.0 if k in framed else 1.0)
        for k, v in scored.items()
    }


def _chapter_scores(index: KeyphraseIndex, chapters: Sequence[Chapter]) -> dict[str, float]:
    """Noun phrases of the chapter titles, scored by how much the episode says them."""
    episode = index.scores(range(index.size), focus=0.0)
    scored: dict[str, float] = {}
    for topic in chapter_topics(chapters):
        for phrase in phrases(topic, index.casing):
            if phrase.key in episode and index.names_a_thing(phrase.key):
                scored[phrase.key] = episode[phrase.key]
            elif phrase.key not in episode and len(phrase.key.split()) > 1:
                scored.setdefault(phrase.key, 0.0)  # a chapter's words the episode never says
    return scored


def _chapter_form(key: str, chapters: Sequence[Chapter]) -> str:
    """The phrase as a chapter title writes it ("Ethereum meetups"), or ""."""
    for chapter in chapters:
        for phrase in phrases(chapter.title, Casing([])):
            if phrase.key == key:
                return phrase.text if phrase.proper else _as_written(phrase, chapter.title)
    return ""


def _as_written(phrase: Phrase, title: str) -> str:
    """A chapter's common noun phrase in lower case, unless the title writes it otherwise
    inside itself ("the Yellow Paper" keeps its capitals)."""
    found = re.search(re.escape(phrase.text), title, re.IGNORECASE)
    if found and found.start() > 0:
        return found.group(0)
    return phrase.text.lower()


@dataclass(frozen=True, slots=True)
class Who:
    speakers: list[str]  # named speakers, most words first
    title: str  # the title as quoted ("" when it is a placeholder or names the guest only)
    guest: str  # a guest named by the title or the opening, when there are no speakers


def who(sentences: Sequence[Sentence], title: str) -> Who:
    speakers = real_speakers(sentences)
    shown = clean_title(title)
    if speakers:
        return Who(speakers, shown, "")
    texts = [s.text for s in sentences]
    guest, rest = title_guest(shown, texts)
    if guest:
        return Who([], rest, guest)
    return Who([], shown, addressed_guest(texts))


def tldr(
    index: KeyphraseIndex,
    ranges: Sequence[tuple[int, int]],
    chapters: Sequence[Chapter],
    people: Who,
    host: str | None,
    conversation: bool,
    texts: Sequence[str],
    framing: Sequence[int] = (),
) -> str:
    """The generated TL;DR: who talks about which themes, then what the named themes are
    when the episode says so ("" when the episode names no theme to write it with)."""
    # A theme all of whose words are in the title names the show, not a topic of it.
    topics = themes(index, ranges, chapters, [people.title, people.guest], framing)
    if not topics:
        return ""
    names = [t.removeprefix("the ") for t in topics if t[:1].isupper() or t.startswith("the ")]
    said = definitions(names, texts, framing)
    return " ".join(part for part in (compose(topics, people, host, conversation), said) if part)


def join(items: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def compose(topics: Sequence[str], people: Who, host: str | None, conversation: bool) -> str:
    """One sentence: who talks about what."""
    about = join(topics)
    speakers, title, guest = people.speakers, people.title, people.guest
    if host and host in speakers and len(speakers) >= 2:
        others = [s for s in speakers if s != host][:3]
        return f"{host} talks with {join(others)} about {about}."
    if len(speakers) == 1:
        return f"{speakers[0]} talks about {about}."
    if speakers:
        shown = [*speakers[:3], "others"] if len(speakers) > 3 else list(speakers)
        return f"{join(shown)} talk about {about}."
    kind = "conversation" if conversation else "talk"
    if title and guest:
        return f"In “{title}”, {guest} talks about {about}."
    if guest:
        return f"A {kind} {'with' if conversation else 'by'} {guest} about {about}."
    if title:
        return f"“{title}” is a {kind} about {about}."
    return f"A {kind} about {about}."
