"""LocalLlama: a GGUF model run by llama-cpp-python without a server, for the LLM engine.

It answers like ChatClient (`chat`) and counts like TokenCounter (`count`, `exact`), so the
insight engine can use it in their place. The model lives in a spawned child process
(local_child.py) and the two talk over a multiprocessing Pipe: native code can crash (a
damaged model, out of memory, an unsupported CPU), and a crash must end only that process,
never the window or the CLI. Every failure becomes an InsightError with one clear line;
a cancel kills the child at once (the next call starts a fresh one).

Not thread-safe: one caller at a time (the engine's worker), as with ChatClient.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing import util
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import TracebackType
from typing import Any

from desktop.core.child_process import end_child, exit_words, last_log_line, start_child
from desktop.core.insights.engine import CancelFn, InsightError, InsightsCancelled
from desktop.core.insights.llm import local_child
from desktop.core.insights.llm.client import ChatReply, PieceFn, TokenFn

log = logging.getLogger(__name__)

INSTALL_HINT = "the in-process engine needs llama-cpp-python: pip install 'earmark[llm]'"
GGUF_MAGIC = b"GGUF"
POLL_SECONDS = 0.05  # the longest a cancel waits to be seen while the child works
CLOSE_SECONDS = 2.0  # a graceful close waits this long before terminating
KILL_AFTER = 1.0  # terminate (SIGTERM), then kill (SIGKILL) after this
COUNT_CACHE_TEXTS = 1024  # the engine counts the same texts (prompt parts) again and again
COUNT_CACHE_CHARS = 8_000_000  # …some of them whole transcripts: bound the memory too
LOG_TAIL_BYTES = 16_384


class RequestRefused(InsightError):
    """The model process answered a request with an error (a prompt longer than the
    context, say); it is still running and ready for the next request."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LocalModelConfig:
    """Which GGUF file, and how the model may read and write.

    `context_tokens` is asked for and clamped to the model's trained context;
    `threads` None means the CPUs this process may use (its affinity, not every CPU
    of the machine); `timeout` is the longest silence from the child: loading, reading
    the prompt, or between two tokens, not the whole reply.
    """

    model_path: Path
    context_tokens: int = 8192
    max_output_tokens: int = 1500
    temperature: float = 0.2  # low: we want faithful notes, not creative writing
    # Small models loop ("a project that was built on the foundation of a project that
    # was built on…") until a string's maxLength; Ollama's default penalty stops most.
    repeat_penalty: float = 1.1
    seed: int | None = None  # set: reproducible replies (attempt shifts it)
    threads: int | None = None
    timeout: float = 300.0


