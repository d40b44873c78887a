"""Find the local LLM runtimes the user already runs: Ollama, LM Studio, llama.cpp, Jan,
LocalAI, or any other OpenAI-compatible server.

Privacy: by default only loopback (127.0.0.1 and ::1) is asked, on each runtime's default
port; another host is contacted only when the user typed its URL. Plain `http.client` is
used rather than urllib because urllib follows $http_proxy, which would send these probes
(and the fact that the user runs them) to a proxy, and follows redirects elsewhere.

A runtime is recognised by what it answers, not by its port: every answer is read up to
`MAX_BYTES`, and anything that is not a model list (a web page, a 404) is not a runtime.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.parse
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from desktop.core.errors import EarmarkError

MAX_BYTES = 1 << 20  # the most read from any answer: a model list is a few KiB
READ_TIMEOUT = 1.5  # per answer, once connected (LM Studio lists models from disk)
ENDPOINT_BUDGET = 4.0  # all requests to one server together: a stuck server costs this
REMOTE_CONNECT_TIMEOUT = 2.0  # a typed host may be across a VPN: loopback's 0.4 s is short
MAX_WORKERS = 16

OLLAMA, LM_STUDIO, LLAMA_CPP, JAN, LOCALAI = "Ollama", "LM Studio", "llama.cpp", "Jan", "LocalAI"
GENERIC = "OpenAI-compatible server"
LOOPBACK = ("127.0.0.1", "::1")


@dataclass(frozen=True, slots=True)
class Runtime:
    """A server that answered, as the settings need it."""

    name: str  # one of the names above, or GENERIC
    base_url: str  # the OpenAI-compatible base URL to configure, e.g. ".../v1"
    models: tuple[str, ...]  # model ids usable as LLMConfig.model; empty: none installed
    context_tokens: int | None = None  # when the server says how much a request may hold
    version: str | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    """Where a runtime listens by default."""

    name: str
    port: int
    hosts: tuple[str, ...] = LOOPBACK


DEFAULT_CANDIDATES: tuple[Candidate, ...] = (
    Candidate(OLLAMA, 11434),
    Candidate(LM_STUDIO, 1234),
    Candidate(LLAMA_CPP, 8080),  # llama-server
    Candidate(JAN, 1337),
    Candidate(LOCALAI, 8080),  # shares llama-server's port: told apart by its answers
    Candidate(LLAMA_CPP, 8000),  # llama-cpp-python's `python -m llama_cpp.server`
)

# Runtimes whose answers carry no mark of their own (a bare /v1/models list): on their
# default port such a list is named after them, anywhere else it is GENERIC.
_NAMED_BY_PORT = {1337: JAN, 1234: LM_STUDIO}


def how_to_start() -> str:
    return "\n".join(
        [
            "Start one of these, then run 'earmark llm detect' again:",
            "  Ollama:     ollama serve   (then a model: ollama pull llama3.2)",
            "  LM Studio:  Developer tab > Start server (port 1234), and load a model",
            "  llama.cpp:  llama-server -m model.gguf --port 8080",
            "              or: python -m llama_cpp.server --model model.gguf",
            "  Jan:        Settings > Local API Server > Start server (port 1337)",
            "  LocalAI:    local-ai run (port 8080)",
            "A server on another machine or port: earmark llm detect URL "
            "(e.g. http://gpu-box:11434).",
        ]
    )


def detect(
    candidates: Iterable[Candidate] = DEFAULT_CANDIDATES,
    urls: Sequence[str] = (),
    timeout: float = 0.4,
) -> list[Runtime]:
    """The runtimes answering at `candidates` (in their order) and at the typed `urls`.

    Every server is asked at the same time, so a closed port (refused at once) costs
    almost nothing and a silent one at most `timeout` to connect plus `ENDPOINT_BUDGET`.
    A server answering on both 127.0.0.1 and ::1 is listed once, as 127.0.0.1.
    """
    candidates = tuple(candidates)
    jobs = _default_jobs(candidates, timeout) + _typed_jobs(urls, len(candidates), timeout)
    if not jobs:
        return []
    with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(jobs))) as pool:
        found = list(pool.map(_run, jobs))
    ranked = [
        (job.rank(runtime, candidates), runtime)
        for job, runtime in zip(jobs, found, strict=True)
        if runtime is not None
    ]
    ranked.sort(key=lambda pair: pair[0])
    return _unique(runtime for _, runtime in ranked)


# -- what to ask --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Endpoint:
    scheme: str
    host: str
    port: int
    prefix: str = ""  # the path before the OpenAI routes, for a typed URL behind a proxy

    @property
    def root(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}{self.prefix}"


@dataclass(frozen=True, slots=True)
class _Job:
    endpoint: _Endpoint
    connect_timeout: float
    order: int  # where the first candidate (or typed URL) for it stands
    host_order: int = 0
    api_paths: tuple[str, ...] = ("/v1",)  # where /models may be, tried in order
    typed: bool = False

    def rank(self, runtime: Runtime, candidates: Sequence[Candidate]) -> tuple[int, int]:
        """Sort key: LocalAI found on 8080 sorts as LocalAI, not where llama.cpp (the first
        candidate on 8080) stands; typed URLs keep their place after all candidates."""
        if not self.typed:
            for i, candidate in enumerate(candidates):
                if candidate.port == self.endpoint.port and candidate.name == runtime.name:
                    return i, self.host_order
        return self.order, self.host_order


def _default_jobs(candidates: Sequence[Candidate], timeout: float) -> list[_Job]:
    jobs: dict[tuple[str, int], _Job] = {}
    for order, candidate in enumerate(candidates):
        for host_order, host in enumerate(candidate.hosts):
            if (host, candidate.port) not in jobs:  # 8080 is asked once for two runtimes
                endpoint = _Endpoint("http", host, candidate.port)
                jobs[host, candidate.port] = _Job(endpoint, timeout, order, host_order)
    return list(jobs.values())


def _typed_jobs(urls: Sequence[str], first: int, timeout: float) -> list[_Job]:
    jobs = []
    for i, url in enumerate(urls):
        endpoint, api_paths = _parse_url(url)
        connect = timeout if endpoint.host in LOOPBACK else max(timeout, REMOTE_CONNECT_TIMEOUT)
        jobs.append(_Job(endpoint, connect, first + i, api_paths=api_paths, typed=True))
    return jobs


def _parse_url(url: str) -> tuple[_Endpoint, tuple[str, ...]]:
    """A typed URL as an endpoint and where its OpenAI routes may be: "host:11434",
    "http://host:11434", ".../v1", ".../v1/models" and ".../v1/chat/completions" all mean
    the same server."""
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    parts = urllib.parse.urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        raise EarmarkError(f"{url}: the port is not a number from 1 to 65535") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EarmarkError(f"{url}: expected an http:// or https:// URL with a host name")
    path = parts.path.rstrip("/")
    for suffix in ("/chat/completions", "/completions", "/models"):
        path = path.removesuffix(suffix)
    port = port or (443 if parts.scheme == "https" else 80)
    if path.endswith("/v1"):
        return _Endpoint(parts.scheme, parts.hostname, port, path[:-3]), ("/v1",)
    # No /v1 typed: the usual place first, then the path itself (a server mounted there).
    return _Endpoint(parts.scheme, parts.hostname, port, path), ("/v1", "")


def _unique(runtimes: Iterable[Runtime]) -> list[Runtime]:
    """One entry per server: the same answers on ::1 as on 127.0.0.1 are the same server
    (dual-stack), and a typed URL may name a server the defaults found already."""
    seen: set[tuple[Any, ...]] = set()
    unique = []
    for runtime in runtimes:
        url = runtime.base_url.replace("[::1]", "127.0.0.1")
        key = (runtime.name, url, runtime.models)
        if key not in seen:
            seen.add(key)
            unique.append(runtime)
    return unique


# -- asking -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    body: bytes
    complete: bool = True  # False: longer than MAX_BYTES (never parsed)

    def json(self) -> Any:
        """The body as JSON when the answer is a complete 200, else None."""
        if self.status != 200 or not self.complete:
            return None
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested too deep
            return None


@dataclass(slots=True)
class _Probe:
    """GET requests to one server within one time budget. The first failure to connect or
    to answer in time ends the probe: later requests then return None at once, so a
    closed port costs one refused connection and a stuck server one timeout."""

    endpoint: _Endpoint
    connect_timeout: float
    deadline: float = field(default_factory=lambda: time.monotonic() + ENDPOINT_BUDGET)
    dead: bool = False

    def get(self, path: str) -> _Answer | None:
        left = self.deadline - time.monotonic()
        if self.dead or left <= 0:
            return None
        try:
            return self._get(path, min(READ_TIMEOUT, left))
        except (OSError, http.client.HTTPException, ValueError):
            # Refused, reset, timed out, not speaking HTTP, or (ValueError: UnicodeError) a
            # typed host name that cannot be encoded.
            self.dead = True
            return None

    def json(self, path: str) -> Any:
        answer = self.get(path)
        return answer.json() if answer is not None else None

    def _get(self, path: str, read_timeout: float) -> _Answer:
        endpoint = self.endpoint
        kind = (
            http.client.HTTPSConnection
            if endpoint.scheme == "https"
            else http.client.HTTPConnection
        )
        connection = kind(endpoint.host, endpoint.port, timeout=self.connect_timeout)
        try:
            connection.connect()
            assert connection.sock is not None
            connection.sock.settimeout(read_timeout)  # connecting is quick; answering may not be
            connection.request(
                "GET", endpoint.prefix + path, headers={"Accept": "application/json"}
            )
            response = connection.getresponse()
            body = response.read(MAX_BYTES + 1)
            return _Answer(response.status, body[:MAX_BYTES], len(body) <= MAX_BYTES)
        finally:
            connection.close()


# -- recognising --------------------------------------------------------------------------


def _run(job: _Job) -> Runtime | None:
    return _identify(_Probe(job.endpoint, job.connect_timeout), job.api_paths)


def _identify(probe: _Probe, api_paths: tuple[str, ...]) -> Runtime | None:
    listing, api = None, api_paths[0]
    for api in api_paths:
        listing = _model_list(probe.json(api + "/models"))
        if listing is not None or probe.dead:
            break
    if probe.dead:
        return None  # nothing listening (the usual case): stop after one refused connect
    base_url = probe.endpoint.root + api
    ollama = _ollama(probe, probe.endpoint.root + "/v1")
    if ollama is not None:
        return ollama
    if listing is None:
        return None  # a web page, a 404, or another API: not a runtime
    return _named(probe, base_url, listing)


def _model_list(data: Any) -> list[dict[str, Any]] | None:
    """The entries of an OpenAI model list ({"object": "list", "data": [{"id": …}]}), or
    None when `data` is not one. An empty list is a runtime without models."""
    items = data.get("data") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return None
    entries = [item for item in items if isinstance(item, dict)]
    if any(not isinstance(item.get("id"), str) for item in entries) or len(entries) != len(items):
        return None
    return entries


def _ids(entries: Iterable[dict[str, Any]], key: str = "id") -> tuple[str, ...]:
    """Model ids in the server's order (its first is what `--use` picks), once each."""
    return tuple(dict.fromkeys(e[key] for e in entries if isinstance(e.get(key), str) and e[key]))


