"""README promises of `earmark insights --engine openai`, against real local HTTP servers.

- The URL, model and API key come from a flag, else `$EARMARK_LLM_URL` /
  `$EARMARK_LLM_MODEL`, else the saved setting, else the default; the key from the
  variable named by `--api-key-env`, else by the `llm_api_key_env` setting, else
  `$EARMARK_LLM_API_KEY`. Seen in which server was asked, for which model, with which
  `Authorization` header.
- `--context-tokens`: every request, counted with the server's own tokenizer, leaves
  `--max-output-tokens` free within it.
- "On any failure (server down, timeout, invalid replies) Earmark says why, and a failed
  run replaces nothing": a stalled server and replies that are not JSON, JSON of the
  wrong shape or a stream cut short all end in extracted insights and the reason.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator

import pytest

from desktop.cli.main import main
from desktop.core.store import Library
from desktop.services.llm_settings import DEFAULT_LLM_URL
from tests.conftest import SAMPLE_VTT
from tests.llm_server import (
    Recorded,
    Reply,
    ScriptedServer,
    completion,
    count_tokens,
    payload,
    quote_in,
    stream_events,
)

pytestmark = pytest.mark.timeout(120)
LINE_ID = re.compile(r"^\[(\d+)\]", re.MULTILINE)
FALLBACK = "; showing extracted insights instead"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def answer(request: Recorded) -> Reply:
    """A valid reply to any request: notes for a part, the payload otherwise, citing the
    first line id the request holds."""
    first = int((LINE_ID.findall(request.user) or ["0"])[0])
    quote = quote_in(request.user, first)
    if "Transcript, part" in request.user:
        note = {"text": "Paper is slow.", "segment": first, "quote": quote}
        qa = {"question": "Why?", "answer": "Focus.", "segment": first, "quote": quote}
        return completion({"points": [note], "questions": [qa], "takeaways": [note]})
    reply = payload(first, first, first)
    if "\nNotes:\n" not in request.user:  # the reduce cites notes, which carry quotes
        for key in ("key_insights", "qa", "takeaways"):
            reply[key][0]["quote"] = quote
    else:
        for key in ("key_insights", "qa", "takeaways"):
            reply[key][0]["quote"] = _note_quote(request.user)
    return completion(reply)


def _note_quote(user: str) -> str:
    found = re.search(r'quote: "([^"]+)"', user)
    return found.group(1) if found else "no note quoted anything"


def server_tokens(text: str) -> int:
    """The servers' tokenizer in these tests: a token per three bytes (the engine's own
    estimate differs, so planning must use the server's counts)."""
    return len(text.encode()) // 3 + 1


@pytest.fixture
def servers() -> Iterator[dict[str, ScriptedServer]]:
    made = {
        name: ScriptedServer(default=answer, other=count_tokens(server_tokens))
        for name in ("flag", "env", "setting")
    }
    yield made
    for server in made.values():
        server.stop()


@pytest.fixture
def episode(capsys: pytest.CaptureFixture[str]) -> str:
    code, out, err = run(capsys, "import", str(SAMPLE_VTT), "--json")
    assert code == 0, err
    return str(json.loads(out)["episodes"][0]["id"])


def asked(servers: dict[str, ScriptedServer]) -> list[tuple[str, str, str, str | None]]:
    """(server, path, model, Authorization) of every chat request, then forgotten."""
    seen = [
        (name, r.path, r.body["model"], r.headers.get("Authorization"))
        for name, server in servers.items()
        for r in server.requests
    ]
    for server in servers.values():
        server.requests.clear()
    return seen


# -- which server, which model, which key ---------------------------------------------------


