"""Use case: many files through every engine the user has, a file to an engine at a time.

A backlog (a folder, a show's back catalogue) goes faster over several machines: this
machine and each Whisper server the user configured take the next waiting file as soon as
they are free. Whole files, not clips, go to an engine: each file is then transcribed
clip after clip with the text before each clip as its prompt, exactly as one engine alone
does it, and streams into the library in order.

An engine that fails (a server that went away, stopped answering, or answered an error)
leaves its file's episode failed with what was stored; the file goes back to the front
of the queue for another engine, which resumes it from there, and the failing engine is
set aside for a while (its reason kept) and then tried again. A file that itself cannot
be read fails for good, with its reason. Each file's result is reported as it ends.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from desktop.core.errors import EarmarkError, ModelNeededError
from desktop.core.media import MEDIA_SUFFIXES, MediaError
from desktop.core.model import Episode
from desktop.core.store import Library
from desktop.core.transcribe import TranscribeOptions, Transcriber
from desktop.core.transcribe.remote import RemoteServer, RemoteTranscriber
from desktop.services.opening import EngineChoice
from desktop.services.transcription import CancelToken, transcribe_media

log = logging.getLogger(__name__)

SET_ASIDE_SECONDS = 30.0  # before a failing engine is tried again
MAX_ATTEMPTS = 3  # engines tried per file before it is given up


@dataclass(frozen=True, slots=True)
class QueueEngine:
    name: str  # "this computer", "gpu-box:8000"
    load: Callable[[], Transcriber]


@dataclass(slots=True)
class QueueResult:
    path: Path
    episode: Episode | None = None
    engine: str | None = None  # the engine that finished it
    error: str | None = None
    tried: list[str] = field(default_factory=list)  # "engine: why" for each failed try

    def line(self) -> str:
        if self.episode is not None:
            fails = len(self.tried)
            moved = f", after {fails} failed tr{'y' if fails == 1 else 'ies'}" if fails else ""
            return (
                f"#{self.episode.id} {self.episode.title}: {self.episode.segment_count} "
                f"segments ({self.engine}{moved})"
            )
        return f"{self.path}: {self.error}"


def transcribe_queue(
    library_path: Path,
    paths: list[Path],
    engines: list[QueueEngine],
    options: TranscribeOptions | None = None,
    on_result: Callable[[QueueResult], None] | None = None,
    cancel: CancelToken | None = None,
    set_aside: float = SET_ASIDE_SECONDS,
) -> list[QueueResult]:
    """Transcribe `paths` over `engines` (one thread each, its own library connection);
    the results in the order of `paths`."""
    if not engines:
        raise EarmarkError("no engine to transcribe with")
    queue = _Queue([QueueResult(Path(p)) for p in paths], set_aside)
    Library.open(library_path).close()  # created or upgraded once, before the workers
    threads = [
        threading.Thread(
            target=_guarded,
            args=(engine, library_path, queue, options, on_result, cancel),
            name=f"earmark-queue-{n}",
            daemon=True,
        )
        for n, engine in enumerate(engines)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in queue.waiting:  # every engine failed on it or was cancelled
        result.error = result.error or "; ".join(result.tried) or "cancelled"
    return queue.results


def _tried_on(result: QueueResult, engine: str) -> bool:
    return any(t.startswith(f"{engine}: ") for t in result.tried)


class _Queue:
    """The files waiting, and who is set aside until when, under one lock."""

    def __init__(self, results: list[QueueResult], set_aside: float) -> None:
        self.results = results
        self.waiting: deque[QueueResult] = deque(results)
        self.running = 0
        self.lock = threading.Condition()
        self.set_aside = set_aside
        self.aside_until: dict[str, float] = {}

    def take(self, engine: str, cancelled: Callable[[], bool]) -> QueueResult | None:
        """The next file for `engine` (one it has not failed on); None when it has nothing
        left to do: all done, cancelled, or only files it failed on and none running that
        could come back."""
        with self.lock:
            while not cancelled():
                mine = [r for r in self.waiting if not _tried_on(r, engine)]
                aside = self.aside_until.get(engine, 0.0) - time.monotonic()
                if mine and aside <= 0:
                    self.waiting.remove(mine[0])
                    self.running += 1
                    return mine[0]
                if not mine and self.running == 0:
                    self.lock.notify_all()
                    return None
                self.lock.wait(timeout=min(max(aside, 0.05), 1.0))
            return None

    def done(self, result: QueueResult) -> None:
        with self.lock:
            self.running -= 1
            self.lock.notify_all()

    def retry(self, result: QueueResult, engine: str, why: str) -> bool:
        """Back to the front of the queue for another engine; True when given up instead
        (tried on MAX_ATTEMPTS engines)."""
        with self.lock:
            self.running -= 1
            result.tried.append(f"{engine}: {why}")
            self.aside_until[engine] = time.monotonic() + self.set_aside
            given_up = len(result.tried) >= MAX_ATTEMPTS
            if given_up:
                result.error = "; ".join(result.tried)
            else:
                self.waiting.appendleft(result)  # first for the next free engine
            self.lock.notify_all()
            return given_up


def _guarded(engine: QueueEngine, *args: object) -> None:
    """A worker thread: a bug, or the library itself failing, ends this engine's worker
    with a log entry; the other engines go on (what is left is reported as not done)."""
    try:
        _take_and_transcribe(engine, *args)  # type: ignore[arg-type]
    except Exception:
        log.exception("queue worker for %s stopped", engine.name)


def _take_and_transcribe(
    engine: QueueEngine,
    library_path: Path,
    queue: _Queue,
    options: TranscribeOptions | None,
    on_result: Callable[[QueueResult], None] | None,
    cancel: CancelToken | None,
) -> None:
    cancelled = (lambda: cancel.cancelled) if cancel is not None else (lambda: False)
    with Library.open(library_path) as library:
        while (result := queue.take(engine.name, cancelled)) is not None:
            try:
                done = transcribe_media(library, result.path, engine.load, options, cancel=cancel)
            except (MediaError, ModelNeededError, OSError) as exc:
                result.error = str(exc)  # the file itself, or the asking: no engine does better
                queue.done(result)
            except EarmarkError as exc:  # the engine: another one resumes the file
                if not queue.retry(result, engine.name, str(exc)):
                    continue
            else:
                result.episode, result.engine = done.episode, engine.name
                queue.done(result)
            if on_result is not None:
                on_result(result)


def media_files(paths: list[Path]) -> list[Path]:
    """The files to transcribe: each file given, and the media files inside each folder
    (at any depth, in name order; hidden ones skipped)."""
    found: list[Path] = []
    for path in map(Path, paths):
        if not path.is_dir():
            found.append(path)
            continue
        found += sorted(
            p
            for p in path.rglob("*")
            if p.is_file()
            and p.suffix.lower() in MEDIA_SUFFIXES
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
    return found


def queue_engines(
    choice: EngineChoice, servers: list[str], local: bool = True
) -> list[QueueEngine]:
    """This computer (unless `local` is False) and each server, as queue engines."""
    engines = [QueueEngine("this computer", choice.loader())] if local else []
    for url in servers:
        server = replace(choice.server or RemoteServer(url), url=url)
        engines.append(QueueEngine(server.name, lambda server=server: RemoteTranscriber(server)))
    return engines
