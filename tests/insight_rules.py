"""What makes an insight payload worth reading, judged from the outside.

bench/insights_quality.py counts these faults on real transcripts and
tests/test_insights_quality.py asserts their absence. The rules are written independently
of the engine's own filters (they look only at the payload and the transcript), so that an
engine cannot pass them by agreeing with itself.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from wordfreq import zipf_frequency

from desktop.core.insights.payload import Insights
from desktop.core.model import Chapter, Segment
from desktop.core.resources import resources_dir

# Words that say nothing as a title: fillers, backchannels, stage directions, and the
# placeholders an engine falls back to.
GENERIC_TITLE_WORDS = frozenset(
    re.findall(
        r"\S+",
        """
    key point points phrase phrases cool kinda sorta gonna wanna yeah yep yes no okay ok
    right really like just thing things stuff lot lots kind sort bit way ways something
    anything everything nothing laughs laughter laughing chuckles chuckle chuckling
    applause music crosstalk inaudible silence pause um uh hmm mm oh wow great good nice
    awesome amazing interesting sure course totally exactly absolutely basically literally
    actually obviously probably maybe pretty quite guys folks people person time times
    today episode show podcast talk question questions answer idea ideas part topic point
    insight summary example case fact sense lorem ipsum dolor sit amet stuff whatever
    """,
    )
)
STAGE_DIRECTION = re.compile(
    r"[\[(]\s*(?:[a-z ]*?)(?:laugh\w*|chuckl\w*|applause|music|crosstalk|inaudible|"
    r"silence|pause|sigh\w*|cough\w*|unintelligible|break)[a-z ]*[\])]",
    re.IGNORECASE,
)
# A sentence opening with these leans on what came before it.
DEPENDENT_OPENER = re.compile(
    r"^(?:but|and|or|nor|because|cause|which|whereas|although|though|also|plus|then|"
    r"otherwise|anyway|anyways|still|however|instead|so|well|yeah|yes|yep|no|nope|right|"
    r"okay|ok|oh|ah|like|exactly|absolutely|sure|totally|true|cool|great|wow|"
    r"i mean|you know|he|she|they|them|his|her|their|those|these|that|"
    r"it'?s also|this is also|same|similar|similarly|likewise|again|too)\b",
    re.IGNORECASE,
)
SPEAKER_LABEL = re.compile(r"(?:^|\s)[A-Z][\w'.-]*(?: [A-Z][\w'.-]*)?:\s")
MARKUP = re.compile(r"\]\(|https?://|<[a-z/][^>]*>|\{%|%\}|\*\*|\\\[")
STUTTER = re.compile(r"\b(\w+)- \1\b|\s--?\s*$|^\s*-|\s--\s|\w-$|\w- ", re.IGNORECASE)
TRAILING_OFF = re.compile(r"(?:\.\.\.|…|-|—|,)\s*[\"'”’)]*$")
INTERROGATIVE = re.compile(
    r"^(?:(?:so|and|but|now|okay|well|then),? )*(?:what|why|how|when|where|who|whom|whose|"
    r"which|do|does|did|is|are|was|were|can|could|would|will|should|have|has|had|may|"
    r"might|shall|isn't|aren't|don't|doesn't|didn't|wasn't|won't|wouldn't|couldn't)\b",
    re.IGNORECASE,
)
DOUBTFUL_PROBABILITY = 0.4
SPOTLIGHT_MIN_WORDS = 6
_SPLIT = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])")


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower())


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SPLIT.split(text) if s.strip()]


@cache
def emoji_table() -> tuple[str, dict[str, str]]:
    data = json.loads((resources_dir() / "insights" / "emoji.json").read_text(encoding="utf-8"))
    return data["default"], data["keywords"]


# --- transcript facts ------------------------------------------------------------------


def speaker_names(segments: list[Segment]) -> set[str]:
    """Lower-case name words of the speakers (generic labels like "Speaker 3" excluded)."""
    found: set[str] = set()
    for speaker in {s.speaker for s in segments if s.speaker}:
        if re.fullmatch(r"(?i)(speaker|spk|host|guest|interviewer|s)\s*\d*", speaker.strip()):
            continue
        found |= {w for w in words(speaker) if len(w) > 1}
    return found


def addressed_names(segments: list[Segment]) -> set[str]:
    """Names people are called by in the text: "Lisa, thanks for...", "...with Daniel."."""
    text = " ".join(s.text for s in segments)
    found = set()
    for pattern in (
        r"(?:^|[.!?]\s+)(?:(?:so|well|hi|hello|hey|thanks|thank you),?\s+)?([A-Z][a-z]+),\s",
        r"\b(?:thanks|thank you|hi|hello|hey|welcome),?\s+([A-Z][a-z]+)\b",
        r"\b(?:I am|I'm|my name is|my guest is|joined by|here with)\s+([A-Z][a-z]+)\b",
    ):
        found |= {m.lower() for m in re.findall(pattern, text)}
    lower = set(re.findall(r"\b[a-z]+\b", text))  # a name is never written in lower case
    return found - lower - {"so", "well", "yeah", "okay", "now", "and", "but", "i", "the", "oh"}


def host_speaker(segments: list[Segment]) -> str | None:
    """Who hands most questions over: turns ending with "?" that another speaker answers
    (the first such speaker on a tie); None without speakers."""
    turns = _turns(segments)
    handed: Counter[str] = Counter()
    for (speaker, text), (other, _) in itertools.pairwise(turns):
        if speaker is not None and other != speaker and text.rstrip().endswith("?"):
            handed[speaker] += 1
    order = [speaker for speaker, _ in turns if speaker in handed]
    if not order:
        return None
    return max(order, key=lambda name: (handed[name], -order.index(name)))


def main_speaker(segments: list[Segment]) -> str | None:
    """Who speaks most words (the guest of an interview, the speaker of a lecture)."""
    spoken: Counter[str | None] = Counter()
    for s in segments:
        spoken[s.speaker] += len(s.text.split())
    return max(spoken, key=lambda name: spoken[name]) if spoken else None


def _turns(segments: list[Segment]) -> list[tuple[str | None, str]]:
    turns: list[tuple[str | None, str]] = []
    for s in segments:
        if turns and turns[-1][0] == s.speaker:
            turns[-1] = (s.speaker, f"{turns[-1][1]} {s.text}")
        else:
            turns.append((s.speaker, s.text))
    return turns


def is_punctuated(segments: list[Segment]) -> bool:
    text = " ".join(s.text for s in segments[:400])
    return len(re.findall(r"[.!?]", text)) * 40 > len(text.split())


# --- the rules -----------------------------------------------------------------------


def title_problem(
    title: str, text: str, names: set[str], episode: EpisodeWords | None = None
) -> str | None:
    """Why a Key Insight title is bad, or None: it must name a thing the episode talks
    about: a noun phrase that is said in the episode (in its own sentence when `episode` is
    not given), not a name, a filler, a generic word, a lone adjective or verb ("Impactful",
    "Growing"), a lone everyday noun ("Trajectory"), nor a sentence's opening words ("Depth
    Means", "My Family", "Moved to Virginia")."""
    title_words = words(title)
    if not title_words:
        return "empty"
    if set(title_words) & names:
        return "name"
    if all(w in GENERIC_TITLE_WORDS or _stop(w) for w in title_words):
        return "generic"
    if any(w in {"kinda", "gonna", "wanna", "laughs", "chuckles", "um", "uh"} for w in title_words):
        return "filler"
    said = words(text) if episode is None else episode.words
    if not _contains_phrase(said, title_words):
        return "not of its sentence" if episode is None else "not said in the episode"
    return _shape_problem(title, text, episode)


