"""ChildTranscriber: faster-whisper in a spawned child process (child_main.py).

CTranslate2 is native code, and native code can crash: a damaged model file, a CPU without
the instructions the wheel was built for. In-process, that ends the window or the CLI
without a word, right after Transcribe is pressed. Here it ends only the child, and the
stream raises a ModelError naming the model folder, the signal, the stretch of audio being
decoded and the child's last log line; the service then marks the episode failed with what
it stored, and opening it again resumes.

How the parts meet:
- Audio (16 kHz mono float32, ~230 MB an hour) goes once into a .npy file, on /dev/shm
  where there is room, which the child memory-maps; the parent removes the file as soon as
  the child has opened it, so nothing is left behind, whoever dies.
- The child loads the model when it starts and says what it loaded; then it answers one
  request per batch (one clip's segments), so the parent can stop between any two batches
  without leaving stale replies in the pipe.
- A cancel seen while the child is decoding kills it (a clip cannot be interrupted, and
  killing costs nothing: what was stored stays, and the next stream starts a fresh child).
- The child lives until `close()`, garbage collection, or this process's exit (a
  multiprocessing finalizer), and exits by itself when its parent dies.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing import util
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import numpy as np

from desktop.core.child_process import (
    KILL_AFTER,
    end_child,
    exit_words,
    last_log_line,
    log_size,
    start_child,
)
from desktop.core.errors import ModelError
from desktop.core.model import Segment
from desktop.core.transcribe import child_main
from desktop.core.transcribe.child_audio import remove_audio, write_audio
from desktop.core.transcribe.engine import TranscribeOptions, TranscriptionStream
from desktop.core.transcribe.models import ModelSpec

log = logging.getLogger(__name__)

POLL_SECONDS = 0.05  # the longest a cancel waits to be seen while the child works
# What a crash most likely means, when the child's log says nothing.
CRASH_HINTS = {
    "SIGILL": "this CPU lacks an instruction CTranslate2 was built for",
    "SIGSEGV": "the model file may be damaged: fetch or convert the model again",
    "SIGBUS": "the model file may be damaged or was changed while in use",
    "SIGABRT": "CTranslate2 gave up on an internal error",
    "SIGKILL": "it was killed from outside, often for lack of memory",
}

Cancelled = Callable[[], bool]


@dataclass(eq=False)
class _Child:
    """One running child and what the parent knows of it."""

    process: BaseProcess
    conn: Connection
    log: Path
    facts: dict[str, Any] | None = None  # what it said once loaded
    log_mark: int = 0  # where the current request's log lines begin
    clip: tuple[float, float] | None = None  # announced and not yet delivered
    after: float = 0.0  # end of the last batch delivered
    detecting: bool = False  # the first clip is being used to detect the language
    streaming: bool = False  # a stream is open: the child waits for "next" or "stop"
    leftovers: list[Path] = field(default_factory=list)  # audio files not yet removed
    finalizer: Any = field(default=None, repr=False)


class ChildTranscriber:
    """The Transcriber protocol, with faster-whisper in a child process.

    Thread-safe: `start()` (a warm-up thread), `stream()` and the batches it yields (the
    transcription's thread) and `close()` (shutting down) may come from different threads.
    """

    engine = "faster-whisper"
    interruptible = True  # stream() takes `cancelled` and stops inside a batch

    def __init__(self, spec: ModelSpec, cpu_threads: int | None = None) -> None:
        self.spec = spec
        self.model = spec.name
        self.cpu_threads = cpu_threads
        self._child: _Child | None = None
        self._lock = threading.RLock()
        self._streams = 0  # counts streams: an older stream's batches refuse to go on

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        """Spawn the child, which loads the model on its own: returns at once. Does nothing
        when one runs already. A load failure is reported by the next stream()."""
        with self._lock:
            self._running()

    def load(self, cancelled: Cancelled | None = None) -> dict[str, Any] | None:
        """Wait until the model is loaded: what the child said (engine, model,
        multilingual, load_seconds), or None when `cancelled` said so first."""
        with self._lock:
            child = self._loaded(cancelled)
            return dict(child.facts or {}) if child is not None else None

    def close(self) -> None:
        """End the child (asked, then terminated, then killed: never hangs)."""
        child, self._child = self._child, None
        if child is not None and child.finalizer is not None:
            child.finalizer()

    @property
    def multilingual(self) -> bool:
        facts = self.load()
        return bool(facts and facts["multilingual"])

    @property
    def decoding(self) -> tuple[float, float] | None:
        """The clip (start, end in seconds) the child is working on now, if any."""
        child = self._child
        return child.clip if child is not None else None

    @property
    def pid(self) -> int | None:
        child = self._child
        return child.process.pid if child is not None and child.process.is_alive() else None

    # -- transcribing ---------------------------------------------------------------------

    def stream(
        self,
        audio: np.ndarray,
        options: TranscribeOptions,
        resume_at: float = 0.0,
        cancelled: Cancelled | None = None,
    ) -> TranscriptionStream:
        """As Transcriber.stream. When `cancelled` says so the child is killed and the
        batches end early (the caller, who cancelled, knows why they ended)."""
        with self._lock:
            self._streams += 1  # an earlier stream's batches end here
            child = self._loaded(cancelled)
            if child is None:
                return TranscriptionStream(None, iter(()))
            if child.streaming:  # an earlier stream was left between two batches
                child.streaming = False
                self._send(child, {"op": "stop"})
            child.leftovers = remove_audio(child.leftovers)
            child.log_mark = log_size(child.log)  # quote only what this episode logged
            child.clip, child.after = None, resume_at
            child.detecting = options.language is None and bool(child.facts["multilingual"])
            path = write_audio(audio)
            try:
                request = {
                    "op": "transcribe",
                    "audio": str(path),
                    "samples": int(audio.shape[0]),
                    "options": options,
                    "resume_at": resume_at,
                }
                self._send(child, request)
                reply = self._reply(child, cancelled)
            except BaseException:
                self._kill(child)  # left before its answer (Ctrl+C): it must not be read later
                raise
            finally:
                # Opened by the child by now (or never to be): its mapping outlives the
                # name, except on Windows, where the file goes once the child lets go.
                child.leftovers = remove_audio([*child.leftovers, path])
            if reply is None:
                return TranscriptionStream(None, iter(()))
            if "language" not in reply:
                raise self._refused(reply, "cannot transcribe")
            child.detecting, child.streaming = False, True
            batches = self._batches(child, self._streams, cancelled)
            return TranscriptionStream(reply["language"], batches)

    def _batches(
        self, child: _Child, number: int, cancelled: Cancelled | None
    ) -> Iterator[list[Segment]]:
        asked = False  # a batch was asked for and not received: the child is decoding
        try:
            while True:
                with self._lock:
                    if number != self._streams or child is not self._child:
                        raise ModelError(f"{self.spec.path}: the transcription was stopped")
                    asked = True
                    self._send(child, {"op": "next"})
                    reply = self._reply(child, cancelled)
                    asked = False
                    if reply is None or "batch" not in reply:
                        child.streaming = False  # the end, a cancel (killed) or an error
                if reply is None or "end" in reply:
                    return
                if "batch" not in reply:
                    raise self._refused(reply, "failed while transcribing")
                batch: list[Segment] = reply["batch"]
                child.clip = None
                child.after = batch[-1].end if batch else child.after
                yield batch
        finally:
            with self._lock:
                if asked:  # left in the middle of a clip (Ctrl+C, a crash): no waiting
                    self._kill(child)
                elif child.streaming and number == self._streams and child is self._child:
                    child.streaming = False  # left between batches: the child drops it
                    with contextlib.suppress(OSError):
                        child.conn.send({"op": "stop"})

    # -- the child ------------------------------------------------------------------------

    def _running(self) -> _Child:
        """The child, spawned when there is none or the last one has ended."""
        child = self._child
        if child is not None:
            # A child that failed to load has said why and exited: that answer is read.
            if child.process.is_alive() or (child.facts is None and _has_message(child)):
                return child
            log.info("the transcription process had ended (%s)", exit_words(child.process.exitcode))
            self._discard(child)
        self._child = self._spawn()
        return self._child

    def _loaded(self, cancelled: Cancelled | None) -> _Child | None:
        child = self._running()
        if child.facts is None:
            started = time.monotonic()
            reply = self._reply(child, cancelled)
            if reply is None:
                return None
            if "loaded" not in reply:
                self._discard(child)
                raise self._refused(reply, "cannot load the model")
            child.facts = dict(reply["loaded"])
            log.info(
                "transcription process ready in %.2f s: %s", time.monotonic() - started, child.facts
            )
        return child

    def _spawn(self) -> _Child:
        options = {
            "model_path": str(self.spec.path),
            "model_name": self.spec.name,
            "cpu_threads": self.cpu_threads,
        }
        try:
            process, ours, log = start_child(child_main.run, options, "earmark-whisper")
        except OSError as exc:  # out of processes or memory
            raise ModelError(f"could not start the transcription process: {exc}") from exc
        child = _Child(process, ours, log)
        # multiprocessing's finalizers run before it ends daemonic children at exit; the
        # arguments do not hold the _Child, so dropping it ends the process too.
        child.finalizer = util.Finalize(
            child, end_child, args=(process, ours, log), exitpriority=10
        )
        return child

    def _send(self, child: _Child, message: dict[str, Any]) -> None:
        try:
            child.conn.send(message)
        except OSError:
            raise self._crashed(child) from None

    def _reply(self, child: _Child, cancelled: Cancelled | None) -> dict[str, Any] | None:
        """The child's next answer (clip announcements noted on the way), or None when
        `cancelled` said so (the child is then killed)."""
        conn, process = child.conn, child.process
        while True:
            if cancelled is not None and cancelled():
                self._kill(child)
                return None
            try:
                if conn.poll(POLL_SECONDS if cancelled is not None else None):
                    message: dict[str, Any] = conn.recv()
                elif process.is_alive() or _has_message(child):
                    continue
                else:
                    raise EOFError
            except (EOFError, OSError):
                if child is not self._child and cancelled is not None and cancelled():
                    return None  # closed on purpose by a shutdown that cancelled first
                raise self._crashed(child) from None
            if "clip" in message:
                start, end = message["clip"]
                child.clip = (float(start), float(end))
                continue
            return message

    def _kill(self, child: _Child) -> None:
        """End the child at once: nothing in it needs saving."""
        if child.process.is_alive():
            child.process.kill()
            child.process.join(KILL_AFTER)
        self._discard(child)

    def _discard(self, child: _Child) -> None:
        if self._child is child:
            self._child = None
        if child.finalizer is not None:
            child.finalizer()  # runs once: the pipe closed, the log removed
        child.leftovers = remove_audio(child.leftovers)  # the child has let go of them

    # -- what to tell the user ------------------------------------------------------------

    def _crashed(self, child: _Child) -> ModelError:
        if child is not self._child and child.facts is not None and child.conn.closed:
            return ModelError(f"{self.spec.path}: the transcription process was closed")
        child.process.join(KILL_AFTER)  # the pipe closes a moment before the exit status
        how = exit_words(child.process.exitcode)
        reason = last_log_line(child.log, child.log_mark) or CRASH_HINTS.get(how)
        doing = self._doing(child)
        self._kill(child)
        verb = "crashed" if how.startswith("SIG") else "stopped"
        text = f"the transcription process {verb} ({how}) {doing} with {self.spec.path}"
        return ModelError(f"{text}: {reason}" if reason else text)

    @staticmethod
    def _doing(child: _Child) -> str:
        if child.facts is None:
            return "while loading the model"
        if child.clip is not None:
            start, end = child.clip
            if child.detecting:
                return f"while detecting the language in {start:.1f}-{end:.1f} s"
            return f"while decoding {start:.1f}-{end:.1f} s"
        return f"while finding speech after {child.after:.1f} s"

    def _refused(self, reply: dict[str, Any], what: str) -> ModelError:
        """An error the child answered with (it is still running, unless it was loading)."""
        text = str(reply.get("error") or f"an unexpected reply {str(reply)[:100]}")
        if "trace" in reply:
            log.error("the transcription process failed:\n%s", reply["trace"])
        if reply.get("known"):
            return ModelError(text)  # the engine's own message: it names the folder
        return ModelError(f"{self.spec.path}: {what}: {text}")


def _has_message(child: _Child) -> bool:
    try:
        return bool(child.conn.poll(0))
    except (OSError, EOFError):
        return False
