"""Insights from a chat model: a server of the user's (OpenAICompatibleEngine) or a GGUF
model that Earmark runs itself in a child process (LocalEngine).

One call for an episode that fits the context window; otherwise map (notes per part of
the transcript, parts following its chapters) then reduce (one call combining the
notes). Parts are sized in the model's tokens (see plan.py and tokens.py). Every reply is
streamed and validated; the final one's sections are shown as each completes. Every item
must prove itself with a quote of the transcript line it cites (proof.py): an item whose
quote is not there is asked for once more with the lines around its citation, then
dropped; a reply with no proven item at all is a failure, not a payload.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from desktop.core.insights.engine import (
    CancelFn,
    InsightError,
    InsightInput,
    InsightProgress,
    InsightsCancelled,
    ProgressFn,
)
from desktop.core.insights.llm import prompts
from desktop.core.insights.llm.asking import Asker, ChatBackend, GenerationReport, Limits
from desktop.core.insights.llm.client import ChatClient, LLMConfig, PieceFn
from desktop.core.insights.llm.local import LocalLlama, LocalModelConfig
from desktop.core.insights.llm.partial import TopLevelFields
from desktop.core.insights.llm.plan import (
    Counter,
    Steps,
    fit_line,
    joined_tokens,
    line_budget,
    plan_parts,
    unit_starts,
)
from desktop.core.insights.llm.proof import Proof, Unproven, check_item, context_ids, describe
from desktop.core.insights.llm.proof import prove as prove_items
from desktop.core.insights.llm.schema import (
    NOTES_LISTS,
    NOTES_SCHEMA,
    PAYLOAD_LISTS,
    PAYLOAD_TEXTS,
    REQUOTE_SCHEMA,
    SCHEMA,
    ReplyError,
    check_shape,
    fit_to_tokens,
    with_quote_choices,
)
from desktop.core.insights.llm.tokens import TokenCounter
from desktop.core.insights.payload import Insights
from desktop.core.insights.quotes import QuoteIndex, quote_choices

log = logging.getLogger(__name__)

MAX_CONDENSE_ROUNDS = 3
MAX_REQUOTE_ITEMS = 20

__all__ = ["ChatInsightEngine", "GenerationReport", "LocalEngine", "OpenAICompatibleEngine"]


class ChatInsightEngine:
    """The generation logic, whatever answers the chat requests."""

    name = "openai"
    # Size the reply's lists and texts to end within max_output_tokens: for the models
    # Earmark runs itself (small ones fill every field); a server's model is the user's
    # choice, usually larger, and keeps the full lists.
    fits_replies = False

    def grammar_holds_replies(self) -> bool:
        """Whether replies are held to the schema by a grammar, so that a schema can hold
        quotes to the transcript's sentences. Unknown for most servers (some ignore a
        schema): those are asked with the plain schema and their quotes checked after."""
        return False

    def __init__(self, backend: ChatBackend, counter: Counter, limits: Limits) -> None:
        self.backend = backend
        self.counter = counter
        self.limits = limits
        self.asker = Asker(backend, counter, limits)
        self.last_report = GenerationReport()

    @property
    def mode(self) -> str | None:
        return self.asker.mode

    @contextmanager
    def running(self) -> Iterator[None]:
        """The model ready to answer for the calls inside (a server already is)."""
        yield

    # -- the protocol ---------------------------------------------------------------

    def generate(
        self,
        source: InsightInput,
        progress: ProgressFn | None = None,
        cancelled: CancelFn | None = None,
    ) -> Insights:
        if not source.segments:
            raise InsightError("the episode has no transcript to read")
        if cancelled is not None and cancelled():
            raise InsightsCancelled("insight generation was cancelled")
        return _Run(self, source, progress, cancelled).insights()


class _Run:
    """One generation: the plan, the calls, the proofs and the payload."""

    def __init__(
        self,
        engine: ChatInsightEngine,
        source: InsightInput,
        progress: ProgressFn | None,
        cancelled: CancelFn | None,
    ) -> None:
        self.engine = engine
        self.source = source
        self.asker = engine.asker
        self.report = engine.last_report = engine.asker.report = GenerationReport()
        self.index = QuoteIndex([s.text for s in source.segments])
        self.steps = Steps(1, progress, cancelled)
        self.lines: list[str] = []
        self.all_ids = set(range(len(source.segments)))
        self.note_quotes: list[str] = []  # the proven quotes of the notes, for the reduce

    def insights(self) -> Insights:
        limits, counter = self.engine.limits, self.engine.counter
        budget = self.report.line_budget = line_budget(
            limits.context_tokens, limits.max_output_tokens, counter, self.source.title
        )
        self.report.exact_tokens = counter.exact
        for i, segment in enumerate(self.source.segments):
            line, cut = fit_line(prompts.transcript_line(i, segment), budget - 1, counter)
            self.lines.append(line)
            self.report.cut_lines += cut
        units = unit_starts(self.source.segments, self.source.chapters)
        chunks = plan_parts(self.lines, budget, counter, units)
        self.report.chunks = len(chunks)
        steps = self.steps
        steps.total = len(chunks) + (1 if len(chunks) > 1 else 0)
        title = self.source.title
        if len(chunks) == 1:
            user = prompts.final_prompt(title, self.lines)
            choices = self._texts(range(len(self.lines)))
        else:
            notes: list[str] = []
            for part, ids in enumerate(chunks, 1):
                steps.begin(f"reading part {part} of {len(chunks)}")
                user = prompts.notes_prompt(title, [self.lines[i] for i in ids], part, len(chunks))
                notes += prompts.note_lines(self._notes(user, ids))
                steps.after()
            notes = self._condense(notes, budget)
            user = prompts.reduce_prompt(title, notes)
            choices = self.note_quotes
        steps.begin("writing the insights")
        insights = self._final(user, choices)
        steps.after()
        self.report.mode = self.asker.mode
        self._warn()
        return insights

    # -- map and condense ----------------------------------------------------------

    def _notes(self, user: str, ids: list[int]) -> dict[str, Any]:
        """One part's notes; notes whose quote is not in the part are left out (they are
        only material for the reduce call, so they are not asked for again)."""
        data = self._ask(user, NOTES_SCHEMA, self._texts(ids), self._checker(NOTES_LISTS, ()))
        self.report.dropped_citations += prove_items(
            data, list(NOTES_LISTS), self.index, ids
        ).uncited
        self.note_quotes += [item["quote"] for key in NOTES_LISTS for item in data[key]]
        return data

    def _condense(self, notes: list[str], budget: int) -> list[str]:
        """Merge notes until they fit one reduce request (very long episodes only)."""
        counter, title, steps = self.engine.counter, self.source.title, self.steps
        for _ in range(MAX_CONDENSE_ROUNDS):
            if joined_tokens(notes, counter) <= budget:
                return notes
            groups = plan_parts(notes, budget, counter)
            steps.add(len(groups))
            merged: list[str] = []
            for part, group in enumerate(groups, 1):
                steps.begin(f"condensing notes {part} of {len(groups)}")
                user = prompts.condense_prompt(title, [notes[i] for i in group], part, len(groups))
                check = self._checker(NOTES_LISTS, ())
                data = self._ask(user, NOTES_SCHEMA, self.note_quotes, check)
                prove_items(data, list(NOTES_LISTS), self.index, None)
                merged += prompts.note_lines(data)
                steps.after()
            if len(merged) >= len(notes):
                break
            notes = merged
        # Still too long: keep an even spread of notes rather than fail.
        while len(notes) > 1 and joined_tokens(notes, counter) > budget:
            notes = notes[::2]
        return notes

    # -- the final call --------------------------------------------------------------

    def _final(self, user: str, choices: list[str]) -> Insights:
        check = self._checker(PAYLOAD_LISTS, PAYLOAD_TEXTS)
        data = self._ask(user, SCHEMA, choices, check, self._section_watcher)
        proof = prove_items(data, list(PAYLOAD_LISTS), self.index, None)
        self.report.proven, self.report.recited = proof.proven, proof.recited
        self.report.dropped_citations += proof.uncited
        if proof.unproven:
            self._requote(proof, data)
        self.report.dropped_quotes = len(proof.unproven)
        for key in PAYLOAD_LISTS:
            data[key] = sorted(data[key], key=lambda item: int(item["segment"]))
        insights = self._payload(data, self.report.dropped_quotes + self.report.dropped_citations)
        if not (insights.key_insights or insights.qa or insights.takeaways):
            raise InsightError(
                f"the model {self.engine.limits.model!r} wrote no item that its quote proves: "
                f"{self.report.dropped_quotes + self.report.dropped_citations} items quoted "
                "words that are not in the transcript"
            )
        return insights

    def _section_watcher(self, attempt: int) -> PieceFn:
        """Shows each section of the final reply as soon as it is complete and proven."""
        fields = TopLevelFields()
        shown: dict[str, Any] = {}

        def on_piece(piece: str) -> None:
            for key, value in fields.feed(piece):
                if key in PAYLOAD_TEXTS and isinstance(value, str):
                    shown[key] = value
                elif key in PAYLOAD_LISTS:
                    shown[key] = self._early_items(key, value)
                else:
                    continue
                self.steps.show(self._payload(dict(shown), 0))

        return on_piece

    def _early_items(self, key: str, value: Any) -> list[dict[str, Any]]:
        """A streamed section's items that are well formed and proven (a display copy)."""
        try:
            data = check_shape({key: value}, {key: PAYLOAD_LISTS[key]})
        except ReplyError:
            return []
        shown = {key: [dict(item) for item in data[key]]}
        prove_items(shown, [key], self.index, None)
        return shown[key]

    def _requote(self, proof: Proof, data: dict[str, Any]) -> None:
        """Ask once for new quotes of the unproven items, showing the lines around each
        citation; what is then proven goes back into `data`, the rest stays unproven."""
        asked = proof.unproven[:MAX_REQUOTE_ITEMS]
        count = len(self.source.segments)
        items = [
            (
                describe(u.key, u.item),
                [self.lines[i] for i in context_ids(int(u.item["segment"]), count)],
            )
            for u in asked
        ]
        self.steps.add(1)
        self.steps.begin("checking quotes")
        shown = sorted({i for u in asked for i in context_ids(int(u.item["segment"]), count)})
        try:
            user = prompts.requote_prompt(items)
            reply = self._ask(user, REQUOTE_SCHEMA, self._texts(shown), _requote_shape)
        except InsightsCancelled:
            raise
        except InsightError as exc:  # the items stay unproven; the rest of the run stands
            log.info("asking for quotes again failed: %s", exc)
            self.steps.after()
            return
        self.steps.after()
        still: list[Unproven] = []
        answers = {int(q["item"]): q["quote"] for q in reply["quotes"]}
        for n, unproven in enumerate(proof.unproven, 1):
            item = unproven.item
            if n in answers:
                item["quote"] = answers[n]
                near = set(context_ids(int(item["segment"]), count))
                if check_item(item, self.index, near, Proof()):
                    data[unproven.key].append(item)
                    self.report.requoted += 1
                    continue
            still.append(unproven)
        proof.unproven = still

    # -- checks and the payload -----------------------------------------------------

    def _checker(
        self, lists: dict[str, tuple[str, ...]], texts: tuple[str, ...]
    ) -> Callable[[Any], dict[str, Any]]:
        return lambda raw: check_shape(raw, lists, texts)

    def _texts(self, ids: Iterable[int]) -> list[str]:
        return [self.source.segments[i].text for i in ids]

    def _ask(
        self,
        user: str,
        schema: dict[str, Any],
        texts: list[str],
        check: Callable[[Any], dict[str, Any]],
        watch: Callable[[int], PieceFn | None] | None = None,
    ) -> dict[str, Any]:
        """One validated request. Where the reply is held to the schema by a grammar (a
        model Earmark runs, or a llama.cpp-family server), quotes are held to the
        transcript's own sentences (`texts`), and lists and texts are sized so that even
        a reply filling every field ends within max_output_tokens when the engine asks for
        it (`fits_replies`: small models fill every field, and their JSON was cut off). The
        prompt never lists the sentences: json_object mode shows the schema without them."""
        if not self.engine.grammar_holds_replies():
            return self.asker.ask(user, schema, check, self.steps, watch)
        if self.engine.fits_replies:
            schema = fit_to_tokens(schema, self.engine.limits.max_output_tokens)
        held = with_quote_choices(schema, quote_choices(texts))
        return self.asker.ask(user, held, check, self.steps, watch, shown_schema=schema)

    def _payload(self, data: dict[str, Any], dropped: int) -> Insights:
        segments = self.source.segments

        def proof(item: dict[str, Any]) -> dict[str, Any]:
            first = int(item["segment"])
            last = int(item.get("last", first))
            return {
                "start": segments[first].start,
                "end": segments[last].end,
                "quote": " ".join(str(item.get("quote", "")).split()),
            }

        payload = {
            "tldr": str(data.get("tldr", "")).strip(),
            "summary": str(data.get("summary", "")).strip(),
            "engine": self.engine.name,
            "model": self.engine.limits.model,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "key_insights": [
                {
                    "emoji": i["emoji"].strip() or "💡",
                    "title": i["title"].strip(),
                    "text": i["text"].strip(),
                    **proof(i),
                }
                for i in data.get("key_insights", [])
                if i["title"].strip() or i["text"].strip()
            ],
            "qa": [
                {"question": q["question"].strip(), "answer": q["answer"].strip(), **proof(q)}
                for q in data.get("qa", [])
                if q["question"].strip()
            ],
            "takeaways": [
                {"text": t["text"].strip(), **proof(t)}
                for t in data.get("takeaways", [])
                if t["text"].strip()
            ],
            "dropped": dropped,
        }
        return Insights.from_dict(payload)

    def _warn(self) -> None:
        report = self.report
        if report.dropped_citations:
            # A warning for the user, not a log record: the CLI prints the warnings on lines
            # of their own once the progress line is cleared.
            n = report.dropped_citations
            items = "1 item citing a line" if n == 1 else f"{n} items citing lines"
            report.warnings.append(f"dropped {items} not in the transcript")
        if report.dropped_quotes:
            n = report.dropped_quotes
            items = "1 item whose quote is" if n == 1 else f"{n} items whose quotes are"
            report.warnings.append(f"left out {items} not in the transcript")
        if report.cut_lines:
            were = "segment was" if report.cut_lines == 1 else "segments were"
            report.warnings.append(
                f"{report.cut_lines} {were} too long for one request and cut to fit"
            )