def _shape_problem(title: str, text: str, episode: EpisodeWords | None) -> str | None:
    """Whether the title reads as the name of a thing (parts of speech from LemmInflect's
    lexicon, out of context, checked against the insight's own sentence)."""
    tokens = re.findall(r"[^\W_][\w'+.-]*", title)
    first, last = tokens[0], tokens[-1]
    capitalised = episode.capitalised if episode is not None else set()
    if first.lower() in _OPENERS or _stop(first.lower()):
        return "starts like a sentence"
    if _verb_only(first) and not _after_determiner(first, text):
        return "a verb phrase"
    if not _can_head(last, capitalised):
        return "ends without a noun"
    if _can_be_verb(last) and _object_follows(title, text):
        return "runs into a clause"
    if len(tokens) == 1:
        return _lone_problem(first, capitalised, episode)
    return None


def _lone_problem(word: str, capitalised: set[str], episode: EpisodeWords | None) -> str | None:
    """A one-word title names a thing when it is a name ("Swarm", "NASA"), or a term rare
    in English that the episode keeps saying ("polymers"), never an everyday word."""
    lower = word.lower()
    if lower in capitalised or (len(word) > 1 and word.isupper()) or any(c.isdigit() for c in word):
        return None
    if zipf_frequency(lower, "en") >= LONE_WORD_ZIPF:
        return "a lone everyday word"
    if episode is not None and episode.counts[lower] < 2:
        return "a lone word said once"
    return None


