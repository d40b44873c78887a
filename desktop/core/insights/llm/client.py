"""A minimal OpenAI-compatible chat client on urllib (no third-party HTTP dependency)."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from desktop.core.insights.engine import InsightError


@dataclass(frozen=True, slots=True, kw_only=True)
class LLMConfig:
    """Where the server is and how much the model may read and write.

    Token counts are estimates (about 4 characters a token): they size the chunks of a
    long transcript, and `max_output_tokens` is sent as the server's `max_tokens`.
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

    def __init__(self, url: str, status: int, body: str) -> None:
        self.status = status
        self.body = body
        short = " ".join(body.split())[:300]
        super().__init__(f"the LLM server at {url} answered HTTP {status}: {short}")


@dataclass(frozen=True, slots=True)
class ChatReply:
    content: str | None
    finish_reason: str | None


class ChatClient:
    def __init__(self, config: LLMConfig) -> None:
        self.config = config
        self.url = config.base_url.rstrip("/") + "/chat/completions"

    def chat(
        self, messages: list[dict[str, str]], response_format: dict[str, Any], attempt: int = 0
    ) -> ChatReply:
        """One non-streaming chat completion; every failure becomes an InsightError.

        `attempt` shifts the seed: a retry with the very same seed can repeat the mistake.
        """
        body = {
            "model": self.config.model,
            "messages": messages,
            "response_format": response_format,
            "max_tokens": self.config.max_output_tokens,
            "temperature": self.config.temperature,
            "stream": False,
        }
        if self.config.seed is not None:
            body["seed"] = self.config.seed + attempt
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.config.api_key:  # local servers need none; never send an empty bearer
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        request = urllib.request.Request(
            self.url, data=json.dumps(body).encode(), headers=headers, method="POST"
        )
        raw = self._send(request)
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise InsightError(
                f"the LLM server at {self.url} sent a response that is not JSON: {raw[:200]!r}"
            ) from exc
        if isinstance(data, dict) and data.get("error") and not data.get("choices"):
            # Some servers report errors in a 200 body; treat them like HTTP errors.
            raise LLMHTTPError(self.url, 200, json.dumps(data["error"]))
        choices = data.get("choices") if isinstance(data, dict) else None
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            raise InsightError(f"the LLM server at {self.url} returned no choices")
        message = choices[0].get("message") or {}
        content = message.get("content") if isinstance(message, dict) else None
        return ChatReply(
            content if isinstance(content, str) else None, choices[0].get("finish_reason")
        )

    def _send(self, request: urllib.request.Request) -> str:
        timeout = self.config.timeout
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", errors="replace") if exc.fp else ""
            raise LLMHTTPError(self.url, exc.code, body or str(exc.reason)) from exc
        except urllib.error.URLError as exc:
            # urlopen wraps connect-phase errors (refused, DNS, connect timeout).
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                raise self._timeout() from exc
            raise InsightError(
                f"cannot reach the LLM server at {self.config.base_url}: {exc.reason}"
            ) from exc
        except TimeoutError as exc:  # read-phase timeout is raised bare
            raise self._timeout() from exc
        except (ConnectionError, OSError) as exc:  # reset or dropped mid-reply
            raise InsightError(
                f"lost the connection to the LLM server at {self.config.base_url}: {exc}"
            ) from exc

    def _timeout(self) -> InsightError:
        return InsightError(
            f"the LLM server at {self.config.base_url} did not answer within "
            f"{self.config.timeout:g} s"
        )
