"""Questions & Answers: the host's questions, each with the guest's reply in brief.

With speaker labels, a question is the end of a speaker's turn, put by the host (whoever
hands most questions over to someone else) or by anyone but the episode's main speaker
(an audience after a lecture); its answer is what the others say until the asker speaks
again. Without speakers, a question addressed to someone ("you") that is followed by an
answer counts, and the answer stops at the next question. A question item holds only the
question (and, when it is as vague as "Why?", the asker's sentence before it).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from desktop.core.insights.extractive.clean import word_count
from desktop.core.insights.extractive.rank import STOP_WORDS, SentenceSpace
from desktop.core.insights.extractive.sentences import Sentence

_OPENERS = re.compile(
    r"^(?:so |and |but |okay |now )?(?:what|why|how|when|where|who|whom|which|whose|"
    r"do|does|did|can|could|would|should|will|is|are|was|were|have|has|tell me|"
    r"walk me|talk about)\b",
    re.IGNORECASE,
)
_RHETORICAL = re.compile(
    r"^(?:right|you know|okay|isn'?t it|don'?t you think|huh|really|yeah|no|what)\??$"
    r"|,\s*(?:right|no|yeah|huh|isn'?t it|is(?:n'?t)? that right|correct|eh|okay)\?$",
    re.IGNORECASE,
)
_SMALL_TALK = re.compile(
    r"\bhow are you\b|\bhow'?s it going\b|\bcan you hear me\b|\bare you there\b|"
    r"\bmove (?:a little )?closer\b|\bis (?:this|that) better\b|\bready\?$",
    re.IGNORECASE,
)
_ADDRESSED = re.compile(r"\b(?:you|your|yours|yourself|y'all)\b", re.IGNORECASE)
MIN_REPLY_WORDS = 12
MAX_ANSWER_WORDS = 70
MAX_ANSWER_SENTENCES = 12  # without speakers, how far an answer may run


@dataclass(slots=True)
class Exchange:
    questions: list[int]  # sentence indexes of the question, in order
    answer: list[int]  # the reply's sentence indexes, before condensing
    asker: str | None = None


def _words(text: str) -> list[str]:
    return re.findall(r"[\w']+", text.lower())


def is_question(text: str, punctuated: bool) -> bool:
    stripped = text.strip()
    if _RHETORICAL.search(stripped) or len(_words(stripped)) < 4 or _SMALL_TALK.search(stripped):
        return False
    if punctuated:
        return stripped.endswith("?")
    return bool(_OPENERS.match(stripped))


def exchanges(sentences: list[Sentence], cleaned: list[str], punctuated: bool) -> list[Exchange]:
    """Every question that was answered, in episode order (empty when none was asked)."""
    if len({s.speaker for s in sentences if s.speaker}) > 1:
        return _from_turns(sentences, cleaned, punctuated)
    return _from_questions(sentences, cleaned, punctuated)


def _from_turns(sentences: list[Sentence], cleaned: list[str], punctuated: bool) -> list[Exchange]:
    turns: list[list[int]] = []
    for i, sentence in enumerate(sentences):
        if turns and sentences[turns[-1][0]].turn == sentence.turn:
            turns[-1].append(i)
        else:
            turns.append([i])
    spoken = Counter[str | None]()
    for i, sentence in enumerate(sentences):
        spoken[sentence.speaker] += len(cleaned[i].split())
    asking: dict[int, int] = {}  # turn number -> its closing question
    for k, turn in enumerate(turns[:-1]):
        ending = [i for i in turn[-2:] if is_question(cleaned[i], punctuated)]
        if ending and not any(word_count(cleaned[j]) > 4 for j in turn if j > ending[-1]):
            asking[k] = ending[-1]
    found: list[Exchange] = []
    for k, last in asking.items():
        asker = sentences[last].speaker
        reply: list[int] = []  # the others' turns, until the asker or a new question
        for m in range(k + 1, len(turns)):
            if sentences[turns[m][0]].speaker == asker or (m > k + 1 and m in asking):
                break
            reply += turns[m]
        if sum(len(cleaned[i].split()) for i in reply) < MIN_REPLY_WORDS:
            continue
        found.append(Exchange(_question_group(turns[k], last, cleaned, punctuated), reply, asker))
    if not found:
        return []
    asked = Counter(e.asker for e in found)
    host = max(asked, key=lambda name: (asked[name], -_first(found, name)))
    main = max(spoken, key=lambda name: spoken[name])
    return [e for e in found if e.asker == host or e.asker != main]


def host(sentences: list[Sentence], cleaned: list[str], found: list[Exchange]) -> str | None:
    """The speaker who asks the questions others answer (in `found`), when that is not the
    one who speaks most (then the episode is a talk, or a conversation of equals): None
    otherwise, and without speakers."""
    asked = Counter(e.asker for e in found if e.asker is not None)
    if not asked:
        return None
    spoken = Counter[str | None]()
    for i, sentence in enumerate(sentences):
        spoken[sentence.speaker] += len(cleaned[i].split())
    name = max(asked, key=lambda n: (asked[n], -_first(found, n)))
    return name if name != max(spoken, key=lambda n: spoken[n]) else None


def _first(found: list[Exchange], name: str | None) -> int:
    return next(e.questions[0] for e in found if e.asker == name)


def _question_group(turn: list[int], last: int, cleaned: list[str], punctuated: bool) -> list[int]:
    """The question sentences that end at `last` (at most three), with the sentence before
    them when they are too vague to read alone ("What do you mean by that?")."""
    group = [last]
    while len(group) < 3 and group[0] - 1 in turn and cleaned[group[0] - 1].endswith("?"):
        group.insert(0, group[0] - 1)
    if _vague(" ".join(cleaned[i] for i in group)) and group[0] - 1 in turn:
        group.insert(0, group[0] - 1)
    return group


def _from_questions(
    sentences: list[Sentence], cleaned: list[str], punctuated: bool
) -> list[Exchange]:
    asks = [
        is_question(text, punctuated) and (not punctuated or bool(_ADDRESSED.search(text)))
        for text in cleaned
    ]
    found: list[Exchange] = []
    i = 0
    while i < len(cleaned):
        if not asks[i]:
            i += 1
            continue
        last = i  # follow-ups ("Did you stay?") belong to the same question
        while last + 1 < len(cleaned) and cleaned[last + 1].endswith("?") and last - i < 2:
            last += 1
        answer = []
        for j in range(last + 1, min(len(cleaned), last + 1 + MAX_ANSWER_SENTENCES)):
            if asks[j] or (punctuated and cleaned[j].rstrip().endswith("?")):
                break
            answer.append(j)
        questions = list(range(i, last + 1))
        if _vague(" ".join(cleaned[q] for q in questions)) and i > 0 and not asks[i - 1]:
            questions.insert(0, i - 1)
        if sum(len(cleaned[j].split()) for j in answer) >= MIN_REPLY_WORDS:
            found.append(Exchange(questions, answer))
        i = last + 1
    return found


_CLAUSE = re.compile(
    r"(?:^|[,;:–—-]\s+|\.\.\.\s*)((?:so |and |but |now )?(?:what|why|how|when|where|who|which|"
    r"do|does|did|can|could|would|will|is|are|was|were|have|has)\b)",
    re.IGNORECASE,
)
MAX_QUESTION_WORDS = 45
_LEAD = re.compile(r"^(?:(?:but|and|so|okay|now|well|also),?\s+)+(?=\w)", re.IGNORECASE)


def question_text(exchange: Exchange, cleaned: list[str]) -> tuple[int, str]:
    """The question as shown, and the sentence it starts in: its sentences, or when they
    run long, the last one's interrogative clause ("..., what would you hack on if you had
    a free weekend?")."""
    parts = [_LEAD.sub("", cleaned[i]) for i in exchange.questions]
    parts = [p[:1].upper() + p[1:] for p in parts]
    text = " ".join(parts)
    if word_count(text) <= MAX_QUESTION_WORDS:
        return exchange.questions[0], text
    last = parts[-1]
    if word_count(last) > MAX_QUESTION_WORDS:
        for match in reversed(list(_CLAUSE.finditer(last))):
            clause = last[match.start(1) :]
            if word_count(clause) >= 6:
                return exchange.questions[-1], clause[:1].upper() + clause[1:]
    return exchange.questions[-1], last