# Opening words of a sentence that never start the name of a thing.
_OPENERS = frozenset(
    re.findall(
        r"\S+",
        """i i'm i've i'd i'll it's that's there's we we're you you're he she they my our your
    his her their this these those the a an so and but or because when if then just also
    really actually yeah well oh okay what how why who let's lets""",
    )
)
_OBJECT_STARTS = frozenset(
    re.findall(
        r"\S+",
        "the a an my your our their his her its this these those that it them him me us you "
        "what how why whether if",
    )
)
_ADJECTIVE_END = re.compile(r"(?:ful|ous|ive|al|ic|able|ible|less|ish|ly)$")
LONE_WORD_ZIPF = 3.5  # a lone title word commoner than this in English is an everyday word


def _lemmas(word: str) -> dict[str, tuple[str, ...]]:
    from lemminflect import getAllLemmas

    return dict(getAllLemmas(word.lower()))


def _verb_only(word: str) -> bool:
    kinds = set(_lemmas(word))
    return bool(kinds) and kinds <= {"VERB", "AUX"}


def _can_be_verb(word: str) -> bool:
    return "VERB" in _lemmas(word) or "AUX" in _lemmas(word)


def _can_head(word: str, capitalised: set[str]) -> bool:
    """Whether a phrase can end on this word: a noun, a name, or a term the lexicon does
    not know that does not look like an adjective or adverb ("Kademlia", not "impactful")."""
    if word.lower() in capitalised or (len(word) > 1 and word.isupper()):
        return True
    kinds = set(_lemmas(word))
    if kinds:
        return bool(kinds & {"NOUN", "PROPN"})
    return not (len(word) > 5 and _ADJECTIVE_END.search(word.lower()))


def _after_determiner(first: str, text: str) -> bool:
    """ "the staged release": a participle after a determiner or preposition qualifies."""
    said = words(text)
    lower = first.lower()
    return any(
        i > 0
        and (said[i - 1] in _OBJECT_STARTS or _stop(said[i - 1]))
        and said[i - 1] not in {"i", "we", "you", "they", "he", "she", "it"}
        for i, w in enumerate(said)
        if w == lower
    )


def _object_follows(title: str, text: str) -> bool:
    """The title is followed in its sentence by the start of a verb's object: "Depth
    means that...", "...use the...": its last word is a verb there. After a noun "that"
    opens a relative clause ("the experience that I wanted"), so it counts only after a
    verb's -s form ("means that", "shows that")."""
    said, target = words(text), words(title)
    n, last = len(target), target[-1]
    for i in range(len(said) - n + 1):
        if said[i : i + n] != target or i + n >= len(said):
            continue
        after = said[i + n]
        if after in _OBJECT_STARTS and (after != "that" or last.endswith("s")):
            return True
    return False


def fragment_problem(sentence: str, punctuated: bool = True) -> str | None:
    """Why a sentence cannot stand alone in the spotlight, or None."""
    s = sentence.strip()
    if STAGE_DIRECTION.search(s):
        return "stage direction"
    if MARKUP.search(s):
        return "markup"
    if SPEAKER_LABEL.search(s[:40]):
        return "speaker label"
    if len(words(s)) < SPOTLIGHT_MIN_WORDS:
        return "too short"
    if not punctuated:  # runs of caption words: there is no sentence structure to judge
        return None
    if DEPENDENT_OPENER.match(s):
        return "depends on what came before"
    if STUTTER.search(s):
        return "stutter or broken off"
    if TRAILING_OFF.search(s):
        return "trails off"
    if not re.search(r"[.!?][\"'”’)]*$", s):
        return "incomplete"
    if s.endswith("?"):
        return "a question"
    return None


