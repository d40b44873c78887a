"""OpenAICompatibleEngine against a scripted OpenAI-compatible HTTP server on 127.0.0.1
(tests/test_insights_llama.py runs it against llama.cpp's server)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime

import pytest

from desktop.core.insights.engine import (
    InsightError,
    InsightInput,
    InsightsCancelled,
    ungrounded_items,
)
from desktop.core.insights.llm import LLMConfig, OpenAICompatibleEngine
from desktop.core.insights.llm.prompts import estimate_tokens
from desktop.core.insights.payload import Insights
from desktop.core.model import Segment
from tests.llm_server import (
    Recorded,
    Reply,
    ScriptedServer,
    closed_port,
    completion,
    error,
    reject_json_schema,
)


def transcript(n: int = 6, words: int = 12) -> InsightInput:
    filler = " ".join(["paper notebooks help people think slowly"] * (words // 6 + 1))
    segments = [
        Segment(
            start=10.0 * i + 0.5,
            end=10.0 * i + 9.5,
            text=f"Line {i}: {filler}",
            speaker="Host" if i % 2 else "Guest",
        )
        for i in range(n)
    ]
    return InsightInput(title="Back to paper", segments=segments)


def payload(*ids: int) -> dict:
    """A valid final reply whose items cite the given ids (key insight, qa, takeaway)."""
    first, second, third = [*ids, 0, 0, 0][:3]
    return {
        "tldr": "Paper helps thinking.",
        "summary": "The hosts explain why notebooks beat apps for slow thinking.",
        "key_insights": [
            {"emoji": "📓", "title": "Slow is good", "text": "Writing by hand.", "segment": first}
        ],
        "qa": [{"question": "Why paper?", "answer": "Fewer distractions.", "segment": second}],
        "takeaways": [{"text": "Keep a notebook.", "segment": third}],
    }


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    srv = ScriptedServer()
    yield srv
    srv.stop()


def engine_for(server: ScriptedServer, **overrides) -> OpenAICompatibleEngine:
    config = {"base_url": server.url, "model": "test-model", "timeout": 5.0} | overrides
    return OpenAICompatibleEngine(LLMConfig(**config))


# -- structured output and the fallback ---------------------------------------------------


def test_json_schema_accepted_gives_grounded_payload(server: ScriptedServer) -> None:
    server.default = completion(payload(1, 2, 3))
    source = transcript()
    engine = engine_for(server, max_output_tokens=777)

    insights = engine.generate(source)

    assert len(server.requests) == 1
    request = server.requests[0]
    assert request.path == "/v1/chat/completions"
    assert request.body["model"] == "test-model"
    assert request.body["max_tokens"] == 777
    fmt = request.body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "episode_insights"
    assert fmt["json_schema"]["strict"] is True
    assert "JSON schema" not in request.user  # the schema travels in response_format only
    assert "[3] (00:00:30) Host: Line 3:" in request.user
    assert engine.mode == "json_schema"

    assert insights.engine == "openai"
    assert insights.model == "test-model"
    assert datetime.fromisoformat(insights.created).utcoffset().total_seconds() == 0
    assert insights.tldr == "Paper helps thinking."
    assert [k.start for k in insights.key_insights] == [source.segments[1].start]
    assert [q.start for q in insights.qa] == [source.segments[2].start]
    assert [t.start for t in insights.takeaways] == [source.segments[3].start]
    assert ungrounded_items(insights, source.segments) == []
    assert Insights.from_dict(insights.to_dict()) == insights


def test_falls_back_to_json_object_and_remembers(server: ScriptedServer) -> None:
    server.default = reject_json_schema(completion(payload(0)))
    engine = engine_for(server)

    engine.generate(transcript())
    assert [r.mode for r in server.requests] == ["json_schema", "json_object"]
    fallback = server.requests[1]
    assert fallback.body["response_format"]["schema"]["required"] == [
        "tldr",
        "summary",
        "key_insights",
        "qa",
        "takeaways",
    ]
    assert "must match this JSON schema" in fallback.user
    assert engine.mode == "json_object" and engine.last_report.mode == "json_object"

    engine.generate(transcript())  # the same engine goes straight to json_object
    assert [r.mode for r in server.requests] == ["json_schema", "json_object", "json_object"]


def test_error_body_naming_response_format_triggers_fallback(server: ScriptedServer) -> None:
    server.push(error(501, "response_format json_schema is not supported"))
    server.default = completion(payload(0))
    engine_for(server).generate(transcript())
    assert [r.mode for r in server.requests] == ["json_schema", "json_object"]


def test_other_http_errors_are_not_retried(server: ScriptedServer) -> None:
    server.default = error(401, "invalid api key")
    with pytest.raises(InsightError, match=r"HTTP 401: .*invalid api key"):
        engine_for(server).generate(transcript())
    assert len(server.requests) == 1


def test_json_object_failing_too_raises_its_error(server: ScriptedServer) -> None:
    server.default = error(500, "model crashed")
    with pytest.raises(InsightError, match=r"HTTP 500: .*model crashed"):
        engine_for(server).generate(transcript())
    assert [r.mode for r in server.requests] == ["json_schema", "json_object"]


def test_once_json_schema_worked_a_500_is_an_error(server: ScriptedServer) -> None:
    server.push(completion(payload(0)), error(500, "out of memory"))
    engine = engine_for(server)
    engine.generate(transcript())
    with pytest.raises(InsightError, match="HTTP 500"):
        engine.generate(transcript())
    assert [r.mode for r in server.requests] == ["json_schema", "json_schema"]


# -- citations and validation ---------------------------------------------------------------


def test_items_citing_missing_segments_are_dropped(server: ScriptedServer) -> None:
    reply = payload(2, 99, -1)
    reply["takeaways"].append({"text": "Float ids are fine.", "segment": 4.0})
    server.default = completion(reply)
    source = transcript(n=6)
    engine = engine_for(server)

    insights = engine.generate(source)

    assert [k.start for k in insights.key_insights] == [source.segments[2].start]
    assert insights.qa == []
    assert [t.text for t in insights.takeaways] == ["Float ids are fine."]
    assert engine.last_report.dropped_citations == 2
    assert ungrounded_items(insights, source.segments) == []


def test_payload_with_no_valid_citation_is_still_returned(server: ScriptedServer) -> None:
    server.default = completion(payload(50, 51, 52))
    insights = engine_for(server).generate(transcript())
    assert insights.tldr and not insights.key_insights and not insights.qa
    assert not insights.takeaways


def test_invalid_json_is_retried_with_the_error(server: ScriptedServer) -> None:
    server.push(completion("Sure! Here are your insights: {"), completion(payload(1)))
    engine = engine_for(server)
    insights = engine.generate(transcript())
    assert insights.key_insights
    assert len(server.requests) == 2
    assert "previous answer was not usable: the reply is not valid JSON" in server.requests[1].user
    assert engine.last_report.retries == 1


def test_wrong_shape_is_retried(server: ScriptedServer) -> None:
    bad = payload(1)
    bad["qa"][0]["segment"] = "one"
    server.push(completion(bad), completion({"summary": "no tldr"}))
    with pytest.raises(InsightError, match=r"after a retry: 'tldr' must be a non-empty string"):
        engine_for(server).generate(transcript())
    assert "qa[1].segment must be an integer" in server.requests[1].user


def test_invalid_json_twice_raises(server: ScriptedServer) -> None:
    server.default = completion('{"tldr": "cut', finish_reason="length")
    with pytest.raises(InsightError, match=r"not valid JSON.*cut off at max_tokens"):
        engine_for(server).generate(transcript())
    assert len(server.requests) == 2


def test_fenced_json_is_accepted(server: ScriptedServer) -> None:
    server.default = completion("```json\n" + json.dumps(payload(0)) + "\n```")
    assert engine_for(server).generate(transcript()).tldr == "Paper helps thinking."


@pytest.mark.parametrize(
    "reply",
    [
        Reply(body={"choices": []}),
        Reply(body={"object": "chat.completion"}),
    ],
)
def test_empty_choices_raise(server: ScriptedServer, reply: Reply) -> None:
    server.default = reply
    with pytest.raises(InsightError, match="returned no choices"):
        engine_for(server).generate(transcript())


def test_non_json_response_raises(server: ScriptedServer) -> None:
    server.default = Reply(body="<html>proxy error</html>")
    with pytest.raises(InsightError, match="not JSON"):
        engine_for(server).generate(transcript())


# -- transport errors -------------------------------------------------------------------------


def test_timeout(server: ScriptedServer) -> None:
    server.default = Reply(body={"choices": []}, delay=1.5)
    with pytest.raises(InsightError, match=r"did not answer within 0.3 s"):
        engine_for(server, timeout=0.3).generate(transcript())


def test_connection_refused_names_the_url() -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    engine = OpenAICompatibleEngine(LLMConfig(base_url=url, model="m", timeout=5))
    with pytest.raises(InsightError, match=re.escape(f"cannot reach the LLM server at {url}: ")):
        engine.generate(transcript())


def test_api_key_sent_only_when_set(server: ScriptedServer) -> None:
    server.default = completion(payload(0))
    engine_for(server, api_key="sk-local").generate(transcript())
    engine_for(server).generate(transcript())
    engine_for(server, api_key="").generate(transcript())
    auth = [r.headers.get("Authorization") for r in server.requests]
    assert auth == ["Bearer sk-local", None, None]


def test_nothing_to_read_and_no_room_raise(server: ScriptedServer) -> None:
    with pytest.raises(InsightError, match="no transcript"):
        engine_for(server).generate(InsightInput("Empty", []))
    with pytest.raises(InsightError, match="context_tokens=1000 leaves no room"):
        engine_for(server, context_tokens=1000, max_output_tokens=800).generate(transcript())
    assert server.requests == []


# -- long transcripts: map, then reduce ------------------------------------------------------

LINE_ID = re.compile(r"^\[(\d+)\]", re.MULTILINE)


def map_reduce_script(request: Recorded) -> Reply:
    """Notes citing the first and last line of each part (plus one id outside it); the
    reduce cites the first ids in the notes it got."""
    ids = [int(i) for i in LINE_ID.findall(request.user)]
    if "Transcript, part" in request.user:
        return completion(
            {
                "points": [{"text": f"point {ids[0]}", "segment": ids[0]}],
                "questions": [{"question": "q?", "answer": "a.", "segment": ids[-1]}],
                "takeaways": [{"text": "outside this part", "segment": ids[-1] + 1000}],
            }
        )
    return completion(payload(*ids[:3]))


def test_long_transcript_is_mapped_then_reduced(server: ScriptedServer) -> None:
    server.default = map_reduce_script
    source = transcript(n=120, words=30)
    config = {"context_tokens": 1800, "max_output_tokens": 300}
    engine = engine_for(server, **config)
    seen: list[float] = []

    insights = engine.generate(source, progress=seen.append)

    calls = server.requests
    maps, reduce = calls[:-1], calls[-1]
    assert len(maps) >= 3 and engine.last_report.chunks == len(maps)
    assert all("Transcript, part" in r.user for r in maps)
    assert "Notes:" in reduce.user and "Transcript" not in reduce.user
    # Parts are consecutive, cover every line once, and each request fits the context.
    covered = [int(i) for r in maps for i in LINE_ID.findall(r.user)]
    assert covered == list(range(len(source.segments)))
    for r in calls:
        prompt = "".join(m["content"] for m in r.body["messages"])
        assert estimate_tokens(prompt) + 300 <= 1800
    # The reduce got notes citing the parts' lines, not the ids outside them.
    cited = [int(i) for i in LINE_ID.findall(reduce.user)]
    assert cited and max(cited) < len(source.segments)
    assert engine.last_report.dropped_citations == len(maps)
    assert seen == sorted(seen) and len(seen) == len(calls) and seen[-1] == 1.0
    assert ungrounded_items(insights, source.segments) == []


def test_fallback_during_map_reduce_pastes_schema_in_every_call(server: ScriptedServer) -> None:
    server.default = reject_json_schema(map_reduce_script)
    engine = engine_for(server, context_tokens=1800, max_output_tokens=300)
    engine.generate(transcript(n=120, words=30))
    modes = [r.mode for r in server.requests]
    assert modes[:2] == ["json_schema", "json_object"]
    assert set(modes[2:]) == {"json_object"}
    notes_schema = server.requests[1].body["response_format"]["schema"]
    assert "points" in notes_schema["properties"]
    assert server.requests[-1].body["response_format"]["schema"]["properties"].keys() == {
        "tldr",
        "summary",
        "key_insights",
        "qa",
        "takeaways",
    }


def test_cancel_between_calls(server: ScriptedServer) -> None:
    server.default = map_reduce_script
    engine = engine_for(server, context_tokens=1800, max_output_tokens=300)
    with pytest.raises(InsightsCancelled):
        engine.generate(transcript(n=120, words=30), cancelled=lambda: len(server.requests) >= 2)
    assert len(server.requests) == 2


def test_cancel_before_the_first_call(server: ScriptedServer) -> None:
    with pytest.raises(InsightsCancelled):
        engine_for(server).generate(transcript(), cancelled=lambda: True)
    assert server.requests == []


# -- a real llama.cpp server (llama-cpp-python) with a tiny random-weight model -------------
def wordy_notes_script(shrink: bool):
    """Map replies with long notes, so the notes of all parts overflow one reduce request.
    Condense replies are short when `shrink`, else as long as the map replies."""

    def answer(request: Recorded) -> Reply:
        ids = [int(i) for i in LINE_ID.findall(request.user)]
        if "Transcript, part" in request.user or ("Notes, group" in request.user and not shrink):
            long = "a long note about paper " * 12
            return completion(
                {
                    "points": [{"text": f"{long}{n}", "segment": ids[0]} for n in range(6)],
                    "questions": [],
                    "takeaways": [],
                }
            )
        if "Notes, group" in request.user:
            return completion(
                {
                    "points": [{"text": "merged", "segment": ids[0]}],
                    "questions": [],
                    "takeaways": [],
                }
            )
        return completion(payload(*ids[:3]))

    return answer


@pytest.mark.parametrize("shrink", [True, False], ids=["condensed", "thinned"])
def test_notes_too_long_for_one_reduce(server: ScriptedServer, shrink: bool) -> None:
    server.default = wordy_notes_script(shrink)
    source = transcript(n=160, words=30)
    engine = engine_for(server, context_tokens=1800, max_output_tokens=300)
    seen: list[float] = []

    insights = engine.generate(source, progress=seen.append)

    groups = [r for r in server.requests if "Notes, group" in r.user]
    assert groups, "the notes should have needed condensing"
    reduce = server.requests[-1]
    assert "Notes:" in reduce.user
    assert estimate_tokens(reduce.user) + 300 <= 1800
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) == len(server.requests)
    assert ungrounded_items(insights, source.segments) == []


def test_seed_sent_when_set_and_shifted_on_retry(server: ScriptedServer) -> None:
    server.push(completion("nope"), completion(payload(0)), completion(payload(0)))
    engine_for(server, seed=40).generate(transcript())
    engine_for(server).generate(transcript())
    assert [r.body.get("seed") for r in server.requests] == [40, 41, None]


def test_schema_bounds_every_string_and_list() -> None:
    from desktop.core.insights.llm.schema import NOTES_SCHEMA, SCHEMA

    def walk(node: dict) -> None:
        if node["type"] == "string":
            assert 0 < node["maxLength"] <= 1000  # llama.cpp's grammar limit
        elif node["type"] == "array":
            assert node["maxItems"] <= 6
            walk(node["items"])
        elif node["type"] == "object":
            assert node["required"] == list(node["properties"])
            assert node["additionalProperties"] is False
            for child in node["properties"].values():
                walk(child)

    walk(SCHEMA)
    walk(NOTES_SCHEMA)
