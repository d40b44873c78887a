"""A minimal OpenAI-compatible chat client on urllib (no third-party HTTP dependency).

Replies are streamed (`stream: true`, server-sent events) so that `timeout` measures
silence, not the length of the reply: a large model on a CPU may write for many minutes,
and as long as tokens keep coming the request lives. Servers that refuse streaming (or
send an empty stream) are asked again without it, once, and remembered.
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from desktop.core.insights.engine import CancelFn, InsightError, InsightsCancelled

log = logging.getLogger(__name__)

TokenFn = Callable[[int], None]  # reply tokens received so far (streaming only)
PieceFn = Callable[[str], None]  # each piece of the reply's text as it arrives


@dataclass(frozen=True, slots=True, kw_only=True)
class LLMConfig:
    """Where the server is and how much the model may read and write.

    `context_tokens` is the context length the server runs the model with; transcript
    parts are sized in the server's own tokens when it can count them (llama.cpp's and
    vLLM's tokenize endpoints), else by a conservative estimate, and always leave
    `max_output_tokens` (sent as the server's `max_tokens`) for the reply. `timeout` is
    the longest silence waited for: before the first token (while the server reads the
    prompt) and between tokens, not the whole reply.
    """

    base_url: str = "http://127.0.0.1:11434/v1"  # Ollama's default
    model: str
    api_key: str | None = None
    timeout: float = 120.0
    context_tokens: int = 8192
    max_output_tokens: int = 1500
    temperature: float = 0.2  # low: we want faithful notes, not creative writing
    seed: int | None = None  # sent when set: reproducible replies where servers honour it


class LLMHTTPError(InsightError):
    """The server answered with an HTTP error status."""

    def __init__(self, url: str, status: int, body: str, hint: str = "") -> None:
        self.status = status
        self.body = body
        short = " ".join(body.split())[:300]
        super().__init__(f"the LLM server at {url} answered HTTP {status}: {short}{hint}")


@dataclass(frozen=True, slots=True)
class ChatReply:
    content: str | None
    finish_reason: str | None
    # As the server reported them (usage), else None.
    completion_tokens: int | None = None
    prompt_tokens: int | None = None
    # Content pieces streamed: about a token each, but fewer (a multi-token emoji or a
    # character split across tokens arrives as one piece); 0 when not streamed.
    chunks: int = 0


def server_root(base_url: str) -> str:
    """The server's root: base_url without its trailing /v1 (tokenize lives there)."""
    root = base_url.rstrip("/")
    return root.removesuffix("/v1")


class ChatClient:
    def __init__(self, config: LLMConfig) -> None:
        self.config = config
        self.url = config.base_url.rstrip("/") + "/chat/completions"
        self.streaming = True  # False once the server refused a streamed request

    # -- chat ------------------------------------------------------------------------

    def chat(
        self,
        messages: list[dict[str, str]],
        response_format: dict[str, Any],
        attempt: int = 0,
        on_tokens: TokenFn | None = None,
        cancelled: CancelFn | None = None,
        on_piece: PieceFn | None = None,
    ) -> ChatReply:
        """One chat completion, streamed when the server allows; every failure becomes an
        InsightError (InsightsCancelled when `cancelled` says so mid-reply).

        `attempt` shifts the seed: a retry with the very same seed can repeat the mistake.
        `on_piece` sees the text as it streams (a server that does not stream: nothing).
        """
        body: dict[str, Any] = {
            "model": self.config.model,
            "messages": messages,
            "response_format": response_format,
            "max_tokens": self.config.max_output_tokens,
            "temperature": self.config.temperature,
        }
        if self.config.seed is not None:
            body["seed"] = self.config.seed + attempt
        if self.streaming:
            # include_usage: the last event then says how many tokens the prompt and the
            # reply took (OpenAI, vLLM, llama.cpp, Ollama); others ignore it.
            streaming = {"stream": True, "stream_options": {"include_usage": True}}
            try:
                reply = self._send(body | streaming, on_tokens, cancelled, on_piece)
            except LLMHTTPError as exc:
                if not _refuses_streaming(exc):
                    raise
                log.info("server refused streaming (%s); asking without it", exc.status)
            except _EmptyStream:
                log.info("server sent an empty stream; asking without streaming")
            else:
                return reply
            self.streaming = False
        return self._send(body | {"stream": False}, None, cancelled, None)

    def _send(
        self,
        body: dict[str, Any],
        on_tokens: TokenFn | None,
        cancelled: CancelFn | None,
        on_piece: PieceFn | None,
    ) -> ChatReply:
        request = self._request(self.url, body)
        with self._open(request, self.config.timeout) as response:
            kind = response.headers.get("Content-Type", "")
            if body["stream"] and "text/event-stream" in kind:
                return self._read_stream(response, on_tokens, cancelled, on_piece)
            raw = self._read(response, "")  # also a server that ignored stream: true
        return self._completion(raw)

    def _completion(self, raw: str) -> ChatReply:
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError) as exc:  # RecursionError: "[[[[…" nested too deep
            raise InsightError(
                f"the LLM server at {self.url} sent a response that is not JSON: {raw[:200]!r}"
            ) from exc
        _raise_body_error(self.url, data)
        choices = data.get("choices") if isinstance(data, dict) else None
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            raise InsightError(f"the LLM server at {self.url} returned no choices")
        message = choices[0].get("message") or {}
        content = message.get("content") if isinstance(message, dict) else None
        prompt, completion = _usage(data)
        return ChatReply(
            content if isinstance(content, str) else None,
            choices[0].get("finish_reason"),
            completion,
            prompt,
        )

    def _read_stream(
        self,
        response: http.client.HTTPResponse,
        on_tokens: TokenFn | None,
        cancelled: CancelFn | None,
        on_piece: PieceFn | None = None,
    ) -> ChatReply:
        """Collect an SSE stream: `data: {chunk}` lines, `: comments` (keep-alives), and
        `data: [DONE]`. Every line read resets the silence timer (the socket timeout)."""
        parts: list[str] = []
        chunks = 0
        events = 0
        finish: str | None = None
        prompt = completion = None
        done = False
        while not done:
            line = self._readline(response, chunks)
            if not line:
                break  # the server closed the stream
            if cancelled is not None and cancelled():
                raise InsightsCancelled("insight generation was cancelled")
            text = line.decode("utf-8", errors="replace").strip()
            if not text.startswith("data:"):
                continue  # blank separators, comments (": ping"), event names
            data_text = text[5:].strip()
            events += 1
            if data_text == "[DONE]":
                done = True
                continue
            try:
                data = json.loads(data_text)
            except (ValueError, RecursionError) as exc:
                raise InsightError(
                    f"the LLM server at {self.url} streamed a line that is not JSON: "
                    f"{data_text[:200]!r}"
                ) from exc
            _raise_body_error(self.url, data)
            usage = _usage(data)
            prompt, completion = usage[0] or prompt, usage[1] or completion
            choices = data.get("choices") if isinstance(data, dict) else None
            if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
                continue  # e.g. the final usage-only chunk
            delta = choices[0].get("delta") or {}
            piece = delta.get("content") if isinstance(delta, dict) else None
            if isinstance(piece, str) and piece:
                parts.append(piece)
                chunks += 1
                if on_tokens is not None:
                    on_tokens(chunks)
                if on_piece is not None:
                    on_piece(piece)
            finish = choices[0].get("finish_reason") or finish
        if events == 0:
            raise _EmptyStream
        if not done and finish is None:
            raise InsightError(
                f"lost the connection to the LLM server at {self.config.base_url} in the "
                f"middle of its reply (after {chunks} tokens)"
            )
        return ChatReply("".join(parts), finish, completion, prompt, chunks)

    def _readline(self, response: http.client.HTTPResponse, tokens: int) -> bytes:
        try:
            return response.readline()
        except TimeoutError as exc:
            raise self._silence(tokens) from exc
        except (ConnectionError, OSError, http.client.HTTPException) as exc:
            raise self._lost(exc) from exc

    # -- other endpoints -------------------------------------------------------------

    def post_json(self, url: str, body: dict[str, Any], timeout: float) -> Any:
        """POST a JSON body, return the decoded JSON reply; errors as for chat."""
        return self._json(self._request(url, body), url, timeout)

    def get_json(self, url: str, timeout: float) -> Any:
        """GET a JSON document (the server's /models list); errors as for chat."""
        return self._json(self._request(url), url, timeout)

    def _json(self, request: urllib.request.Request, url: str, timeout: float) -> Any:
        with self._open(request, timeout, url) as response:
            raw = self._read(response, url)
        try:
            return json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise InsightError(f"{url} sent a response that is not JSON: {raw[:200]!r}") from exc

    # -- transport ---------------------------------------------------------------------

    def _request(self, url: str, body: dict[str, Any] | None = None) -> urllib.request.Request:
        """A POST of `body` as JSON, or a GET without one."""
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if body is not None and body.get("stream"):
            headers["Accept"] = "text/event-stream, application/json"
        if self.config.api_key:  # local servers need none; never send an empty bearer
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        if body is None:
            return urllib.request.Request(url, headers=headers, method="GET")
        return urllib.request.Request(
            url, data=json.dumps(body).encode(), headers=headers, method="POST"
        )

    def _open(
        self, request: urllib.request.Request, timeout: float, url: str = ""
    ) -> http.client.HTTPResponse:
        url = url or self.url
        try:
            return urllib.request.urlopen(request, timeout=timeout)
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", errors="replace") if exc.fp else ""
            hint = self._hint(exc.code)
            raise LLMHTTPError(url, exc.code, body or str(exc.reason), hint) from exc
        except urllib.error.URLError as exc:
            # urlopen wraps connect-phase errors (refused, DNS, connect timeout).
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                raise self._silence(0) from exc
            raise InsightError(
                f"cannot reach the LLM server at {self.config.base_url}: {exc.reason}"
            ) from exc
        except TimeoutError as exc:  # no status line within the timeout
            raise self._silence(0) from exc
        except (ConnectionError, OSError, http.client.HTTPException) as exc:
            raise self._lost(exc) from exc

    def _read(self, response: http.client.HTTPResponse, url: str) -> str:
        try:
            return response.read().decode("utf-8", errors="replace")
        except TimeoutError as exc:
            raise self._silence(0) from exc
        except (ConnectionError, OSError, http.client.HTTPException) as exc:
            raise self._lost(exc) from exc

    def _hint(self, status: int) -> str:
        if status == 404 and not self.config.base_url.rstrip("/").endswith("/v1"):
            fixed = self.config.base_url.rstrip("/") + "/v1"
            return f" (OpenAI-compatible servers answer under /v1: try the base URL {fixed})"
        return ""

    def _silence(self, tokens: int) -> InsightError:
        base, limit = self.config.base_url, f"{self.config.timeout:g} s"
        if tokens:
            return InsightError(
                f"the LLM server at {base} went silent for {limit} in the middle of its "
                f"reply (after {tokens} tokens)"
            )
        return InsightError(
            f"the LLM server at {base} did not answer within {limit} (a large model reading "
            "a long prompt on a CPU can take longer: raise the timeout)"
        )

    def _lost(self, exc: BaseException) -> InsightError:
        return InsightError(
            f"lost the connection to the LLM server at {self.config.base_url}: {exc}"
        )


class _EmptyStream(Exception):
    """A streamed request answered with no events at all."""


def _refuses_streaming(exc: LLMHTTPError) -> bool:
    return exc.status in (400, 405, 415, 422, 501) and "stream" in exc.body.lower()


def _raise_body_error(url: str, data: Any) -> None:
    # Some servers report errors in a 200 body (or an SSE event); treat them like HTTP errors.
    if isinstance(data, dict) and data.get("error") and not data.get("choices"):
        raise LLMHTTPError(url, 200, json.dumps(data["error"]))


def _usage(data: Any) -> tuple[int | None, int | None]:
    usage = data.get("usage") if isinstance(data, dict) else None
    if not isinstance(usage, dict):
        return None, None

    def number(key: str) -> int | None:
        value = usage.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    return number("prompt_tokens"), number("completion_tokens")
