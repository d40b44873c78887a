"""What every insight engine takes and gives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from desktop.core.errors import EarmarkError
from desktop.core.insights.payload import Insights
from desktop.core.model import Chapter, Segment

# The embedded default, a server of the user's, and a GGUF model run by Earmark itself.
ENGINE_NAMES = ("extractive", "openai", "local")
CancelFn = Callable[[], bool]  # True when the user asked to stop


@dataclass(frozen=True, slots=True)
class InsightProgress:
    """How far a run is, for a progress bar and a status line."""

    fraction: float  # 0..1
    stage: str = ""  # "reading part 2 of 5": what the run is doing, when it says
    # The sections made so far, for engines that write them one after another (the LLM
    # engines): shown while the rest is written, never stored.
    partial: Insights | None = None


ProgressFn = Callable[[InsightProgress], None]


class InsightError(EarmarkError):
    """An engine could not produce insights (the message says why, for the user)."""


class InsightsCancelled(EarmarkError):
    """The user stopped insight generation."""


@dataclass(frozen=True, slots=True)
class InsightInput:
    """An episode's transcript as an engine sees it; segment ids are list indexes.

    `chapters` are the transcript's own (from its file), used as topic sections when given.
    """

    title: str
    segments: list[Segment]
    chapters: list[Chapter] = field(default_factory=list)


class InsightEngine(Protocol):
    name: str  # stored as Insights.engine: "extractive", "openai"

    def generate(
        self,
        source: InsightInput,
        progress: ProgressFn | None = None,
        cancelled: CancelFn | None = None,
    ) -> Insights: ...


def ungrounded_items(insights: Insights, segments: list[Segment]) -> list[str]:
    """Descriptions of items whose `start` is not the start of any segment (empty if none)."""
    starts = {round(s.start, 3) for s in segments}
    problems = []
    groups = (
        ("key insight", insights.key_insights),
        ("question", insights.qa),
        ("takeaway", insights.takeaways),
    )
    for label, items in groups:
        for n, item in enumerate(items, 1):
            if round(item.start, 3) not in starts:
                problems.append(f"{label} {n} starts at {item.start}, which is no segment's start")
    return problems