def test_url_model_and_key_precedence(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    servers: dict[str, ScriptedServer],
    episode: str,
) -> None:
    for key, value in [
        ("llm_base_url", servers["setting"].url),
        ("llm_model", "setting-model"),
        ("llm_api_key_env", "SETTING_KEY"),
    ]:
        assert run(capsys, "config", "set", key, value)[0] == 0
    for name, value in [
        ("EARMARK_LLM_URL", servers["env"].url),
        ("EARMARK_LLM_MODEL", "env-model"),
        ("EARMARK_LLM_API_KEY", "default-key"),
        ("SETTING_KEY", "setting-key"),
        ("FLAG_KEY", "flag-key"),
    ]:
        monkeypatch.setenv(name, value)
    insights = ["insights", episode, "--engine", "openai", "--json"]
    path = "/v1/chat/completions"

    flags = ["--base-url", servers["flag"].url, "--model", "flag-model", "--api-key-env"]
    assert run(capsys, *insights, *flags, "FLAG_KEY")[0] == 0
    assert asked(servers) == [("flag", path, "flag-model", "Bearer flag-key")]

    code, out, err = run(capsys, *insights)  # the variables beat the settings
    assert code == 0 and json.loads(out)["model"] == "env-model", err
    assert asked(servers) == [("env", path, "env-model", "Bearer setting-key")]

    assert run(capsys, *insights, "--model", "flag-model")[0] == 0  # each value on its own
    assert asked(servers) == [("env", path, "flag-model", "Bearer setting-key")]

    monkeypatch.delenv("EARMARK_LLM_URL")
    monkeypatch.delenv("EARMARK_LLM_MODEL")
    assert run(capsys, *insights)[0] == 0
    assert asked(servers) == [("setting", path, "setting-model", "Bearer setting-key")]

    assert run(capsys, "config", "unset", "llm_api_key_env")[0] == 0
    assert run(capsys, *insights)[0] == 0  # the key's default variable
    assert asked(servers) == [("setting", path, "setting-model", "Bearer default-key")]
    monkeypatch.delenv("EARMARK_LLM_API_KEY")
    assert run(capsys, *insights)[0] == 0  # no key: no Authorization header at all
    assert asked(servers) == [("setting", path, "setting-model", None)]


def test_the_saved_engine_is_used_and_an_unset_key_variable_is_named(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    servers: dict[str, ScriptedServer],
    episode: str,
) -> None:
    monkeypatch.delenv("FORGOTTEN_KEY", raising=False)
    for key, value in [
        ("insight_engine", "openai"),
        ("llm_base_url", servers["setting"].url),
        ("llm_model", "setting-model"),
    ]:
        assert run(capsys, "config", "set", key, value)[0] == 0

    code, out, err = run(capsys, "insights", episode, "--json")  # no --engine: the setting
    assert code == 0 and json.loads(out)["engine"] == "openai", err
    assert "warning" not in err  # the default key variable unset is normal
    assert [a[0] for a in asked(servers)] == ["setting"]

    code, _, err = run(capsys, "insights", episode, "--api-key-env", "FORGOTTEN_KEY")
    assert code == 0 and "$FORGOTTEN_KEY is not set" in err
    assert asked(servers) == [("setting", "/v1/chat/completions", "setting-model", None)]

    code, out, _ = run(capsys, "insights", episode, "--engine", "extractive", "--json")
    assert code == 0 and json.loads(out)["engine"] == "extractive"
    assert asked(servers) == []  # the flag beats the setting: nothing contacted


def test_the_default_url_is_ollama_on_this_machine(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, episode: str
) -> None:
    for name in ("EARMARK_LLM_URL", "EARMARK_LLM_MODEL"):
        monkeypatch.delenv(name, raising=False)
    code, _, err = run(capsys, "insights", episode, "--engine", "openai")
    assert code == 1 and "needs a model name" in err  # no model named anywhere: no request
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", 11434)) == 0:
            pytest.skip("something listens on Ollama's port here")
    code, _, err = run(capsys, "insights", episode, "--engine", "openai", "--model", "m")
    assert code == 0
    assert f"cannot reach the LLM server at {DEFAULT_LLM_URL}" in err and FALLBACK in err


# -- --context-tokens ----------------------------------------------------------------------


def request_sizes(server: ScriptedServer) -> list[tuple[int, int]]:
    """(prompt tokens by the server's count, max_tokens) of every chat request."""
    return [
        (sum(server_tokens(m["content"]) for m in r.body["messages"]), r.body["max_tokens"])
        for r in server.requests
    ]


