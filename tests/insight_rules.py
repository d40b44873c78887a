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


def title_problem(title: str, text: str, names: set[str]) -> str | None:
    """Why a Key Insight title is bad, or None: it must be a specific phrase of its own
    sentence, not a name, a filler, a stage direction or a generic word."""
    title_words = words(title)
    if not title_words:
        return "empty"
    if set(title_words) & names:
        return "name"
    if all(w in GENERIC_TITLE_WORDS or _stop(w) for w in title_words):
        return "generic"
    if any(w in {"kinda", "gonna", "wanna", "laughs", "chuckles", "um", "uh"} for w in title_words):
        return "filler"
    if not _contains_phrase(words(text), title_words):
        return "not of its sentence"
    return None


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


def repeated_sentences(insights: Insights) -> list[str]:
    """Sentences said twice across TL;DR, Key Insights, Summary and Takeaways (also when one
    contains the other)."""
    seen: list[tuple[str, tuple[str, ...]]] = []
    for section, text in _spotlight(insights):
        seen.append((section, tuple(words(text))))
    repeated = []
    for a in range(len(seen)):
        for b in range(a + 1, len(seen)):
            short, long = sorted((seen[a][1], seen[b][1]), key=len)
            if len(short) >= 3 and _contains_phrase(list(long), list(short)):
                repeated.append(" ".join(short))
    return repeated


def spotlight_sentences(insights: Insights) -> list[tuple[str, str]]:
    """(section, sentence) for every sentence shown as a statement, answers included."""
    found = list(_spotlight(insights))
    found += [("answer", s) for q in insights.qa for s in sentences(q.answer)]
    return found


def _spotlight(insights: Insights):
    for s in sentences(insights.tldr):
        yield "tldr", s
    for k in insights.key_insights:
        for s in sentences(k.text):
            yield "insight", s
    for s in sentences(insights.summary):
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


# --- helpers -------------------------------------------------------------------------


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
