"""Fuzzing search and the insight engines on real components: search() on a real SQLite
library, the extractive engine, and the LLM engine against a scripted OpenAI-compatible
HTTP server on 127.0.0.1 (a stand-in for the model, not for our code). Each either gives
a valid result or the documented error. bench/fuzz.py runs 10,000 examples each.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.errors import EarmarkError
from desktop.core.insights.engine import InsightError, InsightInput
from desktop.core.insights.extractive import ExtractiveEngine
from desktop.core.insights.llm import LLMConfig, OpenAICompatibleEngine
from desktop.core.insights.payload import Insights, PayloadError
from desktop.core.model import EpisodeSource, EpisodeStatus
from desktop.core.store import Library
from tests.llm_server import Reply, ScriptedServer, completion, streamed
from tests.reliability import strategies as S
from tests.reliability import strategies_insights as SI
from tests.reliability.fuzz_targets import (
    check_payload,
    check_search,
    generate_or_error,
    llm_source,
    populate,
)


@pytest.fixture
def filled(library: Library) -> tuple[Library, list[int]]:
    return library, populate(library)


@S.fuzz_settings(200)
@given(
    query=S.queries(),
    episode=st.sampled_from([None, 0, 1]),
    rank_cap=st.sampled_from([None, 1, 2000]),
)
def test_any_query_searches_or_fails_clearly(
    filled: tuple[Library, list[int]], query: str, episode: int | None, rank_cap: int | None
) -> None:
    library, ids = filled
    check_search(library, query, None if episode is None else ids[episode], rank_cap)


@S.fuzz_settings(60)
@given(case=SI.insight_inputs(8))
def test_extractive_engine_on_any_document(case: tuple[InsightInput, bool]) -> None:
    source, answerable = case
    generate_or_error(ExtractiveEngine(), source, answerable)


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    srv = ScriptedServer()
    yield srv
    srv.stop()


@S.fuzz_settings(150)
@given(case=SI.llm_cases([s.text for s in llm_source().segments]))
def test_llm_engine_on_any_server_reply(server: ScriptedServer, case: tuple[Reply, bool]) -> None:
    server.default, answerable = case
    engine = OpenAICompatibleEngine(LLMConfig(base_url=server.url, model="fuzz", timeout=5.0))
    generate_or_error(engine, llm_source(), answerable)


class _GivesUp:
    """An engine that never makes insights: the checks above must not pass it."""

    def generate(self, source: InsightInput) -> Insights:
        raise InsightError("no insights today")


def test_an_engine_that_always_fails_does_not_pass_the_checks() -> None:
    source = llm_source()
    generate_or_error(_GivesUp(), source, answerable=False)  # a failure may be the answer...
    with pytest.raises(AssertionError, match="an answerable input failed"):
        generate_or_error(_GivesUp(), source, answerable=True)  # ...but not to every input


@S.fuzz_settings(300)
@given(value=SI.stored_payloads())
def test_stored_payloads_load_or_fail_clearly(value: object) -> None:
    check_payload(value)


# -- regressions: what the fuzzing found ----------------------------------------------------


@pytest.mark.parametrize("query", ["C++\udcff", "\ud800", '"deep \udcff"', "AT&T \udcff -x"])
def test_a_query_with_lone_surrogates_searches(
    filled: tuple[Library, list[int]], query: str
) -> None:
    library, _ = filled
    check_search(library, query, None, 2000)


@pytest.mark.parametrize(
    "payload",
    [
        {"version": math.inf},
        {"version": "1"},
        {"takeaways": [{"text": "x", "start": math.nan}]},
        {"takeaways": [{"text": "x", "start": 2**1100}]},
        {"model": []},
        {"created": 5},
    ],
)
def test_a_bad_stored_field_is_a_payload_error(payload: dict[str, object]) -> None:
    with pytest.raises(PayloadError):
        Insights.from_dict({"tldr": "t", "summary": "s", "engine": "e", **payload})


def test_a_damaged_stored_version_is_reported_not_raised(library: Library) -> None:
    episode = library.create_episode("E", EpisodeSource.IMPORTED, EpisodeStatus.DONE)
    library.save_insights(episode.id, Insights(tldr="t", summary="s", engine="extractive"))
    payload = json.dumps({"tldr": "t", "summary": "s", "engine": "extractive", "version": 1e999})
    library.conn.execute("UPDATE insights SET payload = ?", (payload.replace("Infinity", "1e999"),))
    with pytest.raises(EarmarkError, match="stored insights"):
        library.insights(episode.id)


@pytest.mark.parametrize("make", [completion, streamed, lambda text: Reply(body=text)])
def test_a_reply_nested_too_deeply_is_an_insight_error(
    server: ScriptedServer, make: Callable[[str], Reply]
) -> None:
    server.default = make("[" * 5000)
    engine = OpenAICompatibleEngine(LLMConfig(base_url=server.url, model="fuzz", timeout=5.0))
    with pytest.raises(InsightError):
        engine.generate(llm_source())
