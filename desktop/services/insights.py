"""Use case: make an episode's insights with the chosen engine, store and return them.

The LLM engine is optional and reaches only the server the user configured. A failed LLM
run never replaces a better result: the library keeps every good payload with its engine
(the newest row is the one shown), and when the server fails the previous LLM answer is
shown again if there is one, else extracted insights are made; the failed run itself
stores nothing. `InsightsResult` says which payload is shown and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from desktop.core.errors import EarmarkError
from desktop.core.insights.engine import (
    ENGINE_NAMES,
    CancelFn,
    InsightError,
    InsightInput,
    ProgressFn,
)
from desktop.core.insights.llm import LLMConfig, OpenAICompatibleEngine
from desktop.core.insights.llm.engine import ChatInsightEngine, LocalEngine
from desktop.core.insights.llm.local import LocalModelConfig
from desktop.core.insights.payload import Insights
from desktop.core.model import EpisodeStatus
from desktop.core.store import Library

LLM_ENGINES = ("openai", "local")


@dataclass(slots=True)
class InsightsResult:
    """What to show after a run, and why.

    `insights` is the payload to display; it is also the episode's current insights in the
    library (`Library.insights(episode_id)`). `warnings` are one line each, for the user
    (the CLI prints them as `earmark: warning: ...`; the window shows them as a notice).
    """

    insights: Insights
    warnings: list[str] = field(default_factory=list)
    requested: str = "extractive"  # the engine the user asked for
    fresh: bool = True  # made by this run; False: an earlier stored answer is shown
    failure: str | None = None  # why the requested engine failed, when it did
    note: str | None = None  # one line on what is shown instead, when it is not fresh/asked

    @property
    def shown_engine(self) -> str:
        """The engine of the payload shown: "extractive", "openai" or "local"."""
        return self.insights.engine


def generate_insights(
    library: Library,
    episode_id: int,
    engine: str = "extractive",
    llm: LLMConfig | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
    local: LocalModelConfig | None = None,
) -> InsightsResult:
    """`llm` is the server for the "openai" engine; `local` the model file for "local"
    (None: the one chosen in the settings)."""
    episode = library.episode(episode_id)
    segments = library.segments(episode_id)
    if not segments:
        raise EarmarkError(f"episode {episode_id} has no transcript yet")
    source = InsightInput(episode.title, segments, library.chapters(episode_id))
    warnings = []
    if episode.status is not EpisodeStatus.DONE:
        warnings.append(
            f"the transcript is not finished ({episode.status}); insights cover it so far"
        )
    if engine not in ENGINE_NAMES:
        raise EarmarkError(
            f"unknown insight engine {engine!r}; choose one of: {', '.join(ENGINE_NAMES)}"
        )
    if engine in LLM_ENGINES:
        chat_engine = llm_engine(engine, llm, local)
        try:
            insights = chat_engine.generate(source, progress, cancelled)
        except InsightError as exc:
            return _after_failure(
                library, episode_id, source, str(exc), warnings, cancelled, engine
            )
        warnings += chat_engine.last_report.warnings
    else:
        insights = _extract(source, progress, cancelled)
    library.save_insights(episode_id, insights)
    return InsightsResult(insights, warnings, requested=engine)


def llm_engine(
    engine: str, llm: LLMConfig | None, local: LocalModelConfig | None
) -> ChatInsightEngine:
    if engine == "openai":
        if llm is None:
            raise EarmarkError("the openai engine needs a server: give --base-url and --model")
        return OpenAICompatibleEngine(llm)
    from desktop.services.llm_models import local_config

    return LocalEngine(local or local_config())


def _extract(
    source: InsightInput, progress: ProgressFn | None, cancelled: CancelFn | None
) -> Insights:
    # Imported here, not at the top: the window receives InsightsResult from its child
    # process by unpickling, which imports this module, and scikit-learn would then load
    # into the window too (seconds of imports on the job's thread, ~130 MB it never uses).
    from desktop.core.insights.extractive import ExtractiveEngine

    return ExtractiveEngine().generate(source, progress, cancelled)


def _after_failure(
    library: Library,
    episode_id: int,
    source: InsightInput,
    failure: str,
    warnings: list[str],
    cancelled: CancelFn | None,
    engine: str,
) -> InsightsResult:
    """The LLM failed: show its previous answer if there is one, else extracted insights.

    Nothing the failed run made is stored. The previous answer is stored again (a copy,
    same date) only when something else was shown since, so that it is what the episode
    shows from now on, as it is now.
    """
    previous = library.insights(episode_id, engine=engine)
    if previous is not None:
        if library.insights(episode_id) != previous:
            library.save_insights(episode_id, previous)
        note = f"{failure}; showing the previous answer of {_who(previous)} instead"
        shown, fresh = previous, False
    else:
        # No progress callback: the bar already went some way for the failed run.
        shown = _extract(source, None, cancelled)
        library.save_insights(episode_id, shown)
        note = f"{failure}; showing extracted insights instead"
        fresh = True
    return InsightsResult(
        shown, [*warnings, note], requested=engine, fresh=fresh, failure=failure, note=note
    )


def _who(insights: Insights) -> str:
    """'llama3.1 from 2025-05-01 14:03' (local time), as far as the payload tells."""
    model = insights.model or "the LLM"
    if not insights.created:
        return model
    try:
        when = datetime.fromisoformat(insights.created)
    except ValueError:
        return f"{model} from {insights.created}"
    if when.tzinfo is not None:
        when = when.astimezone()  # the user's local time
    return f"{model} from {when:%Y-%m-%d %H:%M}"
