"""What every engine run in a spawned child process needs, on both sides of the pipe.

Native code (CTranslate2, llama.cpp) can crash: a damaged model file, a CPU without the
instructions a wheel was built for. In a child a crash ends only the child, and the
parent tells the user how it ended and the last thing the child logged. Standard library
only: the child imports this before anything heavy.

Used by the transcription child (desktop/core/transcribe/child*.py) and the LLM one
(desktop/core/insights/llm/local*.py).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

CLOSE_SECONDS = 2.0  # a graceful close waits this long before terminating
KILL_AFTER = 1.0  # terminate (SIGTERM), then kill (SIGKILL) after this
LOG_TAIL_BYTES = 16_384


# -- parent side ---------------------------------------------------------------------------


def start_child(
    target: Callable[[Connection, dict[str, Any], str], None],
    options: dict[str, Any],
    name: str,
) -> tuple[BaseProcess, Connection, Path]:
    """A spawned daemon child running `target(pipe end, options, log path)`: the process,
    this side's end of the pipe, and the log file it writes. OSError (out of processes or
    memory) when it cannot start; nothing is left behind then."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    handle, log = tempfile.mkstemp(prefix=f"{name}-", suffix=".log")
    os.close(handle)
    process = context.Process(
        target=target,
        args=(theirs, options, log),
        name=name,
        daemon=True,  # ended, not waited for, when this process exits
    )
    try:
        with children_allowed():
            process.start()
    except BaseException:
        ours.close()
        Path(log).unlink(missing_ok=True)
        raise
    finally:
        theirs.close()  # the child's end: once the child dies, reads here see EOF
    return process, ours, Path(log)


def exit_words(code: int | None) -> str:
    """How a process ended: "SIGSEGV", "exit code 1"."""
    if code is None:
        return "no exit status"
    if code < 0:
        try:
            return signal.Signals(-code).name
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


def last_log_line(path: Path, start: int = 0) -> str | None:
    """The last line of a child's log (from byte `start` on) worth quoting: the last one
    that names an error, else the last non-empty one; without C function-name prefixes."""
    try:
        with path.open("rb") as file:
            file.seek(max(start, path.stat().st_size - LOG_TAIL_BYTES))
            tail = file.read().decode("utf-8", errors="replace")
    except OSError:
        return None
    lines = [line.strip() for line in tail.splitlines() if line.strip(" .\t")]
    if not lines:
        return None
    errors = [line for line in lines if "error" in line.lower()]
    line = (errors or lines)[-1]
    return " ".join(_without_prefixes(line).split())[:300]


def _without_prefixes(line: str) -> str:
    # "llama_model_load: error loading model: …" -> "error loading model: …": strip leading
    # C identifiers (they hold an underscore; the words of a message do not).
    while True:
        head, sep, rest = line.partition(": ")
        if not sep or "_" not in head or not head.replace("_", "").isalnum() or not rest:
            return line
        line = rest


def log_size(path: Path | None) -> int:
    try:
        return path.stat().st_size if path is not None else 0
    except OSError:
        return 0


def end_child(process: BaseProcess, conn: Connection, log_file: Path | None) -> None:
    """Ask the child to close, then terminate, then kill it; close the pipe, remove the
    log. Every step is bounded, so this never hangs."""
    try:
        if process.is_alive():
            with contextlib.suppress(OSError):  # already gone, or going
                conn.send({"op": "close"})
            process.join(CLOSE_SECONDS)
        for stop in (process.terminate, process.kill):
            if process.is_alive():
                stop()
                process.join(KILL_AFTER)
    finally:
        conn.close()
        if log_file is not None:
            with contextlib.suppress(OSError):
                log_file.unlink(missing_ok=True)


@contextlib.contextmanager
def children_allowed() -> Iterator[None]:
    """Let a daemonic process start an engine process.

    multiprocessing refuses to start any process from a daemonic one, since a daemonic
    process is ended without waiting for its children, which could be left orphaned. An
    engine child cannot be orphaned for long (it exits as soon as its parent is gone, see
    `end_with_parent`), so the refusal is lifted for this one start."""
    config = multiprocessing.current_process()._config  # private: there is no public switch
    daemonic = bool(config.get("daemon"))
    if daemonic:
        config["daemon"] = False
    try:
        yield
    finally:
        if daemonic:
            config["daemon"] = True


# -- child side ----------------------------------------------------------------------------


def end_with_parent(log_path: str, before_exit: Callable[[], None] | None = None) -> None:
    """Exit as soon as the parent process ends, however it ends (killed, crashed): the
    pipe would tell only at the next message, and a native call can run for minutes.
    The log goes too: a parent that was killed cannot remove it."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        with contextlib.suppress(OSError):
            os.unlink(log_path)
        if before_exit is not None:
            with contextlib.suppress(Exception):
                before_exit()
        os._exit(0)  # from a thread, while the main one may be deep in native code

    threading.Thread(target=watch, name="earmark-parent-watch", daemon=True).start()


def stderr_to(log_path: str) -> int:
    """Send this process's stderr (Python's and native code's) to the log file; returns a
    descriptor on the file (or on the old stderr when it cannot be opened)."""
    try:
        fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    except OSError:
        return os.dup(2)  # no log file: the parent then quotes nothing, which is all
    os.dup2(fd, 2)
    return fd


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]