def _ollama(probe: _Probe, base_url: str) -> Runtime | None:
    """Ollama: GET /api/version {"version": …} and /api/tags {"models": [{"name": …}]}.

    No context length: Ollama runs every model at its own num_ctx (2048 to 4096 by default,
    by version), not the model's trained length that /api/show reports, so reporting that
    would make Earmark send prompts Ollama silently cuts."""
    about = probe.json("/api/version")
    if not isinstance(about, dict) or not isinstance(about.get("version"), str):
        return None
    tags = probe.json("/api/tags")
    models = tags.get("models") if isinstance(tags, dict) else None
    if not isinstance(models, list):
        return None
    names = _ids((m for m in models if isinstance(m, dict)), key="name")
    return Runtime(OLLAMA, base_url, names, None, about["version"])


def _named(probe: _Probe, base_url: str, listing: list[dict[str, Any]]) -> Runtime:
    """Which runtime answered this model list, asking the few routes that tell them apart."""
    owners = {entry.get("owned_by") for entry in listing}
    models = _ids(listing)
    props = probe.json("/props")
    if "llamacpp" in owners or (isinstance(props, dict) and "default_generation_settings" in props):
        return _llama_server(base_url, models, props)
    if "me" in owners and _has_route(probe, "/extras/tokenize"):
        return Runtime(LLAMA_CPP, base_url, models, None, _llama_cpp_python_version(probe))
    lm_studio = _lm_studio(probe, base_url)
    if lm_studio is not None:
        return lm_studio
    if _answers_ok(probe, "/readyz"):
        version = probe.json("/version")
        text = version.get("version") if isinstance(version, dict) else None
        return Runtime(LOCALAI, base_url, models, None, text if isinstance(text, str) else None)
    return Runtime(_NAMED_BY_PORT.get(probe.endpoint.port, GENERIC), base_url, models)