class LocalLlama:
    """A llama.cpp model in a child process; `start()` spawns and loads it, `close()`
    ends it, and `chat`/`count` start it when it is not running. A context manager."""

    exact = True  # counts are the model's own tokenizer's

    def __init__(self, config: LocalModelConfig) -> None:
        self.config = config
        self.name = config.model_path.name
        self.facts: dict[str, Any] = {}  # what the child said when loaded (threads, times)
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self._log: Path | None = None
        self._log_mark = 0  # where the current request's log lines begin
        self._finalizer: util.Finalize | None = None
        self._counts: dict[str, int] = {}
        self._counted_chars = 0

    # -- lifecycle ----------------------------------------------------------------------

    def start(self, cancelled: CancelFn | None = None) -> None:
        """Spawn the child and wait until it has loaded the model; does nothing when it
        runs already. Raises InsightError with one line saying what went wrong, and
        InsightsCancelled when `cancelled` says so while it loads (a large model can take
        a while)."""
        self._start(cancelled)

    def close(self) -> None:
        """End the child: asked to, then terminated, then killed; never hangs."""
        finalizer, self._finalizer = self._finalizer, None
        self._process = self._conn = self._log = None
        if finalizer is not None:
            finalizer()

    def __enter__(self) -> LocalLlama:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def context_tokens(self) -> int:
        """The context the model runs with: the one asked for, clamped to the model's
        trained context once started (before that, the one asked for)."""
        return int(self.facts.get("context_tokens", self.config.context_tokens))

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None and process.is_alive() else None

    # -- requests -----------------------------------------------------------------------

    def chat(
        self,
        messages: list[dict[str, str]],
        response_format: dict[str, Any],
        attempt: int = 0,
        on_tokens: TokenFn | None = None,
        cancelled: CancelFn | None = None,
        on_piece: PieceFn | None = None,
    ) -> ChatReply:
        """One chat completion, streamed from the child as it writes; as ChatClient.chat,
        `on_tokens` gets the pieces so far and `on_piece` each piece's text, every
        failure is an InsightError and a cancel raises InsightsCancelled."""
        self._start(cancelled)
        config = self.config
        request = {
            "op": "chat",
            "messages": messages,
            "response_format": response_format,
            "max_tokens": config.max_output_tokens,
            "temperature": config.temperature,
            "repeat_penalty": config.repeat_penalty,
            # A retry with the very same seed can repeat the mistake.
            "seed": None if config.seed is None else config.seed + attempt,
        }
        with self._exchange():
            return self._reply(request, on_tokens, cancelled, on_piece)

    def _reply(
        self,
        request: dict[str, Any],
        on_tokens: TokenFn | None,
        cancelled: CancelFn | None,
        on_piece: PieceFn | None,
    ) -> ChatReply:
        parts: list[str] = []

        def during() -> str:
            return f"while writing its reply (after {len(parts)} tokens)"

        self._send(request, during)
        while True:
            message = self._receive(cancelled, during, self._reply_silence(parts))
            if "piece" in message:
                parts.append(message["piece"])
                if on_tokens is not None:
                    on_tokens(len(parts))
                if on_piece is not None:
                    on_piece(message["piece"])
            elif "note" in message:
                log.warning("%s: %s", self.name, message["note"])
            elif "done" in message:
                done = message["done"]
                return ChatReply(
                    "".join(parts),
                    done.get("finish_reason"),
                    done.get("completion_tokens"),
                    done.get("prompt_tokens"),
                    len(parts),
                )
            else:
                raise self._refused(message)

    def count(self, text: str) -> int:
        """Tokens in `text` by the model's own tokenizer (no BOS, special tokens as text)."""
        known = self._counts.get(text)
        if known is not None:
            return known
        self._start(None)

        def during() -> str:
            return "while counting tokens"

        with self._exchange():
            self._send({"op": "count", "text": text}, during)
            message = self._receive(None, during, "while counting tokens")
            if "ok" not in message:
                raise self._refused(message)
        tokens = int(message["ok"])
        self._remember(text, tokens)
        return tokens

    # -- starting -------------------------------------------------------------------------

    def _start(self, cancelled: CancelFn | None) -> None:
        if self._process is not None:
            if self._process.is_alive():
                return
            log.info("the model process for %s had ended; starting a new one", self.name)
            self.close()
        if cancelled is not None and cancelled():
            raise InsightsCancelled("insight generation was cancelled")
        self._check_model()
        self._spawn()

        def during() -> str:
            return f"while loading {self.name}"

        silence = (
            f"while loading {self.name} (a large model on a slow disk can take longer: "
            "raise the timeout)"
        )
        try:
            message = self._receive(cancelled, during, silence, crashed=True)
        except BaseException:
            self.close()
            raise
        if "loaded" not in message:
            reason = self._log_reason() or message.get("error") or "no reason given"
            self.close()
            raise InsightError(f"llama.cpp could not load {self.name}: {reason}")
        self.facts = dict(message["loaded"])
        log.info("loaded %s: %s", self.name, self.facts)

    def _check_model(self) -> None:
        """What can be told without loading: llama-cpp-python is there, the file exists
        and is a GGUF file (checked here, so the child only meets files worth a try)."""
        try:
            installed = importlib.util.find_spec("llama_cpp") is not None
        except (ImportError, ValueError):
            installed = False
        if not installed:
            raise InsightError(INSTALL_HINT)
        path = self.config.model_path
        try:
            with path.open("rb") as file:
                magic = file.read(len(GGUF_MAGIC))
        except FileNotFoundError:
            raise InsightError(f"the model file {path} does not exist") from None
        except IsADirectoryError:
            raise InsightError(f"{path} is a folder, not a GGUF model file") from None
        except OSError as exc:
            raise InsightError(f"cannot read the model file {path}: {exc.strerror}") from None
        if magic != GGUF_MAGIC:
            raise InsightError(
                f"{path} is not a GGUF model file (llama.cpp reads .gguf files only)"
            )

    def _spawn(self) -> None:
        options = {
            "model_path": str(self.config.model_path),
            "context_tokens": self.config.context_tokens,
            "threads": self.config.threads or usable_cpus(),
            "seed": self.config.seed,
        }
        try:
            process, ours, log = start_child(local_child.run, options, "earmark-llama")
        except OSError as exc:  # out of processes or memory
            raise InsightError(f"could not start the model process: {exc}") from exc
        self._process, self._conn, self._log = process, ours, log
        self._log_mark = 0
        # multiprocessing's own finalizers run before it joins children at exit, in the
        # main process and in spawned ones alike (atexit does not run in the latter).
        self._finalizer = util.Finalize(self, end_child, args=(process, ours, log), exitpriority=10)

    # -- talking to the child -------------------------------------------------------------

    @contextlib.contextmanager
    def _exchange(self) -> Iterator[None]:
        """One request and its replies. Leaving before the last reply (a callback raised,
        Ctrl+C) would leave the rest in the pipe, to be read as the next request's
        replies: the child is ended instead. An error reply is a whole answer: the child
        stays (loading a large model again takes long)."""
        self._log_mark = self._log_size()  # quote only what this request logged
        try:
            yield
        except RequestRefused:
            raise
        except BaseException:
            if self._process is not None:
                self._kill()
            raise

    def _send(self, message: dict[str, Any], during: Callable[[], str]) -> None:
        assert self._conn is not None
        try:
            self._conn.send(message)
        except OSError:
            raise self._died(during) from None

    def _receive(
        self,
        cancelled: CancelFn | None,
        during: Callable[[], str],
        silence: str,
        crashed: bool = False,
    ) -> dict[str, Any]:
        """The child's next message, waited for in short polls so that a cancel is seen
        at once; a dead child or a silence over `timeout` ends the child and raises.
        `during` and `silence` end the messages for those cases ("while …")."""
        conn, process = self._conn, self._process
        assert conn is not None and process is not None
        since = time.monotonic()
        while True:
            if cancelled is not None and cancelled():
                self._kill()
                raise InsightsCancelled("insight generation was cancelled")
            try:
                if conn.poll(POLL_SECONDS):
                    return conn.recv()
            except (EOFError, OSError):
                raise self._died(during, crashed) from None
            if not process.is_alive() and not conn.poll(0):
                raise self._died(during, crashed)
            if time.monotonic() - since > self.config.timeout:
                self._kill()
                raise InsightError(
                    f"the local model {self.name} was silent for {self.config.timeout:g} s "
                    f"{silence}"
                )

    def _reply_silence(self, parts: list[str]) -> str:
        if parts:
            return f"in the middle of its reply (after {len(parts)} tokens)"
        return (
            "before its first token (a large model reading a long prompt on a CPU can "
            "take longer: raise the timeout)"
        )

    def _kill(self) -> None:
        """End the child now (cancel, silence): terminate, kill after a second."""
        process = self._process
        if process is not None and process.is_alive():
            process.terminate()
            process.join(KILL_AFTER)
            if process.is_alive():
                process.kill()
                process.join(KILL_AFTER)
        self.close()

    def _died(self, during: Callable[[], str], crashed: bool = False) -> InsightError:
        process = self._process
        code = None
        if process is not None:
            process.join(KILL_AFTER)  # the pipe closes a moment before the exit status
            code = process.exitcode
        how = exit_words(code)
        reason = self._log_reason()
        self._kill()
        verb = "crashed" if crashed else "stopped unexpectedly"
        text = f"the model process {verb} ({how}) {during()}"
        return InsightError(f"{text}: {reason}" if reason else text)

    def _refused(self, message: dict[str, Any]) -> RequestRefused:
        error = message.get("error") or f"an unexpected message {str(message)[:100]}"
        return RequestRefused(f"the local model {self.name} failed: {error}")

    def _log_size(self) -> int:
        try:
            return self._log.stat().st_size if self._log is not None else 0
        except OSError:
            return 0

    def _log_reason(self) -> str | None:
        if self._log is None:
            return None
        return last_log_line(self._log, self._log_mark)

    def _remember(self, text: str, tokens: int) -> None:
        while self._counts and (
            len(self._counts) >= COUNT_CACHE_TEXTS
            or self._counted_chars + len(text) > COUNT_CACHE_CHARS
        ):
            oldest = next(iter(self._counts))  # dicts keep insertion order
            del self._counts[oldest]
            self._counted_chars -= len(oldest)
        if len(text) <= COUNT_CACHE_CHARS:
            self._counts[text] = tokens
            self._counted_chars += len(text)


# -- module helpers (the finalizer must not hold the LocalLlama) --------------------------


def usable_cpus() -> int:
    """CPUs this process may run on: llama-cpp-python's default counts every logical
    CPU of the machine and ignores affinity (containers, taskset)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # macOS and Windows have no sched_getaffinity
        return max(1, os.cpu_count() or 1)
