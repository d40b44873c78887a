"""Chapter titles from a chat model (the insight engine the user chose), each proven.

One request per chapter: its transcript lines (as many as the context holds, from its
start) and the ask for a title of a few words naming the topic, with a quote copied from
those lines. A title is kept only when the quote is there (quotes.QuoteIndex, as for
every generated item) and the title names something the chapter says (one of its
content words is said in the chapter); otherwise the model is told why and asked once
more, and then the chapter keeps the title it had (the keyphrase of made chapters).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from desktop.core.insights.engine import CancelFn, InsightError, ProgressFn
from desktop.core.insights.llm import prompts
from desktop.core.insights.llm.engine import ChatInsightEngine
from desktop.core.insights.llm.plan import Steps, fit_line, line_budget, plan_parts
from desktop.core.insights.llm.schema import ReplyError, with_quote_choices
from desktop.core.insights.quotes import QuoteIndex, quote_choices
from desktop.core.model import Chapter, Segment

MAX_TITLE_WORDS = 8
MAX_TITLE_CHARS = 70
TITLE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "maxLength": MAX_TITLE_CHARS - 10},
        "quote": {"type": "string", "maxLength": 300},
    },
    "required": ["title", "quote"],
}
TASK = (
    "These are the transcript lines of chapter {part} of {parts} of a podcast episode. Write "
    '"title": a chapter title of 2 to 6 words that names what this chapter is about (a '
    'noun phrase, as in a table of contents, no sentence), and "quote": 5 to 25 words '
    "copied exactly from one of these lines that shows that topic."
)
_WORD = re.compile(r"[^\W\d_][\w'-]*", re.UNICODE)
# "Chapter 2: Military and Family": the number is the outline's to show, not the title's.
_NUMBERED = re.compile(r"^(?:chapter|part|section|episode)\s*\d+\s*[:.\-–—]?\s*", re.I)


@dataclass(frozen=True, slots=True)
class Titled:
    chapters: list[Chapter]
    by_model: int  # how many titles the model wrote (the rest kept theirs)


def title_chapters(
    engine: ChatInsightEngine,
    episode: str,
    segments: Sequence[Segment],
    chapters: Sequence[Chapter],
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> Titled:
    """`chapters` (in time order) with the model's titles where they hold."""
    ordered = sorted(chapters, key=lambda c: c.start)
    steps = Steps(len(ordered), progress, cancelled)
    result: list[Chapter] = []
    by_model = 0
    with engine.running():
        budget = line_budget(
            engine.limits.context_tokens, engine.limits.max_output_tokens, engine.counter,
            episode,
        )  # fmt: skip
        for n, chapter in enumerate(ordered):
            end = ordered[n + 1].start if n + 1 < len(ordered) else float("inf")
            rows = [s for s in segments if chapter.start - 1e-6 <= s.start < end]
            steps.begin(f"titling chapter {n + 1} of {len(ordered)}")
            taken = [c.title for c in result]
            title = _ask(engine, steps, episode, taken, rows, n + 1, len(ordered), budget)
            steps.after()
            by_model += title is not None
            result.append(replace(chapter, title=title) if title else chapter)
    return Titled(result, by_model)


def _ask(
    engine: ChatInsightEngine,
    steps: Steps,
    episode: str,
    taken: list[str],
    rows: list[Segment],
    part: int,
    parts: int,
    budget: int,
) -> str | None:
    lines = _lines(engine, rows, budget)
    if not lines:
        return None
    texts = [s.text for s in rows[: len(lines)]]
    user = TASK.format(part=part, parts=parts) + "\n\n" + "\n".join(lines)
    schema, shown = TITLE_SCHEMA, None
    if engine.grammar_holds_replies():  # a small model copies a sentence, never writes one
        schema, shown = with_quote_choices(TITLE_SCHEMA, quote_choices(texts)), TITLE_SCHEMA
    try:
        data = engine.asker.ask(
            user, schema, lambda d: _checked(d, texts, episode, taken), steps, shown_schema=shown
        )
    except InsightError as exc:
        if isinstance(exc.__cause__, ReplyError):  # wrong twice: the old title stays
            return None
        raise  # the model cannot be reached, cancelled, ...: the caller says so
    return str(data["title"])


def _lines(engine: ChatInsightEngine, rows: list[Segment], budget: int) -> list[str]:
    """The chapter's lines from its start, as many as `budget` tokens hold (counted as
    the insights' parts are: the whole text once, not line by line)."""
    lines = [
        fit_line(prompts.transcript_line(i, segment), budget, engine.counter)[0]
        for i, segment in enumerate(rows)
    ]
    if not lines:
        return []
    return [lines[i] for i in plan_parts(lines, budget, engine.counter)[0]]


def _checked(data: Any, texts: list[str], episode: str, taken: list[str]) -> dict[str, Any]:
    """The reply when its title is a short name for what the chapter's lines say, other
    than the episode's own title and the titles of the chapters before it."""
    if not isinstance(data, dict):
        raise ReplyError('the reply must be an object with "title" and "quote"')
    title = " ".join(str(data.get("title") or "").split()).strip(" .\"'“”")
    title = _NUMBERED.sub("", title).strip(" .\"'“”")
    quote = str(data.get("quote") or "")
    words = _WORD.findall(title)
    if not words or len(words) > MAX_TITLE_WORDS or len(title) > MAX_TITLE_CHARS:
        raise ReplyError(f"the title must be 1 to {MAX_TITLE_WORDS} words: {title!r}")
    if QuoteIndex(texts).find_anywhere(quote) is None:
        raise ReplyError(f"the quote {quote!r} is not in the chapter's lines: copy it exactly")
    said = {_stem(w) for text in texts for w in _WORD.findall(text)}
    known = {_stem(w) for w in _WORD.findall(" ".join([episode, *taken]))}
    named = {_stem(w) for w in words if len(w) >= 4} - known
    if not named & said:
        raise ReplyError(
            f"the title {title!r} names nothing this chapter says that the episode's title "
            "and the earlier chapters' titles do not already say"
        )
    return {"title": title, "quote": quote}


def _stem(word: str) -> str:
    return word.lower()[:5]