def _llama_server(base_url: str, models: tuple[str, ...], props: Any) -> Runtime:
    """llama.cpp's llama-server: /props says the context each request gets (n_ctx of a
    slot: the -c given, shared out among --parallel slots) and the build."""
    props = props if isinstance(props, dict) else {}
    settings = props.get("default_generation_settings")
    n_ctx = settings.get("n_ctx") if isinstance(settings, dict) else None
    build = props.get("build_info")
    return Runtime(
        LLAMA_CPP,
        base_url,
        models,
        n_ctx if isinstance(n_ctx, int) and not isinstance(n_ctx, bool) and n_ctx > 0 else None,
        build if isinstance(build, str) and build else None,
    )


def _llama_cpp_python_version(probe: _Probe) -> str | None:
    """llama-cpp-python's server says its version only in its OpenAPI description. It does
    not say its context length anywhere, so that stays unknown."""
    spec = probe.json("/openapi.json")
    info = spec.get("info") if isinstance(spec, dict) else None
    version = info.get("version") if isinstance(info, dict) else None
    return f"llama-cpp-python {version}" if isinstance(version, str) else None


def _lm_studio(probe: _Probe, base_url: str) -> Runtime | None:
    """LM Studio's own /api/v0/models: it lists embedding models too (not chat models, so
    left out) and says which models are loaded (listed first: they answer at once, the
    others are loaded on first use)."""
    entries = _model_list(probe.json("/api/v0/models"))
    if entries is None or not all("state" in e or "type" in e for e in entries):
        return None
    chat = [e for e in entries if e.get("type", "llm") in ("llm", "vlm")]
    chat.sort(key=lambda e: e.get("state") != "loaded")  # stable: loaded ones first
    return Runtime(LM_STUDIO, base_url, _ids(chat))


def _has_route(probe: _Probe, path: str) -> bool:
    """A POST-only route exists when a GET is refused with 405 rather than 404."""
    answer = probe.get(path)
    return answer is not None and answer.status == 405


def _answers_ok(probe: _Probe, path: str) -> bool:
    answer = probe.get(path)
    return answer is not None and answer.status == 200
