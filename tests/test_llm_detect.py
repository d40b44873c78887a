"""Finding local LLM runtimes: real servers on 127.0.0.1 only (llama-cpp-python's own
server, and small http.servers written here), the CLI end to end, and a check that the
default probe never leaves loopback."""

from __future__ import annotations

import importlib.util
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from desktop.cli.main import main
from desktop.core.errors import EarmarkError
from desktop.core.insights.llm.detect import (
    DEFAULT_CANDIDATES,
    GENERIC,
    Candidate,
    Runtime,
    detect,
)
from desktop.core.settings import load_settings, settings_path
from desktop.services.llm_settings import use_runtime
from tests.llm_server import closed_port

HAVE_LLAMA = all(importlib.util.find_spec(m) for m in ("llama_cpp", "gguf", "numpy"))
NEEDS_LLAMA = pytest.mark.skipif(
    not HAVE_LLAMA, reason="llama-cpp-python[server] and gguf are not installed"
)


def llama_test(test):
    return pytest.mark.llama(NEEDS_LLAMA(test))


# -- small real HTTP servers ----------------------------------------------------------------

# A route's answer: JSON (dict or list, sent with 200) or (status, content type, body).
Answer = dict[str, Any] | list[Any] | tuple[int, str, bytes]
NOT_FOUND = (404, "text/html", b"<!doctype html><title>404</title><h1>Not Found</h1>")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up (getfqdn): no lookups in these tests.
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)  # dual-stack
        ThreadingHTTPServer.__bases__[1].server_bind(self)  # socketserver.TCPServer
        self.server_name, self.server_port = "localhost", self.server_address[1]


