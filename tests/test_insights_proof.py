"""Every generated item proves itself with a quote; sections show as they are written;
long episodes are read in parts that follow their chapters.

Against a scripted OpenAI-compatible server on 127.0.0.1 (a protocol fixture of the
third-party API, tests/llm_server.py); tests/test_insights_llama.py runs the same engine
against llama.cpp's real server and tests/test_insights_local.py in-process.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from desktop.core.insights.engine import InsightError, InsightInput, InsightProgress
from desktop.core.insights.llm import LLMConfig, OpenAICompatibleEngine
from desktop.core.model import Chapter, EpisodeSource, EpisodeStatus, Segment
from desktop.core.store import Library
from desktop.services.insights import generate_insights
from tests.llm_server import Recorded, Reply, ScriptedServer, completion, payload, streamed

LINES = [
    "Welcome to the show, today we talk about paper notebooks.",
    "I spent ten years building note-taking software for teams.",
    "Then I noticed I was organising notes instead of thinking.",
    "Paper forced me to decide what mattered before writing it down.",
    "Rewriting by hand is expensive, so you only keep what counts.",
    "My advice is to keep one notebook and review it every Friday.",
]
LINE_ID = re.compile(r"^\[(\d+)\]", re.MULTILINE)


def source(lines: list[str] = LINES, chapters: list[Chapter] | None = None) -> InsightInput:
    segments = [Segment(10.0 * i, 10.0 * i + 9.0, text) for i, text in enumerate(lines)]
    return InsightInput("Back to paper", segments, chapters or [])


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    srv = ScriptedServer()
    yield srv
    srv.stop()


def engine_for(server: ScriptedServer, **overrides) -> OpenAICompatibleEngine:
    config = {"base_url": server.url, "model": "test-model", "timeout": 5.0} | overrides
    return OpenAICompatibleEngine(LLMConfig(**config))


def reply(**quotes: str) -> dict:
    """payload(1, 3, 5) quoting the lines faithfully, with some quotes replaced."""
    data = payload(1, 3, 5, texts=LINES)
    for key, quote in quotes.items():
        data[key][0]["quote"] = quote
    return data


def requote_answer(quote: str):
    """The server's answer to the re-ask request: one new quote for item 1."""

    def answer(request: Recorded) -> Reply:
        assert "its quote is not in that line" in request.user
        return completion({"quotes": [{"item": 1, "quote": quote}]})

    return answer


def test_faithful_quotes_are_kept_with_the_span_they_cover(server: ScriptedServer) -> None:
    data = reply(takeaways="keep one notebook and review it every Friday")
    data["key_insights"][0]["quote"] = "building note-taking software for teams. Then I noticed"
    server.default = completion(data)
    engine = engine_for(server)

    insights = engine.generate(source())

    key = insights.key_insights[0]
    assert (key.start, key.end) == (10.0, 29.0)  # the quote runs on into line 2
    assert key.quote == "building note-taking software for teams. Then I noticed"
    assert insights.takeaways[0].quote == "keep one notebook and review it every Friday"
    assert insights.dropped == 0 and engine.last_report.proven == 3
    assert len(server.requests) == 1


def test_a_forged_quote_is_asked_again_with_its_passage_then_dropped(
    server: ScriptedServer,
) -> None:
    forged = "paper notebooks make everyone ten times smarter"
    server.push(completion(reply(qa=forged)), requote_answer("notebooks are magic for sure"))
    engine = engine_for(server)

    insights = engine.generate(source())

    assert insights.qa == [] and insights.dropped == 1
    assert len(insights.key_insights) == 1 and len(insights.takeaways) == 1
    requote = server.requests[1]
    shown = [int(i) for i in LINE_ID.findall(requote.user)]
    assert shown == [1, 2, 3, 4, 5]  # the lines around the citation (line 3)
    assert "Why paper?" in requote.user
    assert engine.last_report.warnings == ["left out 1 item whose quote is not in the transcript"]


def test_a_forged_quote_asked_again_can_be_proven(server: ScriptedServer) -> None:
    server.push(
        completion(reply(qa="paper notebooks make everyone smarter")),
        requote_answer("Paper forced me to decide what mattered"),
    )
    engine = engine_for(server)

    insights = engine.generate(source())

    assert insights.qa[0].quote == "Paper forced me to decide what mattered"
    assert insights.qa[0].start == 30.0 and insights.dropped == 0
    assert engine.last_report.requoted == 1


