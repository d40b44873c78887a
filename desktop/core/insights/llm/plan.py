"""Sizing requests to the context window, and progress over a growing number of calls.

Every request must hold its fixed text (system prompt, task, the schema when pasted in),
its transcript or notes lines, and the reply (`max_output_tokens`) within
`context_tokens`. A transcript too long for one request is read in parts that follow its
chapters (or ~10-minute windows when it has none): whole chapters are packed into a part
as long as they fit, and only a chapter too long for one request is cut. Sizes are the
server's own token counts when it has a tokenize endpoint (each part is counted whole
before it is sent, and split when it is over), else the conservative estimate.
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_left
from collections.abc import Sequence
from typing import Protocol

from desktop.core.insights.engine import (
    CancelFn,
    InsightError,
    InsightProgress,
    InsightsCancelled,
    ProgressFn,
)
from desktop.core.insights.llm import prompts
from desktop.core.insights.llm.schema import NOTES_SCHEMA, REQUOTE_SCHEMA, SCHEMA
from desktop.core.insights.payload import Insights
from desktop.core.model import Chapter, Segment

# Below this many tokens per call, chunking would make hundreds of calls; it also keeps
# room for the longest single note line (a question and its answer, ~210 tokens).
MIN_CHUNK_TOKENS = 256
TEMPLATE_TOKENS = 32  # the chat template's role markers around two messages, generously
RETRY_TOKENS = 160  # "Your previous answer was not usable: …" added on a retry
SAFETY = 1.05  # per-line costs from the measured ratio: packed parts are counted after
WINDOW_SECONDS = 600.0  # a part's unit when the transcript has no chapters


class Counter(Protocol):
    """Counts tokens as the model does (exact) or estimates them."""

    @property
    def exact(self) -> bool: ...

    def count(self, text: str) -> int: ...


def fixed_tokens(counter: Counter, title: str) -> int:
    """Tokens a request costs besides its lines, for the costliest kind of request (the
    schema pasted in, as in json_object mode, and a retry's note)."""
    kinds = [
        prompts.final_prompt(title, []),
        prompts.notes_prompt(title, [], 999, 999),
        prompts.reduce_prompt(title, []),
        prompts.condense_prompt(title, [], 999, 999),
    ]
    schemas = [prompts.schema_hint(s) for s in (SCHEMA, NOTES_SCHEMA, REQUOTE_SCHEMA)]
    return (
        counter.count(prompts.SYSTEM)
        + max(counter.count(kind) for kind in kinds)
        + max(counter.count(hint) for hint in schemas)
        + TEMPLATE_TOKENS
        + RETRY_TOKENS
    )


def line_budget(context_tokens: int, max_output_tokens: int, counter: Counter, title: str) -> int:
    """Tokens left for transcript (or notes) lines in one request; the reply's room
    (`max_output_tokens`) is always kept."""
    budget = context_tokens - max_output_tokens - fixed_tokens(counter, title)
    if budget < MIN_CHUNK_TOKENS:
        raise InsightError(
            f"context_tokens={context_tokens} leaves no room for the "
            f"transcript after max_output_tokens={max_output_tokens} and "
            "the prompt; raise context_tokens or lower max_output_tokens"
        )
    return budget


def unit_starts(segments: Sequence[Segment], chapters: Sequence[Chapter]) -> list[int]:
    """Indexes of the segments where a part may begin: each chapter's first segment, or,
    without chapters, the first segment of every WINDOW_SECONDS of the episode."""
    starts = [s.start for s in segments]
    if not starts:
        return []
    if chapters:
        moments = sorted(c.start for c in chapters)
    else:
        first, last = starts[0], starts[-1]
        windows = int((last - first) // WINDOW_SECONDS) + 1
        moments = [first + WINDOW_SECONDS * k for k in range(windows)]
    found = {min(bisect_left(starts, m - 1e-6), len(starts) - 1) for m in moments}
    return sorted(found | {0})


def fit_line(line: str, limit: int, counter: Counter) -> tuple[str, bool]:
    """The line, cut to at most `limit` tokens (one huge segment must still fit a part);
    the flag says whether it was cut."""
    if len(line.encode()) + 2 <= limit:  # a token covers at least one byte
        return line, False
    cut = False
    tokens = counter.count(line)
    while tokens > limit and len(line) > 1:
        keep = max(1, min(len(line) - 1, int(len(line) * limit / tokens * 0.95)))
        line = line[:keep] + "…"
        cut = True
        tokens = counter.count(line)
    return line, cut


def plan_parts(
    texts: list[str], budget: int, counter: Counter, units: Sequence[int] = ()
) -> list[list[int]]:
    """Consecutive groups of indexes into `texts` whose lines, joined by newlines, fit
    `budget` tokens (every single text is assumed to fit, see fit_line). `units` are the
    indexes where a chapter (or window) begins: a group ends only at one of them, unless
    one unit alone is over the budget."""
    if not texts:
        return [[]]
    everything = list(range(len(texts)))
    if counter.exact:
        total = counter.count("\n".join(texts))
        if total <= budget:
            return [everything]
        per_char = total / sum(len(t) + 1 for t in texts)
        costs = [math.ceil((len(t) + 1) * per_char * SAFETY) for t in texts]
        groups = _pack_units(costs, budget, units)
        return [fitted for group in groups for fitted in _verify(group, texts, budget, counter)]
    costs = [counter.count(t) + 1 for t in texts]  # +1: the newline
    return _pack_units(costs, budget, units)


def _pack_units(costs: list[int], budget: int, units: Sequence[int]) -> list[list[int]]:
    """Whole units per group while they fit; a unit over the budget packed line by line."""
    bounds = [*sorted({0, *(u for u in units if 0 < u < len(costs))}), len(costs)]
    groups: list[list[int]] = []
    current: list[int] = []
    used = 0
    for lo, hi in itertools.pairwise(bounds):
        cost = sum(costs[lo:hi])
        if current and used + cost > budget:
            groups.append(current)
            current, used = [], 0
        if cost > budget:
            groups += [[lo + i for i in g] for g in _pack(costs[lo:hi], budget)]
            continue
        current += range(lo, hi)
        used += cost
    if current:
        groups.append(current)
    return groups


def joined_tokens(texts: list[str], counter: Counter) -> int:
    return counter.count("\n".join(texts)) if texts else 0


def _pack(costs: list[int], budget: int) -> list[list[int]]:
    groups: list[list[int]] = [[]]
    used = 0
    for index, cost in enumerate(costs):
        if groups[-1] and used + cost > budget:
            groups.append([])
            used = 0
        groups[-1].append(index)
        used += cost
    return groups


def _verify(group: list[int], texts: list[str], budget: int, counter: Counter) -> list[list[int]]:
    """Count a packed group exactly; split it in two while it is over the budget."""
    if len(group) == 1 or counter.count("\n".join(texts[i] for i in group)) <= budget:
        return [group]
    half = len(group) // 2
    return _verify(group[:half], texts, budget, counter) + _verify(
        group[half:], texts, budget, counter
    )


class Steps:
    """Progress over a number of calls that can grow (condense rounds), moving within a
    call as the reply streams in, and cancel checks.

    When calls are added, the progress already reported is kept and only the rest of the
    bar is re-divided, so progress never goes backwards.
    """

    REPORT_EVERY = 0.005  # a streamed reply reports at most every half percent

    def __init__(self, total: int, progress: ProgressFn | None, cancelled: CancelFn | None):
        self.stage = ""  # what the current call does, for the status line
        self.partial: Insights | None = None  # sections made so far
        self.total = max(1, total)
        self.done = 0
        self.base = 0.0  # fraction reported when the plan last grew
        self.base_done = 0  # calls done at that point
        self.progress = progress
        self.cancelled = cancelled
        self.reported = 0.0

    def add(self, calls: int) -> None:
        self.base = self.fraction()
        self.base_done = self.done
        self.total += calls

    def fraction(self, within: float = 0.0) -> float:
        left = self.total - self.base_done
        done = self.done - self.base_done + within
        return min(1.0, self.base + (1.0 - self.base) * done / left)

    def before(self) -> None:
        if self.cancelled is not None and self.cancelled():
            raise InsightsCancelled("insight generation was cancelled")

    def within(self, share: float) -> None:
        """The current call is `share` (0..1) done: a streamed reply is coming in."""
        fraction = self.fraction(min(0.95, max(0.0, share)))
        if fraction - self.reported >= self.REPORT_EVERY:
            self._report(fraction)

    def after(self) -> None:
        self.done += 1
        self._report(self.fraction())

    def begin(self, stage: str) -> None:
        """A new call starts (cancel is checked first) and says what it does."""
        self.before()
        self.stage = stage
        self._report(self.reported, force=True)

    def show(self, partial: Insights) -> None:
        """New sections are ready to be shown."""
        self.partial = partial
        self._report(self.reported, force=True)

    def _report(self, fraction: float, force: bool = False) -> None:
        if fraction < self.reported or (fraction == self.reported and not force):
            return  # a retried call starts its stream again: never go backwards
        self.reported = fraction
        if self.progress is not None:
            self.progress(InsightProgress(fraction, self.stage, self.partial))
