"""The transcription process behind ChildTranscriber (child.py): faster-whisper runs here
and answers the parent over a multiprocessing Pipe.

A crash in CTranslate2 (a damaged model file, a CPU without the instructions it was built
for) ends only this process; the parent reports how it ended. At the top this imports only
the standard library and modules that load no native code, so the parent can name `run`
as the spawn target cheaply; faster-whisper is imported once `run` runs here.

Messages are small dicts. Out first: {"loaded": facts} or {"error": …}. Then, in:
{"op": "transcribe", "audio": path of a .npy file, "samples": n, "options", "resume_at"},
answered by {"language": code}; then {"op": "next"}, answered by {"clip": (start, end)}*
(announced before each clip is decoded) then {"batch": [Segment]} or {"end": True};
{"op": "stop"} drops the stream between batches; {"op": "close"} ends the process.
A Python exception is an {"error": one line, "known": EarmarkError?, "trace"} reply (the
stream is dropped, the process stays); a native crash is the process ending.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.core.child_process import end_with_parent, one_line, stderr_to
from desktop.core.errors import EarmarkError

if TYPE_CHECKING:
    import numpy as np

    from desktop.core.transcribe.clips import Clip
    from desktop.core.transcribe.engine import TranscribeOptions
    from desktop.core.transcribe.faster_whisper_engine import FasterWhisperTranscriber

Send = Callable[[dict[str, Any]], None]


class ParentGone(Exception):
    """The pipe to the parent is closed: nobody is waiting for an answer any more."""


class Closing(Exception):
    """The parent asked this process to end."""


def run(conn: Connection, options: dict[str, Any], log_path: str) -> None:
    """The process target: load the model, say so, then transcribe until told to close
    or until the parent goes away."""
    # Ctrl+C reaches the whole process group; the parent decides (it kills this process
    # when it stops in the middle of a clip), so a terminal's SIGINT must not end us first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    end_with_parent(log_path, before_exit=_remove_audio)
    stderr_to(log_path)
    send = _sender(conn)
    started = time.monotonic()
    try:
        try:
            engine = _load(options)
        except Exception as exc:
            send(_error(exc))
            return
        send(
            {
                "loaded": {
                    "engine": engine.engine,
                    "model": engine.model,
                    "multilingual": engine.multilingual,
                    "load_seconds": round(time.monotonic() - started, 3),
                }
            }
        )
        _serve(conn, engine, send)
    except (ParentGone, Closing):
        return


def _load(options: dict[str, Any]) -> FasterWhisperTranscriber:
    from tqdm import tqdm

    from desktop.core.transcribe.faster_whisper_engine import FasterWhisperTranscriber
    from desktop.core.transcribe.models import ModelSpec

    # faster-whisper makes a tqdm bar (disabled) per clip, and tqdm's first bar makes a
    # multiprocessing lock: a named semaphore, registered with the parent's resource
    # tracker. Killed mid-clip (a cancel), this process could not unregister it, and the
    # parent would print a "leaked semaphore" warning as it exits. A thread lock is enough.
    tqdm.set_lock(threading.RLock())

    spec = ModelSpec(Path(options["model_path"]), str(options["model_name"]))
    return FasterWhisperTranscriber(spec, cpu_threads=options.get("cpu_threads"))


def _serve(conn: Connection, engine: FasterWhisperTranscriber, send: Send) -> None:
    while True:
        request = _receive(conn)
        op = request.get("op")
        if op == "transcribe":
            try:
                _transcribe(conn, engine, request, send)
            except (ParentGone, Closing):
                raise
            except Exception as exc:
                send(_error(exc))
        elif op != "stop":  # a stop for a stream that already ended: nothing to do
            send({"error": f"unexpected request {op!r}", "known": False})


def _transcribe(
    conn: Connection, engine: FasterWhisperTranscriber, request: dict[str, Any], send: Send
) -> None:
    """One episode: its audio memory-mapped from the parent's file (no copy: pages are
    read as the engine needs them), its batches sent one per request, so the parent can
    stop between any two."""
    import numpy as np

    _audio_files.append(request["audio"])
    try:
        audio = np.load(request["audio"], mmap_mode="r")
        if audio.dtype != np.float32 or audio.shape != (int(request["samples"]),):
            raise EarmarkError(f"the audio file holds {audio.dtype} {audio.shape}")
        _announce_clips(engine, send)
        stream = engine.stream(audio, request["options"], float(request["resume_at"]))
        send({"language": stream.language})
        try:
            _send_batches(conn, stream.batches, send)
        finally:
            _close(stream.batches)
        del audio, stream
    finally:
        _audio_files.clear()
        gc.collect()  # unmap the audio now (the engine's generators held views of it)


def _send_batches(conn: Connection, batches: Iterator[Any], send: Send) -> None:
    while True:
        op = _receive(conn).get("op")
        if op == "stop":
            return
        if op != "next":
            raise EarmarkError(f"unexpected request {op!r} during a transcription")
        batch = next(batches, None)
        if batch is None:
            send({"end": True})
            return
        send({"batch": batch})


def _announce_clips(engine: FasterWhisperTranscriber, send: Send) -> None:
    """Tell the parent which clip is about to be decoded, so that a crash can be reported
    with the stretch of audio it happened in. The engine draws its clips from `plan` one
    at a time, just before decoding each; wrapping it here keeps the engine unchanged."""
    plan = getattr(type(engine), "plan", None)  # the class's own, not an earlier wrapper
    if plan is None:  # an engine planned otherwise: crashes are reported without the clip
        return

    def announced(
        audio: np.ndarray, options: TranscribeOptions, resume_at: float = 0.0
    ) -> Iterator[Clip]:
        for clip in plan(engine, audio, options, resume_at):
            send({"clip": (clip.start, clip.end)})
            yield clip

    engine.plan = announced  # type: ignore[method-assign]


def _close(batches: Iterator[Any]) -> None:
    close = getattr(batches, "close", None)
    if close is not None:
        with contextlib.suppress(Exception):
            close()


_audio_files: list[str] = []  # the file being read: removed here if the parent dies


def _remove_audio() -> None:
    """The parent removes the audio file once this process has opened it; a parent that
    was killed before that cannot."""
    for path in _audio_files:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _receive(conn: Connection) -> dict[str, Any]:
    try:
        request: dict[str, Any] = conn.recv()
    except (EOFError, OSError):
        raise ParentGone from None  # the parent closed its end or died: end with it
    if request.get("op") == "close":
        raise Closing
    return request


def _sender(conn: Connection) -> Send:
    def send(message: dict[str, Any]) -> None:
        try:
            conn.send(message)
        except OSError as exc:  # BrokenPipeError: the parent stopped listening or died
            raise ParentGone from exc

    return send


def _error(exc: BaseException) -> dict[str, Any]:
    """An error reply: an EarmarkError's text is meant for the user as it is (it names
    the model folder); anything else is a bug, sent with its traceback for the log."""
    known = isinstance(exc, EarmarkError)
    # The user's message whole (it is already one line of our own); a bug's, shortened.
    text = " ".join(str(exc).split()) if known else f"{type(exc).__name__}: {one_line(exc)}"
    reply: dict[str, Any] = {"error": text, "known": known}
    if not known:
        reply["trace"] = "".join(traceback.format_exception(exc))
    return reply