def repeated_sentences(insights: Insights, quoted_tldr: bool = False) -> list[str]:
    """Sentences said twice across Key Insights, Summary and Takeaways, and the TL;DR when it
    is `quoted_tldr` (also when one contains the other)."""
    seen: list[tuple[str, tuple[str, ...]]] = []
    for section, text in _spotlight(insights, quoted_tldr):
        seen.append((section, tuple(words(text))))
    repeated = []
    for a in range(len(seen)):
        for b in range(a + 1, len(seen)):
            short, long = sorted((seen[a][1], seen[b][1]), key=len)
            if len(short) >= 3 and _contains_phrase(list(long), list(short)):
                repeated.append(" ".join(short))
    return repeated


def spotlight_sentences(insights: Insights, quoted_tldr: bool = False) -> list[tuple[str, str]]:
    """(section, sentence) for every transcript sentence shown as a statement, answers
    included (the TL;DR only when it is `quoted_tldr`)."""
    found = list(_spotlight(insights, quoted_tldr))
    found += [("answer", s) for q in insights.qa for s in sentences(q.answer)]
    return found


def summary_sentences(summary: str) -> list[str]:
    """The transcript's sentences in the Summary: those after each line's theme."""
    lines = summary_lines(summary)
    if lines is None:
        return sentences(summary)
    return [s for line in lines for s in sentences(line.text)]


def _spotlight(insights: Insights, quoted_tldr: bool = False):
    """The transcript's sentences the payload shows. A written TL;DR quotes nothing
    (tldr_problem judges it); one picked from the transcript counts when `quoted_tldr`."""
    if quoted_tldr:
        for s in sentences(insights.tldr):
            yield "tldr", s
    for k in insights.key_insights:
        for s in sentences(k.text):
            yield "insight", s
    for s in summary_sentences(insights.summary):
        yield "summary", s
    for t in insights.takeaways:
        for s in sentences(t.text):
            yield "takeaway", s


@dataclass
class QuestionVerdict:
    holds_answer: bool = False  # the question text goes on past its question
    answer_past_turn: bool = False  # the answer holds text from outside the reply
    asked_by_host: bool = False
    notes: list[str] = field(default_factory=list)


def judge_question(
    question: str, answer: str, start: float, segments: list[Segment], punctuated: bool
) -> QuestionVerdict:
    verdict = QuestionVerdict()
    parts = sentences(question)
    if punctuated and (not parts or not parts[-1].endswith("?")):
        verdict.holds_answer = True
        verdict.notes.append("does not end with its question")
    first = next((i for i, s in enumerate(segments) if abs(s.start - start) < 1e-3), None)
    if first is None:
        verdict.notes.append("no segment at its start")
        return verdict
    asker = segments[first].speaker
    if asker is not None:
        turn_end = first
        while turn_end < len(segments) and segments[turn_end].speaker == asker:
            turn_end += 1
        asked = words(" ".join(s.text for s in segments[first:turn_end]))
        if not _contains_sequence(asked, words(question)):
            verdict.holds_answer = True
            verdict.notes.append("holds words its asker did not say in that turn")
        reply_end = turn_end
        while reply_end < len(segments) and segments[reply_end].speaker != asker:
            reply_end += 1
        reply = words(" ".join(s.text for s in segments[turn_end:reply_end]))
        for sentence in sentences(answer):
            if not _contains_sequence(reply, words(sentence)):
                verdict.answer_past_turn = True
                verdict.notes.append(f"answer sentence outside the reply: {sentence[:60]!r}")
        # The host's questions count, and in a lecture the audience's: anyone's but the
        # main speaker's (unless the main speaker is the one who asks).
        by_host = asker == host_speaker(segments) or asker != main_speaker(segments)
        ends = not punctuated or (bool(parts) and parts[-1].endswith("?"))
        verdict.asked_by_host = by_host and ends and turn_end < reply_end and bool(answer)
    else:
        # Without speakers, a real question is put to someone: interrogative, and answered.
        verdict.asked_by_host = any(INTERROGATIVE.match(p) for p in parts) and bool(answer)
    return verdict


