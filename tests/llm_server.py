"""Test helpers for the LLM insight engine: a scripted OpenAI-compatible HTTP server, a
tiny random-weight GGUF model, and a launcher for llama-cpp-python's real server."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

# -- a scripted server ------------------------------------------------------------------


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict -> JSON, str -> sent as is
    delay: float = 0.0


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
    def content(self) -> str | None:
        """The assistant message in the reply, if it was a 200 chat completion."""
        if self.reply is None or self.reply.status != 200:
            return None
        body = self.reply.body
        data = json.loads(body) if isinstance(body, str) else body
        return data["choices"][0]["message"]["content"]


Script = Reply | Callable[[Recorded], Reply]


def completion(content: str | dict[str, Any] | None, finish_reason: str = "stop") -> Reply:
    """A 200 chat completion whose message content is `content` (dicts become JSON)."""
    if isinstance(content, dict):
        content = json.dumps(content)
    return Reply(
        body={
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
    )


def error(status: int, message: str) -> Reply:
    return Reply(status=status, body={"error": {"message": message, "code": status}})


def reject_json_schema(then: Script) -> Callable[[Recorded], Reply]:
    """Like llama-cpp-python's server: HTTP 500 for json_schema, else `then`."""

    def answer(request: Recorded) -> Reply:
        if request.mode == "json_schema":
            return error(500, "Unknown response_format type: json_schema")
        return then(request) if callable(then) else then

    return answer


def proxy_to(base_url: str, timeout: float = 120.0) -> Callable[[Recorded], Reply]:
    """Forward each request to a real server, so tests can see what it answered."""

    def answer(request: Recorded) -> Reply:
        url = base_url.rstrip("/") + request.path.removeprefix("/v1")
        data = json.dumps(request.body).encode()
        forward = urllib.request.Request(
            url, data=data, headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(forward, timeout=timeout) as response:
                return Reply(response.status, response.read().decode())
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, exc.read().decode(errors="replace"))

    return answer


@dataclass
class ScriptedServer:
    """An OpenAI-compatible server on 127.0.0.1 that records requests and answers from a
    queue; when the queue is empty it answers `default` (or 503)."""

    default: Script | None = None
    requests: list[Recorded] = field(default_factory=list)
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
                server.requests.append(request)
                script = server.queue.popleft() if server.queue else server.default
                if script is None:
                    reply = error(503, "scripted server: no reply queued")
                else:
                    reply = script(request) if callable(script) else script
                request.reply = reply
                if reply.delay:
                    time.sleep(reply.delay)
                self._send(reply)

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
# (a real model rarely writes them; a random one does).
LAUNCHER = r"""
import sys
import llama_cpp.llama_grammar as grammar
rule = grammar.PRIMITIVE_RULES["char"]
rule.content = rule.content.replace('[^"\\\\]', '[^"\\\\\\x00-\\x1F\\x7F]', 1)
assert "x1F" in rule.content, rule.content
from llama_cpp.server.__main__ import main
sys.argv = ["llama_cpp.server", *sys.argv[1:]]
main()
"""


class LlamaServer:
    """`python -m llama_cpp.server` on a free port, started and waited for."""

    def __init__(self, model: Path, log: Path, n_ctx: int = 8192) -> None:
        self.port = closed_port()
        self.log = log
        args = [
            "--model", str(model), "--host", "127.0.0.1", "--port", str(self.port),
            "--n_ctx", str(n_ctx), "--n_threads", "1", "--n_threads_batch", "1",
            "--model_alias", "tiny",
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
