"""The one way the window runs long work: a job on its own thread, reporting by signals.

A job is a plain function `work(context)` that calls `context.report(value)` as it goes
and checks `context.cancel` (a services CancelToken) between steps; the services already
take exactly these callbacks, so the CLI and the window drive the same code. Signals are
emitted from the worker thread and Qt queues them to the Job object, which lives on the
UI thread: slots never run on the worker.

Each job opens its own connection to the library (SQLite in WAL mode: the UI thread keeps
reading while a job writes).
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop.core.errors import EarmarkError
from desktop.services.transcription import CancelToken

log = logging.getLogger(__name__)


@dataclass(slots=True)
class JobContext:
    """What a job's work function gets: a way to report and a way to learn it should stop."""

    report: Callable[[Any], None]
    cancel: CancelToken = field(default_factory=CancelToken)

    def cancelled(self) -> bool:
        return self.cancel.cancelled


class Job(QObject):
    """One piece of background work. Connect the signals, then `start()`."""

    progress = Signal(object)  # whatever the work reports
    succeeded = Signal(object)  # the work's return value
    failed = Signal(str)  # a message for the user; never a traceback
    finished = Signal()  # always last, after succeeded or failed

    def __init__(
        self,
        kind: str,
        work: Callable[[JobContext], Any],
        subject: Any = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.kind = kind  # "transcribe", "import", "insights"…
        self.subject = subject  # what it works on (a path, an episode id)
        self._work = work
        self._context = JobContext(report=self.progress.emit)
        self._thread: threading.Thread | None = None
        self.error: EarmarkError | None = None  # what `failed` said, for a closer look

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"earmark-{self.kind}", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        self._context.cancel.cancel()

    @property
    def cancelled(self) -> bool:
        return self._context.cancelled()

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the thread ends (closing the window); True when it did."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        try:
            result = self._work(self._context)
        except EarmarkError as exc:
            self.error = exc
            self.failed.emit(str(exc))
        except Exception as exc:  # a bug: tell the user plainly, keep the details in the log
            log.error("job %s failed:\n%s", self.kind, traceback.format_exc())
            self.failed.emit(f"Unexpected error ({type(exc).__name__}): {exc}")
        else:
            self.succeeded.emit(result)
        finally:
            self.finished.emit()


class ProcessJob(Job):
    """A Job whose work runs in a child process, for pure-Python CPU work.

    A thread holds the GIL in long C calls (module imports, NumPy and SciPy kernels), and
    the window then freezes for over 100 ms at a time (measured while making insights);
    another process cannot. The child is spawned afresh (no fork of a process running Qt
    threads), so `work` must be a module-level function and its arguments and result
    picklable. Progress and the result come back over a queue; cancel is a shared Event.
    """

    def __init__(
        self,
        kind: str,
        work: Callable[..., Any],
        args: tuple[Any, ...] = (),
        subject: Any = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(kind, self._relay, subject, parent)
        self._child_work = work
        self._args = args
        self._mp = multiprocessing.get_context("spawn")
        self._stop = self._mp.Event()

    def cancel(self) -> None:
        super().cancel()
        self._stop.set()

    def _relay(self, context: JobContext) -> Any:
        messages = self._mp.Queue()
        child = self._mp.Process(
            target=_child_main,
            args=(self._child_work, self._args, messages, self._stop),
            name=f"earmark-{self.kind}",
            daemon=True,
        )
        child.start()
        try:
            return self._wait(child, messages, context)
        finally:
            child.join(timeout=5)
            if child.is_alive():
                child.kill()

    def _wait(self, child: Any, messages: Any, context: JobContext) -> Any:
        while True:
            try:
                kind, value = messages.get(timeout=0.2)
            except queue.Empty:
                if self._stop.is_set():
                    # The child may be seconds away from its next check (importing
                    # scikit-learn); ending it now is safe, as every write it makes is one
                    # transaction (tests/reliability/test_crashes.py kills it at each step).
                    child.kill()
                    raise EarmarkError(f"{self.kind} cancelled") from None
                if not child.is_alive() and messages.empty():
                    raise EarmarkError(
                        f"the {self.kind} worker stopped unexpectedly (exit code {child.exitcode})"
                    ) from None
                continue
            if kind == "progress":
                context.report(value)
            elif kind == "result":
                return value
            else:
                raise EarmarkError(value)


def _child_main(work: Callable[..., Any], args: tuple, messages: Any, stop: Any) -> None:
    context = JobContext(
        report=lambda value: messages.put(("progress", value)), cancel=CancelToken(stop)
    )
    try:
        messages.put(("result", work(context, *args)))
    except EarmarkError as exc:
        messages.put(("error", str(exc)))
    except Exception as exc:
        log.error("job failed:\n%s", traceback.format_exc())
        messages.put(("error", f"Unexpected error ({type(exc).__name__}): {exc}"))


class JobRunner(QObject):
    """Keeps running jobs alive and lets the window find, cancel and wait for them."""

    changed = Signal()  # a job started or ended

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: list[Job] = []

    def start(self, job: Job) -> Job:
        self._jobs.append(job)
        job.finished.connect(lambda: self.forget(job))
        job.start()
        self.changed.emit()
        return job

    def jobs(self, kind: str | None = None) -> list[Job]:
        return [job for job in self._jobs if kind is None or job.kind == kind]

    def find(self, kind: str, subject: Any) -> Job | None:
        return next((j for j in self._jobs if j.kind == kind and j.subject == subject), None)

    def cancel_all(self) -> None:
        for job in self._jobs:
            job.cancel()

    def wait_all(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        return all(job.wait(max(0.0, deadline - time.monotonic())) for job in list(self._jobs))

    def forget(self, job: Job) -> None:
        """Drop a finished job (idempotent; a finished-slot may call it before the runner)."""
        if job in self._jobs:
            self._jobs.remove(job)
            self.changed.emit()
