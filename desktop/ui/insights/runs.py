"""Making an episode's insights in the background, for the Session.

One run per episode, in a child process (ProcessJob): the extractive engine's imports and
kernels hold the GIL, and the local LLM engine runs llama.cpp in a process of its own
below that one. While an LLM writes, each finished section arrives as a partial payload
and is shown at once; the stored payload stays what the library holds until the run is
complete, and a failed or cancelled run brings it back on screen.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.core.errors import EarmarkError
from desktop.core.insights.engine import InsightProgress
from desktop.core.settings import Settings, load_settings
from desktop.core.timecode import short, time_left
from desktop.services.llm_models import local_config
from desktop.services.llm_settings import configured_llm
from desktop.ui import tasks
from desktop.ui.jobs import ProcessJob

if TYPE_CHECKING:
    from desktop.ui.session import Session

MAKING = "Making insights…"


@dataclass(frozen=True, slots=True)
class EngineOption:
    engine: str  # "extractive", "openai", "local"
    label: str  # for the Regenerate menu


def engine_options(settings: Settings | None = None) -> list[EngineOption]:
    """Extraction, plus every LLM the user has set up: a server, a model on this computer."""
    try:
        settings = settings or load_settings()
    except EarmarkError:
        settings = Settings()
    options = [EngineOption("extractive", "Extract from the transcript")]
    server = configured_llm(settings)
    if server is not None:
        options.append(EngineOption("openai", f"Ask {server.model} (your server)"))
    try:
        model = local_config(settings).model_path
    except EarmarkError:
        pass
    else:
        options.append(EngineOption("local", f"Ask {model.name} on this computer"))
    return options


def describe(update: InsightProgress, elapsed: float) -> str:
    """'Making insights… 40% · reading part 2 of 5 · 1:20 left'."""
    parts = [f"{MAKING} {update.fraction:.0%}"]
    if update.stage:
        parts.append(update.stage)
    left = time_left(elapsed, update.fraction)
    if left is not None:
        parts.append(f"{short(left)} left")
    return " · ".join(parts)


class InsightRuns:
    """The Session's insight jobs: start, report, cancel, finish."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def make(self, episode_id: int, engine: str | None = None) -> None:
        """Insights in a child process; `engine` None means the one chosen in Settings."""
        session = self.session
        running = session.runner.find("insights", episode_id)
        # A run still working is not started twice; one that has handed its answer over
        # (it is only ending) does not hold up the next (Regenerate right after it).
        if running is not None and not getattr(running, "delivered", False):
            return
        try:
            settings = load_settings()
        except EarmarkError as exc:  # a broken settings file: say so, stay offline
            session.message.emit("warning", str(exc))
            settings = Settings()
        engine = engine or settings.insight_engine or "extractive"
        llm = configured_llm(settings) if engine == "openai" else None
        local = None
        if engine == "local":
            try:
                local = local_config(settings)
            except EarmarkError as exc:  # the model file is gone: extract instead, and say why
                session.insights_notice.emit(f"{exc}; making extracted insights instead")
                engine = "extractive"
        job = ProcessJob(
            "insights",
            tasks.make_insights,
            (session.library.path, episode_id, engine, llm, local),
            subject=episode_id,
        )
        began = time.monotonic()
        for ended in (job.succeeded, job.failed):  # first: before the panel hears of it
            ended.connect(lambda _value, job=job: setattr(job, "delivered", True))
        job.progress.connect(lambda update: self._progress(episode_id, update, began))
        job.succeeded.connect(lambda result: self._done(episode_id, result))
        job.failed.connect(lambda text: self._failed(episode_id, text))
        session.runner.start(job)
        if session._is_current(episode_id):
            session.insights_busy.emit(MAKING, None)

    def cancel(self) -> None:
        for job in self.session.runner.jobs("insights"):
            job.cancel()

    def _progress(self, episode_id: int, update: object, began: float) -> None:
        if not self.session._is_current(episode_id) or not isinstance(update, InsightProgress):
            return
        text = describe(update, time.monotonic() - began)
        self.session.insights_busy.emit(text, update.fraction)
        if update.partial is not None:
            self.session.insights_partial.emit(update.partial)

    def _done(self, episode_id: int, result: object) -> None:
        session = self.session
        if not session._is_current(episode_id):
            return
        session.insights_changed.emit(getattr(result, "insights", None))
        session.insights_busy.emit(None, None)
        warnings = getattr(result, "warnings", [])
        session.insights_notice.emit("; ".join(warnings) if warnings else None)

    def _failed(self, episode_id: int, text: str) -> None:
        session = self.session
        if session._is_current(episode_id):
            # The panel puts the stored insights back over any sections the run showed.
            session.insights_busy.emit(None, None)
            session.insights_notice.emit(text)
