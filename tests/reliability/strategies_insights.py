"""Hypothesis strategies for the insight engines' inputs from outside: what an
OpenAI-compatible server may answer, and stored insight payloads (see strategies.py for
transcripts, documents, files and queries)."""

from __future__ import annotations

import json

from hypothesis import strategies as st

from tests.llm_server import Reply, chunk, completion
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
