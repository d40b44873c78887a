"""Use case: make an episode's insights with the chosen engine, store and return them.

The LLM engine is optional and reaches only the server the user configured; when it fails
for any reason the extractive engine answers instead and the reason is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop.core.errors import EarmarkError
from desktop.core.insights.engine import (
    ENGINE_NAMES,
    CancelFn,
    InsightError,
    InsightInput,
    ProgressFn,
)
from desktop.core.insights.extractive import ExtractiveEngine
from desktop.core.insights.llm import LLMConfig, OpenAICompatibleEngine
from desktop.core.insights.payload import Insights
from desktop.core.model import EpisodeStatus
from desktop.core.store import Library


@dataclass(slots=True)
class InsightsResult:
    insights: Insights
    warnings: list[str] = field(default_factory=list)


def generate_insights(
    library: Library,
    episode_id: int,
    engine: str = "extractive",
    llm: LLMConfig | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> InsightsResult:
    episode = library.episode(episode_id)
    segments = library.segments(episode_id)
    if not segments:
        raise EarmarkError(f"episode {episode_id} has no transcript yet")
    source = InsightInput(episode.title, segments)
    warnings = []
    if episode.status is not EpisodeStatus.DONE:
        warnings.append(
            f"the transcript is not finished ({episode.status}); insights cover it so far"
        )
    if engine not in ENGINE_NAMES:
        raise EarmarkError(
            f"unknown insight engine {engine!r}; choose one of: {', '.join(ENGINE_NAMES)}"
        )
    insights: Insights | None = None
    if engine == "openai":
        if llm is None:
            raise EarmarkError("the openai engine needs a server: give --base-url and --model")
        try:
            insights = OpenAICompatibleEngine(llm).generate(source, progress, cancelled)
        except InsightError as exc:
            warnings.append(f"{exc}; showing extracted insights instead")
    if insights is None:
        insights = ExtractiveEngine().generate(source, progress, cancelled)
    library.save_insights(episode_id, insights)
    return InsightsResult(insights, warnings)
