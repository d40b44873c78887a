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
from desktop.core.media import MEDIA_SUFFIXES, MediaError, probe_media
from desktop.core.model import Episode
from desktop.core.store import Library
from desktop.core.transcribe import TranscribeOptions, Transcriber
from desktop.core.transcribe.remote import RemoteServer, RemoteTranscriber
from desktop.services.opening import EngineChoice
from desktop.services.transcription import CancelToken, Progress, transcribe_media

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


@dataclass(frozen=True, slots=True)
class QueueProgress:
    """The whole queue's progress over every engine: audio seconds transcribed by this
    run, of all the audio queued (what is left of resumed files counted)."""

    done: float  # audio seconds transcribed in this run, all engines together
    covered: float  # audio seconds stored, this run and earlier ones
    total: float  # audio seconds of every queued file that could be read
    elapsed: float  # wall seconds since the queue started
    files_done: int
    files: int
    running: tuple[str, ...]  # "engine: file" for each file being transcribed

    @property
    def speed(self) -> float | None:
        """Audio seconds per wall second, all engines together."""
        return self.done / self.elapsed if self.elapsed > 0 and self.done > 0 else None

    @property
    def eta(self) -> float | None:
        speed = self.speed
        return max(0.0, self.total - self.covered) / speed if speed else None

    @property
    def fraction(self) -> float:
        return min(1.0, self.covered / self.total) if self.total > 0 else 0.0


def transcribe_queue(
    library_path: Path,
    paths: list[Path],
    engines: list[QueueEngine],
    options: TranscribeOptions | None = None,
    on_result: Callable[[QueueResult], None] | None = None,
    cancel: CancelToken | None = None,
    set_aside: float = SET_ASIDE_SECONDS,
    on_progress: Callable[[QueueProgress], None] | None = None,
) -> list[QueueResult]:
    """Transcribe `paths` over `engines` (a thread each, its own library connection: an
    engine listed twice takes two files at once); the results in the order of `paths`.
    `on_progress` hears the combined progress (from the engines' threads)."""
    if not engines:
        raise EarmarkError("no engine to transcribe with")
    queue = _Queue([QueueResult(Path(p)) for p in paths], set_aside, on_progress)
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

    def __init__(
        self,
        results: list[QueueResult],
        set_aside: float,
        on_progress: Callable[[QueueProgress], None] | None = None,
    ) -> None:
        self.results = results
        self.waiting: deque[QueueResult] = deque(results)
        self.running = 0
        self.lock = threading.Condition()
        self.set_aside = set_aside
        self.aside_until: dict[str, float] = {}
        self.on_progress = on_progress
        self.began = time.monotonic()
        self.lengths = {r.path: _length(r.path) for r in results} if on_progress else {}
        self.first: dict[Path, float] = {}  # where this run began in each file
        self.at: dict[Path, float] = {}  # how far each file is stored
        self.where: dict[Path, str] = {}  # the engine on each running file
        self.finished = 0

    def progress(self, result: QueueResult, engine: str, position: float | None) -> None:
        """A file moved on (`position`), or ended (None); the combined progress told."""
        if self.on_progress is None:
            return
        with self.lock:
            path = result.path
            if position is None:
                self.where.pop(path, None)
                self.finished += 1
                if result.episode is not None:
                    self.first.setdefault(path, self.lengths.get(path, 0.0))
                    self.at[path] = self.lengths.get(path, 0.0)
                elif path in self.lengths:  # given up: what it lacks is not to be waited for
                    self.lengths[path] = self.at.get(path, 0.0)
            else:
                self.where[path] = engine
                self.first.setdefault(path, position)
                self.at[path] = max(position, self.at.get(path, 0.0))
            report = QueueProgress(
                done=sum(self.at[p] - self.first[p] for p in self.at if p in self.first),
                covered=sum(self.at.values()),
                total=sum(self.lengths.values()),
                elapsed=time.monotonic() - self.began,
                files_done=self.finished,
                files=len(self.results),
                running=tuple(f"{e}: {p.name}" for p, e in self.where.items()),
            )
        self.on_progress(report)

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

            def moved(progress: Progress, result: QueueResult = result) -> None:
                queue.progress(result, engine.name, progress.position)

            try:
                done = transcribe_media(
                    library, result.path, engine.load, options, on_progress=moved, cancel=cancel
                )
            except (MediaError, ModelNeededError, OSError) as exc:
                result.error = str(exc)  # the file itself, or the asking: no engine does better
                queue.done(result)
            except EarmarkError as exc:  # the engine: another one resumes the file
                if not queue.retry(result, engine.name, str(exc)):
                    continue
            else:
                result.episode, result.engine = done.episode, engine.name
                queue.done(result)
            queue.progress(result, engine.name, None)
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
    choice: EngineChoice, servers: list[str], local: bool = True, per_server: int = 1
) -> list[QueueEngine]:
    """This computer (unless `local` is False) and each server, as queue engines; a
    server is listed `per_server` times: that many files in flight on it at once (a GPU
    server answers several requests together; this computer runs one)."""
    if per_server < 1:
        raise EarmarkError("files per server must be at least 1")
    engines = [QueueEngine("this computer", choice.loader())] if local else []
    for url in servers:
        server = replace(choice.server or RemoteServer(url), url=url)
        engine = QueueEngine(server.name, lambda server=server: RemoteTranscriber(server))
        engines += [engine] * per_server
    return engines


def _length(path: Path) -> float:
    """A queued file's duration, 0 when it cannot be read (it fails on its turn)."""
    try:
        return probe_media(path).duration
    except (MediaError, OSError):
        return 0.0
