"""OpenAICompatibleEngine against a scripted OpenAI-compatible HTTP server on 127.0.0.1
(tests/test_insights_llama.py runs it against llama.cpp's server)."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from datetime import datetime

import pytest

from desktop.cli.main import main
from desktop.core.importers import load_transcript
from desktop.core.insights.engine import (
    InsightError,
    InsightInput,
    InsightsCancelled,
    ungrounded_items,
)
from desktop.core.insights.llm import LLMConfig, OpenAICompatibleEngine
from desktop.core.insights.llm.tokens import estimate_tokens
from desktop.core.insights.payload import Insights
from desktop.core.model import EpisodeSource, EpisodeStatus, Segment
from desktop.core.store import Library
from desktop.services.insights import generate_insights
from tests.conftest import SAMPLE_VTT
from tests.llm_server import (
    Recorded,
    Reply,
    ScriptedServer,
    closed_port,
    completion,
    count_tokens,
    error,
    payload,
    quote_of,
    refuse_streaming,
    reject_json_schema,
    stream_events,
    streamed,
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
    reply["takeaways"].append({"text": "Float ids are fine.", "segment": 4.0, "quote": quote_of(4)})
    server.default = completion(reply)
    source = transcript(n=6)
    engine = engine_for(server)

    insights = engine.generate(source)

    assert [k.start for k in insights.key_insights] == [source.segments[2].start]
    assert insights.qa == []
    assert [t.text for t in insights.takeaways] == ["Float ids are fine."]
    assert engine.last_report.dropped_citations == 2
    # Said to the user as a warning (never a log record on the progress line).
    assert engine.last_report.warnings == ["dropped 2 items citing lines not in the transcript"]
    assert ungrounded_items(insights, source.segments) == []


def test_a_segment_too_long_for_a_request_is_cut_and_said(server: ScriptedServer) -> None:
    server.default = map_reduce_script
    source = transcript(n=4)
    huge = Segment(50.0, 60.0, "paper " * 3000, "Guest")  # ~6,000 tokens, 1,800 of context
    engine = engine_for(server, context_tokens=1800, max_output_tokens=300)
    engine.generate(InsightInput("Back to paper", [*source.segments, huge]))
    assert "1 segment was too long for one request and cut to fit" in engine.last_report.warnings
    for request in server.requests:
        assert sum(estimate_tokens(m["content"]) for m in request.body["messages"]) + 300 <= 1800


def test_a_reply_citing_only_lines_that_do_not_exist_is_a_failure(
    server: ScriptedServer,
) -> None:
    server.default = completion(payload(50, 51, 52))
    with pytest.raises(InsightError, match="wrote no item that its quote proves: 3 items"):
        engine_for(server).generate(transcript())


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


def test_a_reply_cut_at_max_tokens_is_retried_then_named(server: ScriptedServer) -> None:
    usage = {"prompt_tokens": 700, "completion_tokens": 400}  # all of max_output_tokens
    server.default = completion('{"tldr": "cut', finish_reason="length", usage=usage)
    with pytest.raises(
        InsightError, match=r"not valid JSON.*cut off at max_output_tokens=400: write less"
    ):
        engine_for(server, max_output_tokens=400).generate(transcript())
    assert len(server.requests) == 2
    assert "cut off at max_output_tokens=400" in server.requests[1].user


def test_a_reply_cut_by_a_full_context_says_the_part_did_not_fit(
    server: ScriptedServer,
) -> None:
    """The issue's case: the server's context was smaller than context_tokens, the
    prompt filled it, and the reply stopped after a few tokens. Asking the model to
    'write less' cannot help; the message names the cause, and nothing is retried."""
    server.default = completion('{"tldr": "cut', finish_reason="length")  # streamed: 2 chunks
    with pytest.raises(InsightError) as caught:
        engine_for(server, max_output_tokens=400).generate(transcript())
    message = str(caught.value)
    assert message.startswith("the transcript part did not fit: the prompt took about ")
    assert re.search(r"cut off after about \d tokens, short of max_output_tokens=400", message)
    assert "context_tokens=8192" in message and "write less" not in message
    assert len(server.requests) == 1


def test_pieces_fewer_than_tokens_do_not_blame_the_context(server: ScriptedServer) -> None:
    """Streamed pieces undercount tokens (an emoji of several tokens is one piece): the
    reply's text is counted by the server's tokenizer before blaming the context."""
    cut = '{"tldr": "' + "🧠" * 95  # 95 pieces of 4 tokens each: the reply used its room
    server.default = Reply(events=stream_events(cut, "length", piece=1))
    server.other = count_tokens(lambda text: len(text.encode()))  # a token a byte
    with pytest.raises(InsightError, match=r"cut off at max_output_tokens=400: write less"):
        engine_for(server, max_output_tokens=400).generate(transcript())
    assert len(server.requests) == 2


def test_usage_from_the_server_decides_the_cause(server: ScriptedServer) -> None:
    usage = {"prompt_tokens": 8150, "completion_tokens": 42}
    server.default = completion('{"tldr": "cut', finish_reason="length", usage=usage)
    with pytest.raises(InsightError, match=r"the prompt took 8150 tokens .* after 42 tokens"):
        engine_for(server, max_output_tokens=400).generate(transcript())


@pytest.mark.parametrize(
    "message",
    [
        "This model's maximum context length is 2048 tokens. However, you requested 2600 "
        "tokens (2200 in the messages, 400 in the completion).",  # llama-cpp-python
        "the request exceeds the available context size, try increasing it",  # llama-server
    ],
)
def test_a_context_error_says_the_part_did_not_fit(server: ScriptedServer, message: str) -> None:
    server.default = error(400, message)
    with pytest.raises(InsightError, match=r"^the transcript part did not fit the server's"):
        engine_for(server).generate(transcript())
    assert len(server.requests) == 1  # not mistaken for a refused json_schema


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
                "points": [
                    {"text": f"point {ids[0]}", "segment": ids[0], "quote": quote_of(ids[0])}
                ],
                "questions": [
                    {
                        "question": "q?",
                        "answer": "a.",
                        "segment": ids[-1],
                        "quote": quote_of(ids[-1]),
                    }
                ],
                "takeaways": [
                    {"text": "outside this part", "segment": ids[-1] + 1000, "quote": "x y z w"}
                ],
            }
        )
    return completion(payload(*ids[:3]))


def test_long_transcript_is_mapped_then_reduced(server: ScriptedServer) -> None:
    server.default = map_reduce_script
    source = transcript(n=120, words=30)
    config = {"context_tokens": 1800, "max_output_tokens": 300}
    engine = engine_for(server, **config)
    seen: list[float] = []

    insights = engine.generate(source, progress=lambda p: seen.append(p.fraction))

    calls = server.requests
    maps, reduce = [r for r in calls if "Transcript, part" in r.user], calls[-1]
    assert len(maps) >= 3 and engine.last_report.chunks == len(maps)
    assert calls[: len(maps)] == maps  # the parts first, then condensing and the reduce
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
    assert seen == sorted(seen) and len(seen) >= len(calls) and seen[-1] == 1.0
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
                    "points": [
                        {"text": f"{long}{n}", "segment": ids[0], "quote": quote_of(ids[0])}
                        for n in range(6)
                    ],
                    "questions": [],
                    "takeaways": [],
                }
            )
        if "Notes, group" in request.user:
            return completion(
                {
                    "points": [{"text": "merged", "segment": ids[0], "quote": quote_of(ids[0])}],
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

    insights = engine.generate(source, progress=lambda p: seen.append(p.fraction))

    groups = [r for r in server.requests if "Notes, group" in r.user]
    assert groups, "the notes should have needed condensing"
    reduce = server.requests[-1]
    assert "Notes:" in reduce.user
    assert estimate_tokens(reduce.user) + 300 <= 1800
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= len(server.requests)
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


# -- streaming: the timeout measures silence, progress moves while the model writes -------


def test_replies_are_streamed_and_progress_moves_while_the_model_writes(
    server: ScriptedServer,
) -> None:
    server.default = streamed(payload(1, 2, 3), piece=4)
    seen: list[float] = []

    insights = engine_for(server, max_output_tokens=100).generate(
        transcript(), lambda p: seen.append(p.fraction)
    )

    (request,) = server.requests
    assert request.body["stream"] is True and request.streamed
    assert request.body["stream_options"] == {"include_usage": True}
    assert insights.tldr == "Paper helps thinking."
    # One call, yet the bar moved before it ended, and never backwards.
    assert seen == sorted(seen) and seen[-1] == 1.0
    assert len([f for f in seen if 0 < f < 1]) >= 5


def test_the_timeout_measures_silence_not_the_whole_reply(server: ScriptedServer) -> None:
    # ~30 pieces 0.1 s apart: the reply takes three times the timeout, never silent for it.
    server.default = streamed(payload(1), piece=16, gap=0.1)
    insights = engine_for(server, timeout=1.0).generate(transcript())
    assert insights.key_insights


def silent_stream(after: int, silence: float) -> Reply:
    events = stream_events(json.dumps(payload(1)), piece=8)
    _, data = events[after]
    events[after] = (silence, data)
    return Reply(events=events)


@pytest.mark.parametrize(
    ("after", "message"),
    [
        (0, r"did not answer within 0.5 s \(a large model reading a long prompt"),
        (5, r"went silent for 0.5 s in the middle of its reply \(after 4 tokens\)"),
    ],
    ids=["before-first-token", "mid-reply"],
)
def test_a_long_silence_times_out(server: ScriptedServer, after: int, message: str) -> None:
    server.default = silent_stream(after, silence=3.0)
    with pytest.raises(InsightError, match=message):
        engine_for(server, timeout=0.5).generate(transcript())
    assert len(server.requests) == 1


def test_a_server_refusing_streaming_is_asked_without_it_once(server: ScriptedServer) -> None:
    server.default = refuse_streaming(completion(payload(1)))
    engine = engine_for(server)
    engine.generate(transcript())
    engine.generate(transcript())
    assert [r.body["stream"] for r in server.requests] == [True, False, False]
    assert engine.mode == "json_schema"  # the refusal was not taken for json_schema's


def test_a_server_ignoring_stream_answers_json(server: ScriptedServer) -> None:
    plain = completion(payload(1))
    plain.plain = True
    server.default = plain
    engine = engine_for(server)
    assert engine.generate(transcript()).key_insights
    assert not server.requests[0].streamed and engine.client.streaming


def test_an_empty_stream_is_asked_again_without_streaming(server: ScriptedServer) -> None:
    server.push(Reply(events=[]))
    server.default = completion(payload(1))
    assert engine_for(server).generate(transcript()).key_insights
    assert [r.body["stream"] for r in server.requests] == [True, False]


def test_a_stream_that_stops_mid_reply_is_a_lost_connection(server: ScriptedServer) -> None:
    server.default = Reply(events=stream_events(json.dumps(payload(1)), piece=8)[:6])
    with pytest.raises(InsightError, match=r"lost the connection .* middle of its reply"):
        engine_for(server).generate(transcript())


def test_an_error_event_in_the_stream_is_an_error(server: ScriptedServer) -> None:
    server.default = Reply(events=[(0.0, json.dumps({"error": {"message": "OOM"}}))])
    with pytest.raises(InsightError, match=r"HTTP 200: .*OOM"):
        engine_for(server).generate(transcript())


def test_cancel_stops_a_streaming_reply(server: ScriptedServer) -> None:
    server.default = streamed(payload(1), piece=4, gap=0.02)
    seen: list[float] = []
    with pytest.raises(InsightsCancelled):
        engine_for(server, max_output_tokens=100).generate(
            transcript(), seen.append, cancelled=lambda: len(seen) >= 2
        )
    assert len(server.requests) == 1 and len(seen) == 2


# -- counting tokens ------------------------------------------------------------------------


def chars_are_tokens(text: str) -> int:
    """A wasteful tokenizer (a token a character), far above the estimate."""
    return len(text)


def test_parts_are_sized_with_the_servers_token_counts(server: ScriptedServer) -> None:
    server.default = map_reduce_script
    server.other = count_tokens(chars_are_tokens)
    source = transcript(n=60, words=30)
    engine = engine_for(server, context_tokens=4000, max_output_tokens=500)

    insights = engine.generate(source)

    report = engine.last_report
    assert report.exact_tokens and report.chunks >= 3
    assert {r.path for r in server.others} == {"/extras/tokenize/count"}
    # The estimate would have packed about three times as many lines in a part; counted
    # by the server, every request leaves the reply its room.
    for request in server.requests:
        prompt = sum(chars_are_tokens(m["content"]) for m in request.body["messages"])
        assert prompt + 500 <= 4000, prompt
        assert sum(estimate_tokens(m["content"]) for m in request.body["messages"]) < prompt
    maps = [r for r in server.requests if "Transcript, part" in r.user]
    covered = [int(i) for r in maps for i in LINE_ID.findall(r.user)]
    assert covered == list(range(len(source.segments)))
    assert ungrounded_items(insights, source.segments) == []
    # Parts are counted whole, not line by line: a handful of tokenize calls per part.
    assert len(server.others) <= 8 + 3 * report.chunks


def test_llama_server_tokenize_is_used_too(server: ScriptedServer) -> None:
    def tokenize(request: Recorded) -> Reply:
        if request.path != "/tokenize":
            return error(404, "File Not Found")
        return Reply(body={"tokens": list(range(len(request.body["content"])))})

    server.default = map_reduce_script
    server.other = tokenize
    engine = engine_for(server, context_tokens=4000, max_output_tokens=500)
    engine.generate(transcript(n=60, words=30))
    assert engine.last_report.exact_tokens
    assert engine.counter.endpoint == server.url.removesuffix("/v1") + "/tokenize"
    for request in server.requests:
        assert sum(len(m["content"]) for m in request.body["messages"]) + 500 <= 4000


@pytest.mark.parametrize(
    "other",
    [None, Reply(body={"error": "Unexpected endpoint or method. (POST /tokenize)"})],
    ids=["404-like-ollama", "200-error-like-lm-studio"],
)
def test_without_tokenize_the_estimate_is_used_and_probed_once(
    server: ScriptedServer, other: Reply | None
) -> None:
    server.default = completion(payload(1))
    server.other = other
    engine = engine_for(server)
    engine.generate(transcript())
    engine.generate(transcript())
    assert not engine.last_report.exact_tokens
    assert [r.path for r in server.others] == ["/extras/tokenize/count", "/tokenize"]


def test_the_estimate_is_conservative_on_digits_and_non_latin_text() -> None:
    line = "[1234] (01:02:03) Host: 東京で会いましょう"
    assert estimate_tokens(line) >= 4 + 6 + len("東京で会いましょう") * 2
    assert estimate_tokens("word " * 300) >= 500  # 3 characters a token, not 4


# -- messages -----------------------------------------------------------------------------


def test_a_404_without_v1_suggests_adding_it(server: ScriptedServer) -> None:
    server.default = lambda r: (
        completion(payload(1)) if r.path.startswith("/v1/") else error(404, "Not Found")
    )
    bare = server.url.removesuffix("/v1")
    with pytest.raises(InsightError) as caught:
        OpenAICompatibleEngine(LLMConfig(base_url=bare, model="m", timeout=5)).generate(
            transcript()
        )
    assert "HTTP 404" in str(caught.value)
    assert f"try the base URL {bare}/v1" in str(caught.value)

    server.default = error(404, "model 'm' not found")  # with /v1: no such hint
    with pytest.raises(InsightError) as caught:
        engine_for(server).generate(transcript())
    assert "/v1" not in str(caught.value).split("HTTP 404")[1]


# -- the service: a failed run never replaces a better result -----------------------------


@pytest.fixture
def episode(library: Library) -> int:
    created = library.create_episode("Back to paper", EpisodeSource.IMPORTED, EpisodeStatus.DONE)
    library.append_segments(created.id, transcript().segments)
    return created.id


def stored_engines(library: Library, episode: int) -> list[str]:
    rows = library.conn.execute(
        "SELECT engine FROM insights WHERE episode_id = ? ORDER BY id", (episode,)
    )
    return [row["engine"] for row in rows]


def server_config(server: ScriptedServer) -> LLMConfig:
    return LLMConfig(base_url=server.url, model="test-model", timeout=5.0)


def test_a_failed_run_shows_the_previous_llm_answer(
    server: ScriptedServer, library: Library, episode: int
) -> None:
    server.default = completion(payload(1, 2, 3))
    first = generate_insights(library, episode, "openai", server_config(server))
    assert first.fresh and first.shown_engine == "openai" and first.note is None
    assert first.warnings == [] and first.failure is None

    server.default = error(500, "model crashed")
    again = generate_insights(library, episode, "openai", server_config(server))

    assert again.insights == first.insights and again.shown_engine == "openai"
    assert not again.fresh and again.requested == "openai"
    assert again.failure is not None and "HTTP 500: " in again.failure
    assert "model crashed" in again.failure
    when = datetime.fromisoformat(first.insights.created or "").astimezone()
    assert again.note == (
        f"{again.failure}; showing the previous answer of test-model from "
        f"{when:%Y-%m-%d %H:%M} instead"
    )
    assert again.warnings == [again.note]
    assert library.insights(episode) == first.insights
    assert stored_engines(library, episode) == ["openai"]  # the failed run stored nothing


def test_a_failed_first_run_shows_extracted_insights(
    server: ScriptedServer, library: Library, episode: int
) -> None:
    server.default = error(500, "model crashed")
    result = generate_insights(library, episode, "openai", server_config(server))
    assert result.shown_engine == "extractive" and result.fresh
    assert result.note is not None and result.note.endswith("; showing extracted insights instead")
    assert result.failure is not None and result.note.startswith(result.failure)
    assert library.insights(episode) == result.insights
    assert stored_engines(library, episode) == ["extractive"]


def test_a_failed_run_brings_the_llm_answer_back_over_extraction(
    server: ScriptedServer, library: Library, episode: int
) -> None:
    server.default = completion(payload(1, 2, 3))
    llm_answer = generate_insights(library, episode, "openai", server_config(server)).insights
    extracted = generate_insights(library, episode).insights  # the user chose extraction
    assert library.insights(episode) == extracted
    assert library.insights(episode, engine="openai") == llm_answer
    assert library.insights(episode, engine="extractive") == extracted

    server.default = error(500, "model crashed")
    result = generate_insights(library, episode, "openai", server_config(server))

    assert result.insights == llm_answer and not result.fresh
    assert library.insights(episode) == llm_answer  # shown from now on, as in the window
    assert stored_engines(library, episode) == ["openai", "extractive", "openai"]


def test_engine_warnings_reach_the_result(
    server: ScriptedServer, library: Library, episode: int
) -> None:
    server.default = completion(payload(2, 99, -1))
    result = generate_insights(library, episode, "openai", server_config(server))
    assert result.fresh and result.note is None
    assert result.warnings == ["dropped 2 items citing lines not in the transcript"]


def test_cli_prints_warnings_on_lines_of_their_own(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["import", str(SAMPLE_VTT), "--json"]) == 0
    episode = json.loads(capsys.readouterr().out)["episodes"][0]["id"]
    texts = [s.text for s in load_transcript(SAMPLE_VTT).segments]
    server.default = completion(payload(1, 99, -1, texts=texts))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # show the progress line

    argv = ["insights", str(episode), "--engine", "openai", "--base-url", server.url]
    assert main([*argv, "--model", "m", "--max-output-tokens", "100"]) == 0

    err = capsys.readouterr().err
    assert "Making insights:" in err  # the progress line was drawn...
    # ...and cleared: what a terminal shows of each line is the text after its last \r.
    shown = [line.rsplit("\r", 1)[-1] for line in err.split("\n")]
    warnings = [line for line in shown if "warning" in line]
    assert warnings == ["earmark: warning: dropped 2 items citing lines not in the transcript"]
