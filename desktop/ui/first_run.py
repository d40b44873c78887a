"""On a first run, find an LLM server the user already runs and offer it for insights.

The window calls `offer_found_runtime` once (say, when no insight engine was ever chosen:
`should_offer`) and shows `on_found`'s runtime in its banner. Detection runs in a Job: it
asks only this computer's usual ports, and a stuck server may take seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from desktop.core.errors import EarmarkError
from desktop.core.insights.llm.detect import DEFAULT_CANDIDATES, Candidate, Runtime
from desktop.core.settings import Settings, load_settings
from desktop.services.llm_settings import use_runtime
from desktop.ui.jobs import Job, JobRunner
from desktop.ui.settings.runtimes import detection_job

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow


def should_offer(settings: Settings) -> bool:
    """Only while the user never chose an engine: a choice, even extraction, is theirs."""
    return settings.insight_engine is None


def offer_found_runtime(
    parent: QObject,
    runner: JobRunner,
    on_found: Callable[[Runtime], None],
    candidates: Sequence[Candidate] = DEFAULT_CANDIDATES,
) -> Job:
    """Look for runtimes in the background; call `on_found` with the first one that has a
    model (in detect's order), and not at all when none has. Returns the started Job."""
    relay = _Relay(parent, on_found)
    job = detection_job(candidates)
    job.succeeded.connect(relay.found)
    job.finished.connect(relay.deleteLater)
    return runner.start(job)


class _Relay(QObject):
    """The slot, owned by `parent`: if the window closes first, nothing is called."""

    def __init__(self, parent: QObject, on_found: Callable[[Runtime], None]) -> None:
        super().__init__(parent)
        self._on_found = on_found

    def found(self, runtimes: list[Runtime]) -> None:
        runtime = next((r for r in runtimes if r.models), None)
        if runtime is not None:
            self._on_found(runtime)


OFFERED_KEY = "llm_runtime_offered"  # window state: the banner was shown once


def offer_on_first_run(
    window: MainWindow, candidates: Sequence[Candidate] = DEFAULT_CANDIDATES
) -> Job | None:
    """On a first run (no engine ever chosen, never offered before), look for an LLM the
    user runs and offer it in the window's banner; None when not looked for."""
    try:
        settings = load_settings()
    except EarmarkError:
        return None
    if not should_offer(settings) or window.state.value(OFFERED_KEY, False, type=bool):
        return None

    def found(runtime: Runtime) -> None:
        window.state.setValue(OFFERED_KEY, True)
        model = runtime.models[0]

        def use() -> None:
            try:
                use_runtime(runtime, model)
            except EarmarkError as exc:
                window.show_message("error", str(exc))
                return
            window.apply_settings()
            window.statusBar().showMessage(f"Insights now use {model} on {runtime.name}", 8000)

        window.show_message(
            "info",
            f"{runtime.name} is running on this computer with {model}: Earmark can write "
            "insights with it (nothing leaves this computer).",
            "Use It for Insights",
            use,
        )

    return offer_found_runtime(window, window.session.runner, found, candidates)