def test_context_tokens_bound_every_request(
    capsys: pytest.CaptureFixture[str], servers: dict[str, ScriptedServer], episode: str
) -> None:
    server = servers["flag"]
    insights = ["insights", episode, "--engine", "openai", "--base-url", server.url]
    insights += ["--model", "m", "--max-output-tokens", "300"]

    assert run(capsys, *insights)[0] == 0  # the default, 8192: the episode fits one request
    assert len(request_sizes(server)) == 1
    server.requests.clear()

    assert run(capsys, *insights, "--context-tokens", "2000")[0] == 0
    sizes = request_sizes(server)
    assert len(sizes) >= 3  # read in parts, then the notes combined
    assert all(prompt + room <= 2000 and room == 300 for prompt, room in sizes), sizes
    server.requests.clear()

    assert run(capsys, "config", "set", "llm_context_tokens", "2000")[0] == 0
    assert run(capsys, *insights)[0] == 0  # the saved setting plans the same way
    assert request_sizes(server) == sizes
    server.requests.clear()
    assert run(capsys, *insights, "--context-tokens", "8192")[0] == 0  # the flag beats it
    assert len(request_sizes(server)) == 1

    code, _, err = run(capsys, *insights, "--context-tokens", "0")
    assert code == 1 and "--context-tokens must be at least 1" in err


# -- failures fall back to extracted insights, with the reason -------------------------------


def stalled_mid_reply() -> Reply:
    events = stream_events(json.dumps(payload(1, 1, 1)), piece=8)
    events[4] = (3.0, events[4][1])  # three seconds of silence after three pieces
    return Reply(events=events)


FAILURES = {
    "stalls before answering": (
        Reply(body=payload(1, 1, 1), delay=3.0),
        "did not answer within 0.5 s",
    ),
    "stalls mid-reply": (stalled_mid_reply(), "went silent for 0.5 s in the middle"),
    "prose instead of JSON": (
        completion("Sure! This episode is about paper notebooks."),
        "did not return valid insights after a retry",
    ),
    "JSON of the wrong shape": (
        completion({"insights": ["paper"], "tldr": 7}),
        "did not return valid insights after a retry",
    ),
    "stream cut short": (
        Reply(events=stream_events(json.dumps(payload(1, 1, 1)), piece=8)[:6]),
        "lost the connection",
    ),
    "a body that is not JSON": (
        Reply(body="<html>502 Bad Gateway</html>", plain=True),
        "sent a response that is not JSON",
    ),
}


@pytest.mark.parametrize("failure", list(FAILURES))
def test_a_failing_server_leaves_extracted_insights_and_says_why(
    capsys: pytest.CaptureFixture[str], episode: str, failure: str
) -> None:
    reply, reason = FAILURES[failure]
    server = ScriptedServer(default=reply)
    try:
        code, out, err = run(
            capsys, "insights", episode, "--engine", "openai", "--base-url", server.url,
            "--model", "m", "--timeout", "0.5", "--json",
        )  # fmt: skip
    finally:
        server.stop()
    assert code == 0, err
    warning = err.strip().splitlines()[-1]
    assert warning.startswith("earmark: warning: ") and reason in warning, err
    assert warning.endswith(FALLBACK) and "Traceback" not in err
    shown = json.loads(out)
    assert shown["engine"] == "extractive" and shown["tldr"]
    with Library.open() as library:  # what the episode shows from now on
        assert library.insights(int(episode)).to_dict() == shown


def test_a_failure_keeps_the_previous_answer(
    capsys: pytest.CaptureFixture[str], servers: dict[str, ScriptedServer], episode: str
) -> None:
    server = servers["flag"]
    insights = ["insights", episode, "--engine", "openai", "--base-url", server.url]
    insights += ["--model", "m", "--timeout", "0.5", "--json"]
    code, out, _ = run(capsys, *insights)
    first = json.loads(out)
    assert code == 0 and first["engine"] == "openai"

    server.default = Reply(body=payload(1, 1, 1), delay=3.0)
    code, out, err = run(capsys, *insights)
    assert code == 0 and json.loads(out) == first
    assert "did not answer within 0.5 s" in err and "showing the previous answer of m" in err