def doubtful_sentence(sentence: str, start: float, segments: list[Segment]) -> bool:
    """Whether the transcription was unsure of a word of this sentence (probability below
    DOUBTFUL_PROBABILITY); False when the transcript has no word probabilities."""
    target = words(sentence)
    if not target:
        return False
    first = next((i for i, s in enumerate(segments) if abs(s.start - start) < 1e-3), None)
    candidates = (
        [first]
        if first is not None
        else [i for i, s in enumerate(segments) if _contains_phrase(words(s.text), target[:2])]
    )
    for i in candidates:
        spoken = [
            (token, w.probability)
            for s in segments[i : i + 6]
            for w in (s.words or [])
            for token in words(w.text)
        ]
        if not spoken:
            continue
        matched = _match_positions([t for t, _ in spoken], target)
        if matched is None:
            continue
        probabilities = [spoken[k][1] for k in matched if spoken[k][1] is not None]
        return any(p < DOUBTFUL_PROBABILITY for p in probabilities)
    return False


def chapter_coverage(insights: Insights, chapters: list[Chapter], end: float) -> tuple[int, int]:
    """(chapters holding a Key Insight, chapters), counting chapters of at least a minute."""
    bounds = [c.start for c in chapters] + [end]
    covered = total = 0
    for k, chapter in enumerate(chapters):
        lo, hi = chapter.start, bounds[k + 1]
        if hi - lo < 60:
            continue
        total += 1
        covered += any(lo <= item.start < hi for item in insights.key_insights)
    return covered, total


def emoji_problem(emoji: str, title: str, text: str) -> str | None:
    """The emoji is the table's entry for a keyword of the title or sentence (plural and
    -ing/-ed forms count), or the default when none of the table's keywords is there."""
    default, keywords = emoji_table()
    present = set()
    for word in words(f"{title} {text}"):
        for form in {word, word.rstrip("s"), re.sub(r"(ing|ed|er|es)$", "", word)}:
            if form in keywords:
                present.add(keywords[form])
    if emoji in present or (emoji == default and not present):
        return None
    if present:
        return f"{emoji} instead of one of {''.join(sorted(present))}"
    return f"{emoji} although no keyword of the table is in the insight"


@dataclass(frozen=True)
class EpisodeWords:
    """The words of a transcript, as the title and TL;DR rules look them up."""

    words: list[str]
    counts: Counter[str]
    capitalised: set[str]  # words written with a capital inside sentences more than not

    @classmethod
    def of(cls, segments: list[Segment]) -> EpisodeWords:
        said = words(" ".join(s.text for s in segments))
        upper: Counter[str] = Counter()
        lower: Counter[str] = Counter()
        for s in segments:
            for previous, word in itertools.pairwise(re.findall(r"\S+", s.text)):
                if previous.endswith((".", "!", "?", ":")) or not word[:1].isalpha():
                    continue
                token = re.match(r"[^\W_]+", word)
                if token:
                    (upper if word[0].isupper() else lower)[token.group(0).lower()] += 1
        capitalised = {w for w in upper if upper[w] > lower[w]}
        return cls(said, Counter(said), capitalised)


# Words a written TL;DR may use that the transcript need not say: its sentence frame.
TLDR_FRAME = frozenset(
    re.findall(
        r"\S+",
        """talk talks talking conversation interview lecture episode podcast show discussion
    about with and by in a an the of on also covers covering discusses touches""",
    )
)


def tldr_problem(
    tldr: str, segments: list[Segment], title: str = "", chapters: list[Chapter] | None = None
) -> str | None:
    """Why a generated TL;DR does not say who talks about what, or None.

    It is one or two sentences of its own (not all of them sentences of the transcript),
    names the speakers (or, without named speakers, the episode's title), and names three
    themes or more in words the transcript, its title or its chapters use, adding no other
    word but its frame ("talks with", "a conversation about")."""
    parts = sentences(tldr)
    if not parts:
        return "empty"
    if len(parts) > 2:
        return f"{len(parts)} sentences"
    said = words(" ".join(s.text for s in segments))
    if all(said_in(words(p), said) for p in parts):
        return "sentences of the transcript"
    people = speaker_names(segments)
    title_words = {w for w in words(title) if not _stop(w) and w.isalpha()}
    if people and not set(words(tldr)) & people:
        return "does not name the speakers"
    if not people and len(title_words) >= 2 and len(set(words(tldr)) & title_words) < 2:
        return "names neither the speakers nor the title"
    known = set(said) | set(words(title)) | people | addressed_names(segments)
    known |= {w for c in chapters or [] for w in words(c.title)}
    invented = [w for w in words(tldr) if w not in known and _stem(w) not in known]
    invented = [w for w in invented if w not in TLDR_FRAME and not _stop(w)]
    if invented:
        return f"says {invented[0]!r}, which the episode does not"
    if len(tldr_themes(tldr, said, title_words | people)) < 3:
        return "names fewer than three themes"
    return None