@contextmanager
def serving(
    routes: dict[str, Answer], other: Answer = NOT_FOUND, dual_stack: bool = False
) -> Iterator[int]:
    """A real HTTP server on loopback answering `routes` (GET, exact path) and `other`
    everywhere else; yields its port."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep pytest output clean
            pass

        def do_GET(self) -> None:
            answer = routes.get(self.path.split("?")[0], other)
            if isinstance(answer, tuple):
                status, kind, body = answer
            else:
                status, kind, body = 200, "application/json", json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server_class = _Server
    host = "127.0.0.1"
    if dual_stack:
        server_class = type("_DualStack", (_Server,), {"address_family": socket.AF_INET6})
        host = "::"
    server = server_class((host, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


# Protocol fixtures of third-party APIs (Ollama's /api/version and /api/tags as its API
# documentation shows them; the OpenAI model list), not of Earmark's code: they stand for
# servers these tests cannot run.
OLLAMA_TAGS = {
    "models": [
        {
            "name": "llama3.2:latest",
            "model": "llama3.2:latest",
            "modified_at": "2024-10-01T10:00:00.000000+02:00",
            "size": 2019393189,
            "digest": "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
            "details": {
                "parent_model": "",
                "format": "gguf",
                "family": "llama",
                "families": ["llama"],
                "parameter_size": "3.2B",
                "quantization_level": "Q4_K_M",
            },
        }
    ]
}
OLLAMA = {"/api/version": {"version": "0.5.7"}, "/api/tags": OLLAMA_TAGS}
OPENAI_MODELS = {
    "/v1/models": {
        "object": "list",
        "data": [
            {"id": "mistral-7b-instruct", "object": "model", "created": 1, "owned_by": "org"},
            {"id": "qwen2.5-7b", "object": "model", "created": 1, "owned_by": "org"},
        ],
    }
}
LOCALAI = {**OPENAI_MODELS, "/readyz": (200, "text/plain", b"OK")}


# -- detect() against small servers ---------------------------------------------------------


def test_closed_ports_find_nothing() -> None:
    assert detect([Candidate("Ollama", closed_port()), Candidate("llama.cpp", closed_port())]) == []


@pytest.mark.parametrize("page", [NOT_FOUND, (200, "text/html", b"<html>a web app</html>")])
def test_a_web_server_is_not_a_runtime(page: tuple[int, str, bytes]) -> None:
    with serving({}, other=page) as port:
        assert detect([Candidate("llama.cpp", port)]) == []
        assert detect((), urls=[f"http://127.0.0.1:{port}"]) == []


def test_an_unknown_openai_server_is_listed_as_generic() -> None:
    with serving(OPENAI_MODELS) as port:
        # On llama.cpp's candidate, but it answers nothing llama.cpp would: generic.
        found = detect([Candidate("llama.cpp", port)])
    assert found == [
        Runtime(GENERIC, f"http://127.0.0.1:{port}/v1", ("mistral-7b-instruct", "qwen2.5-7b"))
    ]


def test_ollama_is_recognised_by_its_own_api() -> None:
    with serving(OLLAMA) as port:
        (found,) = detect([Candidate("Ollama", port)])
    assert found.name == "Ollama"
    assert found.base_url.endswith(f":{port}/v1")
    assert found.models == ("llama3.2:latest",)
    assert found.version == "0.5.7"
    assert found.context_tokens is None  # Ollama's num_ctx is not what /api/show says


def test_a_runtime_without_models_is_still_listed() -> None:
    with serving({**OLLAMA, "/api/tags": {"models": []}}) as port:
        (found,) = detect([Candidate("Ollama", port)])
    assert (found.name, found.models) == ("Ollama", ())


@pytest.mark.parametrize(
    "typed", ["127.0.0.1:{p}", "http://127.0.0.1:{p}", "http://127.0.0.1:{p}/v1/", "http://127.0.0.1:{p}/v1/chat/completions"]
)  # fmt: skip
def test_typed_urls_are_normalised_to_the_openai_base(typed: str) -> None:
    with serving(OPENAI_MODELS) as port:
        (found,) = detect((), urls=[typed.format(p=port)])
    assert found.base_url == f"http://127.0.0.1:{port}/v1"


def test_a_server_mounted_below_a_path_keeps_its_path() -> None:
    with serving({"/openai/models": OPENAI_MODELS["/v1/models"]}) as port:
        (found,) = detect((), urls=[f"http://127.0.0.1:{port}/openai"])
    assert found.base_url == f"http://127.0.0.1:{port}/openai"


def test_a_bad_url_is_a_clear_error() -> None:
    with pytest.raises(EarmarkError, match="port"):
        detect((), urls=["http://127.0.0.1:99999"])


def test_order_is_the_candidates_then_the_typed_urls() -> None:
    # LocalAI shares llama.cpp's port in the defaults: it sorts as LocalAI, after Ollama.
    with serving(LOCALAI) as shared, serving(OLLAMA) as ollama, serving(OPENAI_MODELS) as typed:
        candidates = [Candidate("llama.cpp", shared), Candidate("Ollama", ollama)]
        candidates.append(Candidate("LocalAI", shared))
        found = detect(candidates, urls=[f"http://127.0.0.1:{typed}"])
    assert [(r.name, r.base_url.rsplit(":", 1)[1]) for r in found] == [
        ("Ollama", f"{ollama}/v1"),
        ("LocalAI", f"{shared}/v1"),
        (GENERIC, f"{typed}/v1"),
    ]


def test_a_server_on_both_loopback_addresses_is_listed_once() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        context = serving(OLLAMA, dual_stack=True)
        port = context.__enter__()
    except OSError as exc:
        pytest.skip(f"no IPv6 loopback here: {exc}")
    try:
        assert detect((), urls=[f"http://[::1]:{port}"])  # it does answer on ::1
        found = detect([Candidate("Ollama", port)])
    finally:
        context.__exit__(None, None, None)
    assert [r.base_url for r in found] == [f"http://127.0.0.1:{port}/v1"]


def test_an_answer_over_the_size_limit_is_not_read() -> None:
    huge = {"object": "list", "data": [{"id": "m" * 100}] * 20_000}  # ~2.3 MB
    with serving({"/v1/models": huge}) as port:
        assert detect([Candidate("llama.cpp", port)]) == []


def test_a_silent_server_is_given_up() -> None:
    # Accepts connections (the kernel's backlog) and never answers.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        assert detect([Candidate("Ollama", listener.getsockname()[1])]) == []


def test_the_default_probe_never_leaves_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    connects: list[Any] = []
    lookups: list[Any] = []
    connect, getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def recording_connect(self: socket.socket, address: Any) -> None:
        connects.append(address)
        return connect(self, address)

    def recording_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        lookups.append(host)
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", recording_connect)
    monkeypatch.setattr(socket, "getaddrinfo", recording_getaddrinfo)
    detect()
    assert connects, "the probe connected nowhere: the recording missed it"
    assert {address[0] for address in connects} <= {"127.0.0.1", "::1"}
    assert {address[1] for address in connects} <= {c.port for c in DEFAULT_CANDIDATES}
    assert set(lookups) <= {"127.0.0.1", "::1"}  # literal addresses: no name lookup


# -- use_runtime ------------------------------------------------------------------------------


def test_use_runtime_saves_the_engine_and_keeps_a_context_only_for_the_same_server() -> None:
    server = Runtime("llama.cpp", "http://127.0.0.1:8080/v1", ("a", "b"), 4096, "b1")
    saved = use_runtime(server, "b")
    assert load_settings() == saved
    assert (saved.insight_engine, saved.llm_base_url, saved.llm_model) == (
        "openai",
        "http://127.0.0.1:8080/v1",
        "b",
    )
    assert saved.llm_context_tokens == 4096
    # The same server and model without a known context: the saved one is kept...
    assert use_runtime(Runtime("llama.cpp", server.base_url, ("b",)), "b").llm_context_tokens
    # ...another server's is dropped (it described another model).
    ollama = Runtime("Ollama", "http://127.0.0.1:11434/v1", ("llama3.2:latest",))
    assert use_runtime(ollama, "llama3.2:latest").llm_context_tokens is None
    with pytest.raises(EarmarkError, match=r"offers: llama3\.2:latest"):
        use_runtime(ollama, "mistral")


# -- the CLI, with small servers --------------------------------------------------------------


def test_cli_with_nothing_found_explains_how_to_start_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["llm", "detect", f"http://127.0.0.1:{closed_port()}"]) == 1
    err = capsys.readouterr().err
    assert "no LLM runtime answered" in err
    assert "ollama serve" in err and "llama-server -m" in err


def test_cli_use_takes_a_url_after_it_as_a_url(capsys: pytest.CaptureFixture[str]) -> None:
    with serving(OLLAMA) as port:
        assert main(["llm", "detect", "--use", f"http://127.0.0.1:{port}"]) == 0
    assert "insights now use llama3.2:latest on Ollama" in capsys.readouterr().out
    assert load_settings().llm_model == "llama3.2:latest"


def test_cli_use_refuses_a_model_the_runtime_lacks(capsys: pytest.CaptureFixture[str]) -> None:
    with serving(OLLAMA) as port:
        assert main(["llm", "detect", f"http://127.0.0.1:{port}", "--use", "mistral"]) == 1
    assert "offers the model 'mistral'" in capsys.readouterr().err
    assert not settings_path().exists()


# -- a real llama-cpp-python server -----------------------------------------------------------


@pytest.fixture(scope="module")
def llama(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
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
    server = LlamaServer(model, tmp_path_factory.mktemp("llama") / "server.log", alias="tiny")
    server.wait()
    yield server
    server.stop()


@llama_test
def test_llama_cpp_python_server_is_found(llama) -> None:
    found = detect([Candidate("llama.cpp", llama.port)])
    assert found == [
        Runtime("llama.cpp", llama.url, ("tiny",), None, found[0].version)
    ]  # no context: llama-cpp-python's server does not say its n_ctx anywhere
    assert (found[0].version or "").startswith("llama-cpp-python ")


@llama_test
def test_cli_detect_json_lists_the_llama_server(llama, capsys) -> None:
    assert main(["llm", "detect", f"http://127.0.0.1:{llama.port}", "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["name"] == "llama.cpp"
    assert entry["base_url"] == llama.url
    assert entry["models"] == ["tiny"]
    assert set(entry) == {"name", "base_url", "models", "context_tokens", "version"}


@llama_test
def test_cli_detect_use_makes_the_llama_server_the_engine(llama, capsys) -> None:
    assert main(["llm", "detect", f"http://127.0.0.1:{llama.port}", "--use"]) == 0
    assert f"insights now use tiny on llama.cpp at {llama.url}" in capsys.readouterr().out
    saved = json.loads(settings_path().read_text(encoding="utf-8"))
    assert saved == {"insight_engine": "openai", "llm_base_url": llama.url, "llm_model": "tiny"}
    assert main(["config"]) == 0
    shown = capsys.readouterr().out
    assert "insight_engine = openai" in shown
    assert f"llm_base_url = {llama.url}" in shown
    assert "llm_model = tiny" in shown
