"""The model process behind LocalLlama (local.py): llama-cpp-python runs a GGUF model here
and answers the parent over a multiprocessing Pipe.

Native code can crash (a damaged model, out of memory, an unsupported CPU); in this process
a crash ends only the process, and the parent reports how it ended. This module imports
only the standard library at the top, and llama_cpp once it runs in the child, so the
parent can name `run` as the spawn target without loading any native code itself.

Messages are small dicts. In: {"op": "chat", "messages", "response_format", "max_tokens",
"temperature", "seed"}, {"op": "count", "text"}, {"op": "close"}. Out: {"loaded": facts}
once, then per request {"ok": n} (count), or {"note": text}* {"piece": text}* {"done":
usage} (chat), or {"error": "one line"}: a Python exception here is an error reply, not a
crash.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any

from desktop.core.child_process import end_with_parent, one_line, stderr_to

# ggml's log levels (ggml.h). Only warnings and errors go to the log file: the parent
# quotes its last meaningful line when loading fails or the process dies. CONT continues
# the line before it.
LOG_WARN, LOG_ERROR, LOG_CONT = 3, 4, 5

Send = Callable[[dict[str, Any]], None]


class ParentGone(Exception):
    """The pipe to the parent is closed: nobody is waiting for an answer any more."""


def run(conn: Connection, options: dict[str, Any], log_path: str) -> None:
    """The process target: load the model, say so, then answer requests until told to
    close or until the parent goes away."""
    end_with_parent(log_path)
    log_fd = stderr_to(log_path)
    send = _sender(conn)
    try:
        try:
            model = Model(options, log_fd)
        except Exception as exc:
            send({"error": one_line(exc)})
            return
        send({"loaded": model.facts})
        _serve(conn, model, send)
    except ParentGone:
        return


def _serve(conn: Connection, model: Model, send: Send) -> None:
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return  # the parent closed its end or died: end with it
        op = request.get("op")
        if op == "close":
            return
        try:
            if op == "chat":
                model.chat(request, send)
            elif op == "count":
                send({"ok": model.count(request["text"])})
            else:
                send({"error": f"unknown request {op!r}"})
        except ParentGone:
            raise
        except Exception as exc:
            send({"error": one_line(exc)})


def _sender(conn: Connection) -> Send:
    def send(message: dict[str, Any]) -> None:
        try:
            conn.send(message)
        except OSError as exc:  # BrokenPipeError: the parent cancelled or died
            raise ParentGone from exc

    return send


class Model:
    """One loaded llama.cpp model and what it needs per request (grammars, token usage)."""

    def __init__(self, options: dict[str, Any], log_fd: int) -> None:
        started = time.monotonic()
        import llama_cpp  # here, not at the top: the parent imports this module too

        self.lib = llama_cpp
        _log_warnings_to(llama_cpp, log_fd)
        _avoid_amx_repacking(llama_cpp)
        path = str(options["model_path"])
        trained = _trained_context(llama_cpp, path)
        asked = int(options["context_tokens"])
        n_ctx = min(asked, trained) if trained > 0 else asked
        threads = int(options["threads"])
        seed = options.get("seed")
        self.llm = llama_cpp.Llama(
            model_path=path,
            n_ctx=n_ctx,
            n_threads=threads,
            n_threads_batch=threads,
            seed=llama_cpp.LLAMA_DEFAULT_SEED if seed is None else int(seed),
            verbose=False,
        )
        self.vocab = llama_cpp.llama_model_get_vocab(self.llm.model)
        self.usage = [0, 0]  # prompt and completion tokens of the last chat
        # Streamed chat completions carry no usage; counting what generate() is given and
        # yields gives the exact numbers a non-streamed reply would report.
        self.llm.generate = self._counting(self.llm.generate)  # type: ignore[method-assign]
        self.grammars: dict[str, Any] = {}
        self.facts = {
            "context_tokens": n_ctx,
            "trained_context": trained,
            "threads": threads,
            "load_seconds": round(time.monotonic() - started, 3),
        }

    # -- requests ------------------------------------------------------------------------

    def count(self, text: str) -> int:
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def chat(self, request: dict[str, Any], send: Send) -> None:
        grammar = self._grammar(request.get("response_format"), send)
        seed = request.get("seed")
        if seed is None:  # no seed asked: a fresh one, as a server would use
            seed = random.SystemRandom().randrange(2**31)
        self.usage = [0, 0]
        stream = self.llm.create_chat_completion(
            messages=request["messages"],
            grammar=grammar,
            max_tokens=int(request["max_tokens"]),
            temperature=float(request["temperature"]),
            repeat_penalty=float(request.get("repeat_penalty", 1.0)),
            seed=int(seed),
            stream=True,
        )
        finish = None
        for chunk in stream:
            choice = chunk["choices"][0]
            piece = (choice.get("delta") or {}).get("content")
            if piece:
                send({"piece": piece})
            finish = choice.get("finish_reason") or finish
        prompt, completion = self.usage
        send(
            {
                "done": {
                    "finish_reason": finish,
                    "prompt_tokens": prompt,
                    "completion_tokens": completion,
                }
            }
        )

    # -- structured output ---------------------------------------------------------------

    def _grammar(self, response_format: Any, send: Send) -> Any:
        """The grammar that holds the reply to the requested JSON (None: free text).

        llama-cpp-python itself honours only {"type": "json_object", "schema": S}, ignores
        OpenAI's "json_schema" form, and falls back to any JSON without a word when the
        schema cannot be converted; so the grammar is built here from either form, and a
        fallback is told to the parent."""
        if not isinstance(response_format, dict):
            return None
        kind = response_format.get("type")
        if kind not in ("json_object", "json_schema"):
            return None
        schema = schema_of(response_format)
        key = json.dumps(schema, sort_keys=True)  # None (no schema) -> "null": any JSON
        if key not in self.grammars:
            grammar, problem = self._build_grammar(schema)
            self.grammars[key] = grammar
            if problem:
                send({"note": problem})
        return self.grammars[key]

    def _build_grammar(self, schema: Any) -> tuple[Any, str | None]:
        from llama_cpp import llama_grammar

        if schema is None:
            return llama_grammar.LlamaGrammar.from_string(llama_grammar.JSON_GBNF), None
        try:
            text = no_control_characters(llama_grammar.json_schema_to_gbnf(json.dumps(schema)))
            self._check_grammar(text)
        except Exception as exc:
            generic = llama_grammar.LlamaGrammar.from_string(llama_grammar.JSON_GBNF)
            return generic, (
                f"the reply's JSON schema could not be turned into a grammar "
                f"({one_line(exc)}); the model is held to any JSON instead"
            )
        return llama_grammar.LlamaGrammar.from_string(text), None

    def _check_grammar(self, text: str) -> None:
        # llama.cpp parses a grammar only when sampling starts, and a grammar it cannot
        # parse there leaves a null sampler in the chain: parse it now to fall back safely.
        sampler = self.lib.llama_sampler_init_grammar(self.vocab, text.encode(), b"root")
        if not sampler:
            raise ValueError("llama.cpp could not parse the grammar")
        self.lib.llama_sampler_free(sampler)

    def _counting(self, generate: Callable[..., Iterator[int]]) -> Callable[..., Iterator[int]]:
        def counted(tokens: list[int], *args: Any, **kwargs: Any) -> Iterator[int]:
            self.usage = [len(tokens), 0]
            for token in generate(tokens, *args, **kwargs):
                if not self.lib.llama_vocab_is_eog(self.vocab, token):
                    self.usage[1] += 1
                yield token

        return counted


def schema_of(response_format: dict[str, Any]) -> Any:
    """The JSON schema in either form: {"type": "json_schema", "json_schema": {"schema":
    S}} (OpenAI) or {"type": "json_object", "schema": S} (llama-cpp-python); None if none."""
    if response_format.get("type") == "json_schema":
        inner = response_format.get("json_schema")
        return inner.get("schema") if isinstance(inner, dict) else None
    return response_format.get("schema")


def no_control_characters(gbnf: str) -> str:
    """Keep raw control characters out of JSON strings: the converter's `char` rule lets
    them in, and json.loads rejects a string holding one (escaped forms stay allowed)."""
    return gbnf.replace('char ::= [^"\\\\] ', 'char ::= [^"\\\\\\x00-\\x1F\\x7F] ', 1)


# -- loading ------------------------------------------------------------------------------

_log_callback: Any = None  # referenced for the life of the process: llama.cpp calls it


def _log_warnings_to(llama_cpp: Any, fd: int) -> None:
    """Route llama.cpp's log to `fd`, warnings and errors only (with verbose=False
    llama-cpp-python would print errors to a stderr it points at /dev/null while loading,
    and the reason a model was refused would be lost)."""
    global _log_callback
    keeping = [False]

    @llama_cpp.llama_log_callback
    def callback(level: int, text: bytes, user_data: Any) -> None:
        if level != LOG_CONT:
            keeping[0] = level in (LOG_WARN, LOG_ERROR)
        if keeping[0] and text:
            with contextlib.suppress(OSError):  # a full disk must not stop the model
                os.write(fd, text)

    _log_callback = callback
    llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))


def _avoid_amx_repacking(llama_cpp: Any) -> None:
    """Load without llama.cpp's "extra buffer types" on CPUs that report AMX: it then
    repacks quantized weights for AMX, and virtual machines that report AMX without
    granting it to processes end with SIGILL on the first token (seen with wheels built
    with native flags). Elsewhere the default stays (repacking helps AVX2 and ARM)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
            reports_amx = "amx_tile" in info.read()
    except OSError:
        return
    if not reports_amx:
        return
    low = sys.modules["llama_cpp.llama"].llama_cpp  # what Llama() takes its defaults from
    defaults = low.llama_model_default_params

    def model_params() -> Any:
        params = defaults()
        params.use_extra_bufts = False
        return params

    low.llama_model_default_params = model_params


def _trained_context(llama_cpp: Any, path: str) -> int:
    """The context the model was trained with, from its metadata (a vocabulary-only load:
    a tenth of a second, where a full load would allocate the context asked for first)."""
    params = llama_cpp.llama_model_default_params()
    params.vocab_only = True
    model = llama_cpp.llama_model_load_from_file(path.encode(), params)
    if not model:
        raise ValueError("llama.cpp could not read the model file")
    try:
        arch = _meta(llama_cpp, model, "general.architecture")
        value = _meta(llama_cpp, model, f"{arch}.context_length") if arch else None
    finally:
        llama_cpp.llama_model_free(model)
    try:
        return int(value) if value else 0
    except ValueError:
        return 0


def _meta(llama_cpp: Any, model: Any, key: str) -> str | None:
    buffer = ctypes.create_string_buffer(256)
    size = llama_cpp.llama_model_meta_val_str(model, key.encode(), buffer, len(buffer))
    return buffer.value.decode("utf-8", errors="replace") if size >= 0 else None
