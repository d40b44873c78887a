"""Questions & Answers: the host's substantive questions with the guest's answer in brief."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from desktop.core.insights.extractive.rank import STOP_WORDS, SentenceSpace
from desktop.core.insights.extractive.sentences import Sentence

_OPENERS = re.compile(
    r"^(?:so |and |but |okay |now )?(?:what|why|how|when|where|who|whom|which|whose|"
    r"do|does|did|can|could|would|should|will|is|are|was|were|have|has|tell me|"
    r"walk me|talk about)\b",
    re.IGNORECASE,
)
_RHETORICAL = re.compile(
    r"^(?:right|you know|okay|isn'?t it|don'?t you think|huh|really|yeah|no|what)\??$",
    re.IGNORECASE,
)
MAX_ANSWER_WORDS = 70


@dataclass(slots=True)
class _Exchange:
    questions: list[int]  # sentence indexes, in order
    answer: list[int]


def _words(text: str) -> list[str]:
    return re.findall(r"[\w']+", text.lower())


def is_question(text: str, punctuated: bool) -> bool:
    stripped = text.strip()
    if _RHETORICAL.match(stripped) or len(_words(stripped)) < 4:
        return False
    if punctuated:
        return stripped.endswith("?")
    return bool(_OPENERS.match(stripped))


def hands_over(sentences: list[Sentence], i: int) -> bool:
    """A question that ends its speaker's turn (or nearly) is put to someone else; one in
    the middle of a monologue is rhetorical."""
    if sentences[i].speaker is None:
        return True
    later = sentences[i + 1 : i + 3]
    return any(s.turn != sentences[i].turn for s in later) or i == len(sentences) - 1


def exchanges(sentences: list[Sentence], cleaned: list[str]) -> list[_Exchange]:
    punctuated = any(s.text.rstrip().endswith("?") for s in sentences)
    questions = [
        i for i, text in enumerate(cleaned)
        if is_question(text, punctuated) and hands_over(sentences, i)
    ]  # fmt: skip
    found: list[_Exchange] = []
    for q in questions:
        previous = found[-1] if found else None
        if previous is not None:
            said = _answer(sentences, previous, q)
            same_turn = sentences[previous.questions[-1]].turn == sentences[q].turn
            if (same_turn and not said) or _brief(said, cleaned):
                previous.questions.append(q)  # a follow-up refines the question before it
                continue
        context = q - 1  # "What do you mean by that?" needs the sentence before it
        if _vague(cleaned[q]) and q > 0 and sentences[context].turn == sentences[q].turn:
            found.append(_Exchange([context, q], []))
        else:
            found.append(_Exchange([q], []))
    if not found:
        return []  # no question at all (a speech, a two-cue clip): nothing to pair answers with
    ends = [e.questions[0] for e in found[1:]] + [len(sentences)]
    for exchange, end in zip(found, ends, strict=True):
        exchange.answer = _answer(sentences, exchange, end)
    return [e for e in found if e.answer]


def _answer(sentences: list[Sentence], exchange: _Exchange, end: int) -> list[int]:
    """What others say after the question, until its asker asks anything again."""
    asker = sentences[exchange.questions[-1]].speaker
    answer: list[int] = []
    for i in range(exchange.questions[-1] + 1, end):
        sentence = sentences[i]
        if asker is not None and sentence.speaker == asker:
            if sentence.text.rstrip().endswith("?"):
                break
            continue
        answer.append(i)
    return answer


def _brief(said: list[int], cleaned: list[str]) -> bool:
    """A reply of a few words ("Not at all.") leaves the question open for a follow-up."""
    return len(said) == 1 and len(cleaned[said[0]].split()) <= 6


def _vague(text: str) -> bool:
    return len([w for w in _words(text) if w not in STOP_WORDS]) < 2


def condense(
    space: SentenceSpace,
    relevance: np.ndarray,
    cleaned: list[str],
    question: int,
    answer: list[int],
) -> list[int]:
    """The best one to three answer sentences, in spoken order, within MAX_ANSWER_WORDS."""
    if not answer:
        return []
    similarity = space.similarity[question]
    score = {i: 0.5 * relevance[i] + 0.5 * similarity[i] + 0.1 * (i == answer[0]) for i in answer}
    chosen: list[int] = []
    total = 0
    for i in sorted(answer, key=lambda i: -score[i]):
        words = len(cleaned[i].split())
        if chosen and (total + words > MAX_ANSWER_WORDS or len(chosen) == 3):
            break
        if words < 4:
            continue
        chosen.append(i)
        total += words
    return sorted(chosen or answer[:1])


def substance(space: SentenceSpace, cleaned: list[str], exchange: _Exchange) -> float:
    """How much a question asks about (its terms' weight) and how much answer it got."""
    weight = sum(float(space.matrix.getrow(q).sum()) for q in exchange.questions)
    answer_words = sum(len(cleaned[i].split()) for i in exchange.answer)
    return weight * np.log1p(answer_words)
