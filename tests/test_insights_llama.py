"""OpenAICompatibleEngine against llama.cpp's server (llama-cpp-python) running a tiny
random-weight model that the fixture writes with the gguf package."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.insights.engine import InsightInput, ungrounded_items
from desktop.core.insights.llm import LLMConfig, OpenAICompatibleEngine
from desktop.core.insights.payload import Insights
from tests.llm_server import ScriptedServer, proxy_to
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
    srv = ScriptedServer(default=proxy_to(llama_url))
    yield srv
    srv.stop()


def llama_engine(proxy: ScriptedServer, **overrides) -> OpenAICompatibleEngine:
    # context_tokens is in our 4-chars-a-token estimate; the tiny vocabulary spends about a
    # token a character, so 1500 estimated tokens (<= 6000 chars) fit the server's n_ctx.
    config = {
        "base_url": proxy.url,
        "model": "tiny",
        "context_tokens": 1500,
        "max_output_tokens": 200,
        "temperature": 1.0,
        "seed": 11,
        "timeout": 60.0,
    } | overrides
    return OpenAICompatibleEngine(LLMConfig(**config))


def out_of_range(content: str, n_segments: int) -> int:
    data = json.loads(content)
    items = [i for v in data.values() if isinstance(v, list) for i in v]
    return sum(1 for i in items if not 0 <= i["segment"] < n_segments)


@llama_test
def test_llama_falls_back_to_json_object_and_grounds_citations(proxy: ScriptedServer) -> None:
    engine = llama_engine(proxy)
    source = transcript(n=2, words=6)
    dropped_seen = 0
    # A random model may cite nothing; a few episodes (different titles, so different
    # replies) make a citation to a line that does not exist all but certain.
    for attempt in range(5):
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
        # The grammar from the schema gives JSON with the schema's keys, every time.
        last = calls[-1].content
        assert set(json.loads(last)) == {"tldr", "summary", "key_insights", "qa", "takeaways"}
        assert engine.last_report.dropped_citations == out_of_range(last, 2)
        dropped_seen += engine.last_report.dropped_citations

        assert insights.engine == "openai" and insights.model == "tiny"
        assert insights.tldr.strip()
        assert ungrounded_items(insights, source.segments) == []
        assert Insights.from_dict(insights.to_dict()) == insights
    assert dropped_seen > 0


@llama_test
def test_llama_long_transcript_is_mapped_then_reduced(proxy: ScriptedServer) -> None:
    engine = llama_engine(proxy)
    source = transcript(n=60, words=12)
    seen: list[float] = []

    insights = engine.generate(source, progress=seen.append)

    calls = [c for c in proxy.requests if c.reply.status == 200]
    report = engine.last_report
    assert report.chunks >= 3
    maps = [c for c in calls if "Transcript, part" in c.user]
    assert len(maps) >= report.chunks  # a retry would add one
    assert "Notes:" in calls[-1].user
    for call in maps:
        assert set(json.loads(call.content)) == {"points", "questions", "takeaways"}
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) == report.chunks + 1
    assert ungrounded_items(insights, source.segments) == []