class OpenAICompatibleEngine(ChatInsightEngine):
    """Insights from an OpenAI-compatible chat server the user runs (or names)."""

    name = "openai"

    def __init__(self, config: LLMConfig, fit_replies: bool = False) -> None:
        """`fit_replies`: size the reply's lists and texts to max_output_tokens, for a
        server running a small model that fills every field (tests run SmolLM2 so)."""
        self.config = config
        self.fits_replies = fit_replies
        self.client = ChatClient(config)
        limits = Limits(config.model, config.context_tokens, config.max_output_tokens)
        self.tokens = TokenCounter(self.client)
        super().__init__(self.client, self.tokens, limits)

    def grammar_holds_replies(self) -> bool:
        # A server that counts tokens for us is of the llama.cpp family (llama-server,
        # llama-cpp-python) or vLLM: each turns a request's JSON schema into a grammar.
        return self.tokens.exact


class LocalEngine(ChatInsightEngine):
    """Insights from a GGUF model that Earmark runs itself, in a child process (a crash
    in llama.cpp ends that process only: InsightError, and the extracted insights stay)."""

    name = "local"
    fits_replies = True

    def grammar_holds_replies(self) -> bool:
        return True  # the child builds the grammar from the schema itself

    def __init__(self, config: LocalModelConfig) -> None:
        self.config = config
        self.model = LocalLlama(config)
        limits = Limits(config.model_path.name, config.context_tokens, config.max_output_tokens)
        super().__init__(self.model, self.model, limits)

    def generate(
        self,
        source: InsightInput,
        progress: ProgressFn | None = None,
        cancelled: CancelFn | None = None,
    ) -> Insights:
        if progress is not None:
            progress(InsightProgress(0.0, f"loading {self.model.name}"))
        with self.running():
            return super().generate(source, progress, cancelled)

    @contextmanager
    def running(self) -> Iterator[None]:
        try:
            self.model.start()
            # The model may have been trained for less context than asked for; the reply
            # gets at most a third of it, so that the transcript always has room.
            context = self.model.context_tokens
            output = min(self.config.max_output_tokens, context // 3)
            self.limits = replace(self.limits, context_tokens=context, max_output_tokens=output)
            self.asker.limits = self.limits
            yield
        finally:
            self.model.close()


def _requote_shape(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict) or not isinstance(data.get("quotes"), list):
        raise ReplyError('the reply must be an object with a "quotes" list')
    quotes = []
    for n, item in enumerate(data["quotes"], 1):
        number = item.get("item") if isinstance(item, dict) else None
        if isinstance(number, bool) or not isinstance(number, int):
            raise ReplyError(f"quotes[{n}].item must be an item number")
        if not isinstance(item.get("quote"), str):
            raise ReplyError(f"quotes[{n}].quote must be a string")
        quotes.append(item)
    return {"quotes": quotes}
