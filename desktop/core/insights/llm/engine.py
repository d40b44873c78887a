"""OpenAICompatibleEngine: insights from a local (or remote) OpenAI-compatible chat server.

One call for an episode that fits the context window; otherwise map (notes per chunk of
the transcript) then reduce (one call combining the notes). Every reply is validated, and
every item is grounded by the transcript line id it cites.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from desktop.core.insights.engine import (
    CancelFn,
    InsightError,
    InsightInput,
    InsightsCancelled,
    ProgressFn,
)
from desktop.core.insights.llm import prompts
from desktop.core.insights.llm.client import ChatClient, ChatReply, LLMConfig, LLMHTTPError
from desktop.core.insights.llm.schema import (
    NOTES_LISTS,
    NOTES_SCHEMA,
    PAYLOAD_LISTS,
    SCHEMA,
    ReplyError,
    check_shape,
    parse_reply,
)
from desktop.core.insights.payload import Insights, PayloadError

log = logging.getLogger(__name__)

JSON_SCHEMA = "json_schema"
JSON_OBJECT = "json_object"
# Below this many tokens per call, chunking would make hundreds of calls; it also keeps
# room for the longest single note line (a question and its answer, ~210 tokens).
MIN_CHUNK_TOKENS = 256
MAX_CONDENSE_ROUNDS = 3

T = TypeVar("T")


@dataclass(slots=True)
class GenerationReport:
    """What the last `generate` did, for logs and tests."""

    mode: str | None = None  # structured-output mode that worked
    requests: int = 0  # HTTP requests, fallbacks and retries included
    chunks: int = 0  # transcript parts (1: no map/reduce)
    retries: int = 0  # replies that failed validation and were asked again
    dropped_citations: int = 0  # items dropped because their segment id does not exist


class OpenAICompatibleEngine:
    name = "openai"

    def __init__(self, config: LLMConfig) -> None:
        self.config = config
        self.client = ChatClient(config)
        # Which structured-output mode this server accepts; learnt on the first call.
        self.mode: str | None = None
        self.last_report = GenerationReport()

    # -- the protocol ---------------------------------------------------------------

    def generate(
        self,
        source: InsightInput,
        progress: ProgressFn | None = None,
        cancelled: CancelFn | None = None,
    ) -> Insights:
        segments = source.segments
        if not segments:
            raise InsightError("the episode has no transcript to read")
        report = self.last_report = GenerationReport()
        budget = self._line_budget(source.title)
        max_chars = (budget - 2) * prompts.CHARS_PER_TOKEN  # one line always fits a chunk
        lines = [prompts.transcript_line(i, s, max_chars) for i, s in enumerate(segments)]
        chunks = _pack(list(range(len(lines))), lines, budget)
        report.chunks = len(chunks)
        steps = _Steps(len(chunks) + (1 if len(chunks) > 1 else 0), progress, cancelled)
        all_ids = range(len(segments))

        if len(chunks) == 1:
            steps.before()
            user = prompts.final_prompt(source.title, lines)
        else:
            notes: list[str] = []
            for part, ids in enumerate(chunks, 1):
                steps.before()
                user = prompts.notes_prompt(
                    source.title, [lines[i] for i in ids], part, len(chunks)
                )
                chunk_notes = self._ask(user, NOTES_SCHEMA, _notes_builder, set(ids))
                notes += prompts.note_lines(chunk_notes)
                steps.after()
            notes = self._condense(source.title, notes, budget, steps, set(all_ids))
            steps.before()
            user = prompts.reduce_prompt(source.title, notes)

        def build(data: dict[str, Any]) -> Insights:
            return self._insights(data, source)

        insights = self._ask(user, SCHEMA, build, set(all_ids), final=True)
        steps.after()
        report.mode = self.mode
        if report.dropped_citations:
            log.warning(
                "dropped %d items citing lines not in the transcript", report.dropped_citations
            )
        return insights

    # -- planning ---------------------------------------------------------------------

    def _line_budget(self, title: str) -> int:
        """Tokens left for transcript (or notes) lines in one request."""
        overhead = prompts.overhead_tokens(SCHEMA) + prompts.estimate_tokens(title)
        budget = int(
            (self.config.context_tokens - self.config.max_output_tokens - overhead) * 0.9
        )  # margin: 4 chars/token is only an estimate
        if budget < MIN_CHUNK_TOKENS:
            raise InsightError(
                f"context_tokens={self.config.context_tokens} leaves no room for the "
                f"transcript after max_output_tokens={self.config.max_output_tokens} and "
                "the prompt; raise context_tokens or lower max_output_tokens"
            )
        return budget

    def _condense(
        self, title: str, notes: list[str], budget: int, steps: _Steps, ids: set[int]
    ) -> list[str]:
        """Merge notes until they fit one reduce request (very long episodes only)."""
        for _ in range(MAX_CONDENSE_ROUNDS):
            if sum(prompts.estimate_tokens(n) for n in notes) <= budget:
                return notes
            groups = _pack(notes, notes, budget)
            steps.add(len(groups))
            merged: list[str] = []
            for part, group in enumerate(groups, 1):
                steps.before()
                user = prompts.condense_prompt(title, group, part, len(groups))
                merged += prompts.note_lines(self._ask(user, NOTES_SCHEMA, _notes_builder, ids))
                steps.after()
            if len(merged) >= len(notes):
                break
            notes = merged
        # Still too long: keep an even spread of notes rather than fail.
        while len(notes) > 1 and sum(prompts.estimate_tokens(n) for n in notes) > budget:
            notes = notes[::2]
        return notes

    # -- one validated request -----------------------------------------------------

    def _ask(
        self,
        user: str,
        schema: dict[str, Any],
        build: Callable[[dict[str, Any]], T],
        valid_ids: set[int] | None,
        final: bool = False,
    ) -> T:
        """Ask, validate, drop items citing unknown ids, build; retry once when invalid."""
        lists = PAYLOAD_LISTS if final else NOTES_LISTS
        texts = ("tldr", "summary") if final else ()
        prompt = user
        for attempt in (1, 2):
            reply = self._chat(prompt, schema, attempt - 1)
            try:
                data = check_shape(parse_reply(reply.content), lists, texts)
                if valid_ids is not None:
                    self.last_report.dropped_citations += _drop_uncited(data, lists, valid_ids)
                return build(data)
            except (ReplyError, PayloadError) as exc:
                problem = str(exc)
                if reply.finish_reason == "length":
                    problem += " (the reply was cut off at max_tokens: write less)"
                if attempt == 2:
                    raise InsightError(
                        f"the model {self.config.model!r} did not return valid insights "
                        f"after a retry: {problem}"
                    ) from exc
                self.last_report.retries += 1
                log.info("invalid reply, asking again: %s", problem)
                # The error goes back in the prompt (not the bad reply itself, which could
                # be max_output_tokens long and push the request past the context window).
                prompt = (
                    f"{user}\n\nYour previous answer was not usable: {problem}. "
                    "Answer again with only the JSON object."
                )
        raise AssertionError("unreachable")

    def _chat(self, user: str, schema: dict[str, Any], attempt: int = 0) -> ChatReply:
        """Send with json_schema; fall back once to json_object (+ schema in the prompt)."""
        if self.mode != JSON_OBJECT:
            response_format = {
                "type": "json_schema",
                "json_schema": {"name": "episode_insights", "schema": schema, "strict": True},
            }
            self.last_report.requests += 1
            try:
                reply = self.client.chat(prompts.messages(user, None), response_format, attempt)
            except LLMHTTPError as exc:
                if self.mode == JSON_SCHEMA or not _rejects_json_schema(exc):
                    raise
                log.info("server rejected json_schema (%s); trying json_object", exc.status)
            else:
                self.mode = JSON_SCHEMA
                return reply
        # llama-cpp-python's server turns "schema" into a grammar; others just see JSON mode
        # and follow the schema pasted into the prompt.
        self.last_report.requests += 1
        reply = self.client.chat(
            prompts.messages(user, schema), {"type": "json_object", "schema": schema}, attempt
        )
        self.mode = JSON_OBJECT
        return reply

    # -- building the payload ------------------------------------------------------

    def _insights(self, data: dict[str, Any], source: InsightInput) -> Insights:
        def start(item: dict[str, Any]) -> float:
            return source.segments[int(item["segment"])].start

        payload = {
            "tldr": data["tldr"].strip(),
            "summary": data["summary"].strip(),
            "engine": self.name,
            "model": self.config.model,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "key_insights": [
                {
                    "emoji": i["emoji"].strip() or "💡",
                    "title": i["title"].strip(),
                    "text": i["text"].strip(),
                    "start": start(i),
                }
                for i in data.get("key_insights", [])
                if i["title"].strip() or i["text"].strip()
            ],
            "qa": [
                {
                    "question": q["question"].strip(),
                    "answer": q["answer"].strip(),
                    "start": start(q),
                }
                for q in data.get("qa", [])
                if q["question"].strip()
            ],
            "takeaways": [
                {"text": t["text"].strip(), "start": start(t)}
                for t in data.get("takeaways", [])
                if t["text"].strip()
            ],
        }
        return Insights.from_dict(payload)


def _notes_builder(data: dict[str, Any]) -> dict[str, Any]:
    return data


def _rejects_json_schema(exc: LLMHTTPError) -> bool:
    # llama-cpp-python answers 500, others 400/422; some name the field in the error.
    return exc.status in (400, 422, 500) or "response_format" in exc.body


def _drop_uncited(
    data: dict[str, Any], lists: dict[str, tuple[str, ...]], valid_ids: set[int]
) -> int:
    """Remove items whose segment id is not in valid_ids; return how many went."""
    dropped = 0
    for key in lists:
        items = data.get(key, [])
        kept = [item for item in items if int(item["segment"]) in valid_ids]
        dropped += len(items) - len(kept)
        data[key] = kept
    return dropped


def _pack(keys: list[T], lines: list[str], budget: int) -> list[list[T]]:
    """Split lines into consecutive groups whose estimated tokens fit the budget."""
    groups: list[list[T]] = [[]]
    used = 0
    for key, line in zip(keys, lines, strict=True):
        cost = prompts.estimate_tokens(line) + 1  # +1: the newline
        if groups[-1] and used + cost > budget:
            groups.append([])
            used = 0
        groups[-1].append(key)
        used += cost
    return groups


class _Steps:
    """Progress over a number of calls that can grow (condense rounds), and cancel checks.

    When calls are added, the progress already reported is kept and only the rest of the
    bar is re-divided, so progress never goes backwards.
    """

    def __init__(self, total: int, progress: ProgressFn | None, cancelled: CancelFn | None):
        self.total = max(1, total)
        self.done = 0
        self.base = 0.0  # fraction reported when the plan last grew
        self.base_done = 0  # calls done at that point
        self.progress = progress
        self.cancelled = cancelled

    def add(self, calls: int) -> None:
        self.base = self.fraction()
        self.base_done = self.done
        self.total += calls

    def fraction(self) -> float:
        left = self.total - self.base_done
        return min(1.0, self.base + (1.0 - self.base) * (self.done - self.base_done) / left)

    def before(self) -> None:
        if self.cancelled is not None and self.cancelled():
            raise InsightsCancelled("insight generation was cancelled")

    def after(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.fraction())