def _vague(text: str) -> bool:
    return len([w for w in _words(text) if w not in STOP_WORDS]) < 2


def condense(
    space: SentenceSpace,
    relevance: np.ndarray,
    cleaned: list[str],
    exchange: Exchange,
    readable: set[int],
    avoid: set[int],
) -> list[int]:
    """One to three sentences of the reply that read on their own, in spoken order, within
    MAX_ANSWER_WORDS: the reply's first such sentence is favoured, as is any that echoes
    the question; sentences already shown elsewhere (`avoid`) are passed over if possible.
    Empty when no sentence of the reply can stand alone (none is `readable`)."""
    candidates = [i for i in exchange.answer if i in readable]
    if not candidates:
        return []
    similarity = space.similarity[exchange.questions[-1]]
    first = candidates[0]
    score = {
        i: 0.5 * relevance[i] + 0.5 * similarity[i] + 0.15 * (i == first) - 0.3 * (i in avoid)
        for i in candidates
    }
    chosen: list[int] = []
    total = 0
    for i in sorted(candidates, key=lambda i: -score[i]):
        words = len(cleaned[i].split())
        if chosen and (total + words > MAX_ANSWER_WORDS or len(chosen) == 3):
            break
        chosen.append(i)
        total += words
    return sorted(chosen)


def substance(space: SentenceSpace, cleaned: list[str], exchange: Exchange) -> float:
    """How much a question asks about (its terms' weight) and how much answer it got."""
    weight = sum(float(space.matrix.getrow(q).sum()) for q in exchange.questions)
    answer_words = sum(len(cleaned[i].split()) for i in exchange.answer)
    return weight * np.log1p(answer_words)
