"""Hypothesis strategies for the insight engines' inputs from outside: what an
OpenAI-compatible server may answer, and stored insight payloads (see strategies.py for
transcripts, documents, files and queries)."""

from __future__ import annotations

import json

from hypothesis import strategies as st

from desktop.core.insights.engine import InsightInput
from desktop.core.model import Segment
from tests.llm_server import Reply, chunk, completion, payload
from tests.media_fixtures import SCRIPT
from tests.reliability import strategies as S
from tests.reliability.strategies import hostile_text

# -- LLM replies --------------------------------------------------------------------------------

_REPLY_KEYS = st.sampled_from(
    ["tldr", "summary", "key_insights", "qa", "takeaways", "emoji", "title", "text",
     "question", "answer", "segment", "points", "questions", "start"]
)  # fmt: skip
_JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    hostile_text(4),
)
JSON_VALUES = st.recursive(
    _JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_REPLY_KEYS, inner, max_size=6),
    max_leaves=30,
)


@st.composite
def reply_payloads(draw: st.DrawFn, segment_count: int) -> dict[str, object]:
    """An almost valid final reply: right keys, each value sometimes of the wrong kind."""
    ids = st.integers(-2, segment_count + 2) | st.floats(-2, segment_count + 2) | JSON_VALUES
    text = hostile_text(6) | JSON_VALUES

    def item(*names: str) -> st.SearchStrategy[dict[str, object]]:
        fields = {name: text for name in names} | {"segment": ids}
        return st.fixed_dictionaries({}, optional=fields)

    payload = st.fixed_dictionaries(
        {"tldr": text, "summary": text},
        optional={
            "key_insights": st.lists(item("emoji", "title", "text"), max_size=4) | JSON_VALUES,
            "qa": st.lists(item("question", "answer"), max_size=3) | JSON_VALUES,
            "takeaways": st.lists(item("text"), max_size=3) | JSON_VALUES,
        },
    )
    return draw(payload)


def reply_texts(segment_count: int) -> st.SearchStrategy[str]:
    """What a model may answer: JSON of any shape, fenced or cut off, or plain text."""
    as_json = st.one_of(reply_payloads(segment_count), JSON_VALUES).map(
        lambda value: json.dumps(value, ensure_ascii=False)
    )
    return st.one_of(
        as_json,
        as_json.map(lambda t: f"```json\n{t}\n```"),
        st.tuples(as_json, st.integers(0, 400)).map(lambda p: p[0][: p[1]]),
        hostile_text(20),
        st.integers(1, 5000).map(lambda n: "[" * n),
    )


def stored_payloads() -> st.SearchStrategy[object]:
    """A stored insight payload (Insights.to_dict's shape) with values of any kind here
    and there: what a damaged row or a newer version of Earmark may hold."""
    text = hostile_text(4) | JSON_VALUES
    start = st.floats() | st.integers(-(2**70), 2**70) | JSON_VALUES

    def item(*names: str) -> st.SearchStrategy[dict[str, object]]:
        return st.fixed_dictionaries({name: text for name in names} | {"start": start})

    payload = st.fixed_dictionaries(
        {"tldr": text, "summary": text, "engine": text},
        optional={
            "model": text,
            "created": text,
            "version": st.integers(-(2**70), 2**70) | st.floats() | JSON_VALUES,
            "key_insights": st.lists(item("emoji", "title", "text"), max_size=3) | JSON_VALUES,
            "qa": st.lists(item("question", "answer"), max_size=3) | JSON_VALUES,
            "takeaways": st.lists(item("text"), max_size=3) | JSON_VALUES,
        },
    )
    return payload | JSON_VALUES


def llm_replies(segment_count: int) -> st.SearchStrategy[object]:
    """What an OpenAI-compatible server may send back (tests.llm_server.Reply): a chat
    completion holding any reply text, streamed or not, cut off or not; a body that is
    not a completion at all; or a stream of arbitrary events."""
    finish = st.sampled_from(["stop", "length", "content_filter"])
    as_completion = st.builds(completion, reply_texts(segment_count), finish)
    body = (JSON_VALUES | hostile_text(10) | st.integers(1, 3000).map(lambda n: "[" * n)).map(
        lambda value: value if isinstance(value, str) else json.dumps(value)
    )
    event = st.one_of(
        st.builds(lambda text: chunk({"content": text}), reply_texts(segment_count)),
        JSON_VALUES.map(json.dumps),
        hostile_text(6),
        st.just("[DONE]"),
    )
    return st.one_of(
        as_completion,
        as_completion.map(lambda reply: Reply(body=reply.body, plain=True)),  # ignores stream
        st.builds(
            lambda text, status: Reply(status=status, body=text),
            body,
            st.sampled_from([200, 200, 400, 500]),
        ),
        st.lists(event, max_size=6).map(lambda events: Reply(events=[(0.0, e) for e in events])),
    )


def good_llm_replies(texts: list[str]) -> st.SearchStrategy[Reply]:
    """What a working model answers for a transcript of these lines: a valid payload whose
    items cite real lines with their own words, streamed or not, fenced or not."""
    ids = st.lists(st.integers(0, len(texts) - 1), min_size=1, max_size=3)

    def reply(cited: list[int], fenced: bool, plain: bool) -> Reply:
        content = json.dumps(payload(*cited, texts=texts), ensure_ascii=False)
        made = completion(f"```json\n{content}\n```" if fenced else content)
        return Reply(body=made.body, plain=True) if plain else made

    return st.builds(reply, ids, st.booleans(), st.booleans())


def llm_cases(texts: list[str]) -> st.SearchStrategy[tuple[Reply, bool]]:
    """(a server reply, whether an engine must make insights from it): any reply (which
    may be answered with an InsightError) or a good one (which must give a payload)."""
    return st.one_of(
        good_llm_replies(texts).map(lambda reply: (reply, True)),
        llm_replies(len(texts)).map(lambda reply: (reply, False)),
    )


def _spoken_turns(after: float) -> list[Segment]:
    """The interview of tests/media_fixtures.py, from `after` on: plain sentences, two
    speakers, enough for any engine to take insights from."""
    segments, at = [], after
    for speaker, text in SCRIPT[:10]:
        length = len(text.split()) * 0.4
        segments.append(Segment(at, at + length, text, speaker.title()))
        at += length + 0.5
    return segments


@st.composite
def insight_inputs(draw: st.DrawFn, max_segments: int = 8) -> tuple[InsightInput, bool]:
    """(an engine's input, whether it must give insights): a document of hostile or
    speech-like text, sometimes followed by ten turns of a real interview (then it must)."""
    text = S.sentences() | S.hostile_text(12, surrogates=True)
    doc = draw(S.documents(text=text, max_segments=max_segments))
    segments = list(doc.segments)
    answerable = draw(st.booleans())
    if answerable:
        end = max(s.end for s in segments)
        segments += _spoken_turns(end + 1.0)
    source = InsightInput(doc.episode.title, segments, doc.chapters)
    return source, answerable