def test_a_true_quote_cited_at_the_wrong_line_points_where_it_is(server: ScriptedServer) -> None:
    server.default = completion(reply(key_insights="Rewriting by hand is expensive"))
    engine = engine_for(server)

    insights = engine.generate(source())

    assert insights.key_insights[0].start == 40.0  # line 4, not the cited line 1
    assert engine.last_report.recited == 1 and len(server.requests) == 1


def test_a_reply_whose_every_quote_is_forged_is_a_failure(server: ScriptedServer) -> None:
    data = reply()
    for key in ("key_insights", "qa", "takeaways"):
        data[key][0]["quote"] = f"something the guest never said about {key}"
    server.push(completion(data), completion({"quotes": []}))
    with pytest.raises(InsightError, match="wrote no item that its quote proves: 3 items"):
        engine_for(server).generate(source())


def test_the_service_keeps_extracted_insights_when_every_quote_is_forged(
    server: ScriptedServer, library: Library
) -> None:
    episode = library.create_episode("Back to paper", EpisodeSource.IMPORTED, EpisodeStatus.DONE)
    library.append_segments(episode.id, source().segments)
    data = reply()
    for key in ("key_insights", "qa", "takeaways"):
        data[key][0]["quote"] = "words that are not in the transcript at all"
    server.default = completion(data)
    config = LLMConfig(base_url=server.url, model="test-model", timeout=5.0)

    result = generate_insights(library, episode.id, "openai", config)

    assert result.shown_engine == "extractive" and result.failure is not None
    assert "wrote no item that its quote proves" in result.failure
    assert library.insights(episode.id, engine="openai") is None  # nothing forged stored


def test_sections_are_shown_while_the_reply_is_written(server: ScriptedServer) -> None:
    server.default = streamed(reply(), piece=6)
    updates: list[InsightProgress] = []

    final = engine_for(server).generate(source(), progress=updates.append)

    partials = [u.partial for u in updates if u.partial is not None]
    assert partials, "sections should be shown before the reply ends"
    first = partials[0]
    assert first.tldr == "Paper helps thinking." and not first.key_insights
    with_insights = [p for p in partials if p.key_insights]
    assert with_insights and not with_insights[0].takeaways  # written before the takeaways
    assert with_insights[0].key_insights[0].quote == final.key_insights[0].quote
    assert any(u.stage == "writing the insights" for u in updates)


def test_a_forged_item_is_never_shown_even_while_streaming(server: ScriptedServer) -> None:
    data = reply(key_insights="a sentence nobody said in the episode")
    server.push(streamed(data, piece=6), completion({"quotes": []}))
    updates: list[InsightProgress] = []

    engine_for(server).generate(source(), progress=updates.append)

    shown = [p for u in updates if (p := u.partial) is not None]
    assert shown and all(not p.key_insights for p in shown)


def chaptered(count: int = 4, per: int = 12) -> InsightInput:
    lines = [
        f"In chapter {c} we discuss topic {c} at length, point {k}, with many details."
        for c in range(count)
        for k in range(per)
    ]
    chapters = [Chapter(10.0 * per * c, f"Topic {c}") for c in range(count)]
    return source(lines, chapters)


def notes_then_payload(request: Recorded) -> Reply:
    ids = [int(i) for i in LINE_ID.findall(request.user)]
    texts = [s.text for s in chaptered().segments]
    if "Transcript, part" in request.user:
        note = {"text": "a point", "segment": ids[0], "quote": " ".join(texts[ids[0]].split()[:6])}
        return completion({"points": [note], "questions": [], "takeaways": []})
    return completion(payload(*ids[:3], texts=texts))


def test_long_episodes_are_read_in_parts_that_follow_their_chapters(
    server: ScriptedServer,
) -> None:
    server.default = notes_then_payload
    updates: list[InsightProgress] = []
    engine = engine_for(server, context_tokens=3000, max_output_tokens=300)

    engine.generate(chaptered(), progress=updates.append)

    parts = [r for r in server.requests if "Transcript, part" in r.user]
    assert len(parts) >= 2
    for request in parts:
        first = int(LINE_ID.findall(request.user)[0])
        assert first % 12 == 0, "a part starts where a chapter starts"
    stages = {u.stage for u in updates}
    assert f"reading part 1 of {len(parts)}" in stages
    assert f"reading part {len(parts)} of {len(parts)}" in stages


def test_requote_replies_are_bounded_json() -> None:
    from desktop.core.insights.llm.schema import REQUOTE_SCHEMA

    quote = REQUOTE_SCHEMA["properties"]["quotes"]
    assert quote["maxItems"] == 20
    assert quote["items"]["properties"]["quote"]["maxLength"] == 200
    json.dumps(REQUOTE_SCHEMA)