def tldr_themes(tldr: str, said: list[str], known: set[str]) -> list[str]:
    """The TL;DR's themes: the items of its list after "about" ("A, B and C") in its first
    sentence, each said in the transcript and not just the title or a name."""
    first = (sentences(tldr) or [""])[0]
    tail = re.split(r"\babout\b", first)[-1]
    items = re.split(r",\s*|\s+and\s+", tail.strip(" .!"))
    themes = []
    for item in items:
        content = [w for w in words(item) if not _stop(w) and w not in TLDR_FRAME]
        if content and any(w in said for w in content) and not set(content) <= known:
            themes.append(item.strip())
    return themes


SUMMARY_LINE = re.compile(r"^\[(?P<time>(?:\d+:)?\d{1,2}:\d{2})\]\s+(?P<rest>.+)$")
SUMMARY_MAX_LINES = 12


@dataclass(frozen=True)
class SummaryLine:
    seconds: float
    theme: str
    text: str  # the section's sentence ("" when the line is a theme alone)


def summary_lines(summary: str) -> list[SummaryLine] | None:
    """The Summary as "[mm:ss] Theme — sentence" lines, or None when it is not so written."""
    lines = [line.strip() for line in summary.splitlines() if line.strip()]
    parsed = []
    for line in lines:
        found = SUMMARY_LINE.match(line)
        if not found:
            return None
        seconds = sum(int(p) * 60**k for k, p in enumerate(reversed(found["time"].split(":"))))
        theme, _, text = found["rest"].partition(" — ")
        parsed.append(SummaryLine(float(seconds), theme.strip(), text.strip()))
    return parsed or None


def summary_problems(
    summary: str, segments: list[Segment], chapters: list[Chapter] | None = None
) -> list[str]:
    """What keeps the Summary from being one timed line per topic, in time order: lines
    without a time, times out of order or past the end, too many lines, a theme that
    neither the transcript nor its chapter titles say."""
    lines = summary_lines(summary)
    if lines is None:
        return ["not one timed line per section"]
    problems = []
    if len(lines) > SUMMARY_MAX_LINES:
        problems.append(f"{len(lines)} lines")
    times = [line.seconds for line in lines]
    if times != sorted(times) or len(set(times)) != len(times):
        problems.append("times out of order")
    if times and times[-1] > segments[-1].end:
        problems.append("a time past the end")
    said = set(words(" ".join(s.text for s in segments)))
    said |= {w for c in chapters or [] for w in words(c.title)}
    for line in lines:
        content = [w for w in words(line.theme) if not _stop(w)]
        if content and not any(w in said or _stem(w) in said for w in content):
            problems.append(f"theme {line.theme!r} is not said")
    return problems


def said_in(target: list[str], transcript: list[str]) -> bool:
    """The words are said in this order, close together (cleaning removes fillers,
    stutters and opening "So,"/"Yeah," but adds nothing)."""
    if not target:
        return False
    for start in (i for i, w in enumerate(transcript) if w == target[0]):
        window = transcript[start : start + 3 * len(target) + 10]
        if _contains_sequence(window, target):
            return True
    return False


# --- helpers -------------------------------------------------------------------------


def _stem(word: str) -> str:
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


@cache
def _stop(word: str) -> bool:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return word in ENGLISH_STOP_WORDS


def _contains_phrase(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def _contains_sequence(haystack: list[str], needle: list[str]) -> bool:
    """Needle's words appear in order in haystack (words in between allowed: cleaning
    removes fillers and stutters)."""
    return _match_positions(haystack, needle) is not None


def _match_positions(haystack: list[str], needle: list[str]) -> list[int] | None:
    positions = []
    cursor = 0
    for word in needle:
        try:
            cursor = haystack.index(word, cursor)
        except ValueError:
            return None
        positions.append(cursor)
        cursor += 1
    return positions
