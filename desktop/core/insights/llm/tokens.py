"""Counting tokens as the server's model does, or a conservative estimate where it can't.

Transcript parts must fit the server's context together with the reply, and tokenizers
differ a lot on transcript lines: SmolLM2's gives 2.7 characters a token on numbered,
timestamped caption lines (every digit is a token) and 4.0 on long speaker paragraphs,
where "4 characters a token" would overfill the context. So the server is asked when it
can count (llama-cpp-python: POST /extras/tokenize/count; llama.cpp's llama-server and
vLLM: POST /tokenize), and otherwise (Ollama, LM Studio, hosted APIs) a deliberately
conservative estimate is used: a token per digit, per three other ASCII characters, per
Latin letter with a diacritic, and two per any other character. On the transcripts in the
repository that estimate is 1.1 to 1.4 times SmolLM2's count.
"""

from __future__ import annotations

import logging
import math

from desktop.core.insights.engine import InsightError
from desktop.core.insights.llm.client import ChatClient, server_root

log = logging.getLogger(__name__)

ASCII_CHARS_PER_TOKEN = 3.0
PROBE_TIMEOUT = 15.0  # seconds; a server that takes longer to count gets the estimate


def estimate_tokens(text: str) -> int:
    """A conservative token count for text the server cannot count for us."""
    digits = other_ascii = latin = wide = 0
    for char in text:
        code = ord(char)
        if char.isdigit() and code < 128:
            digits += 1
        elif code < 128:
            other_ascii += 1
        elif code < 0x250:  # Latin-1 and Latin Extended: é, ß, ł
            latin += 1
        else:
            wide += 1
    return digits + math.ceil(other_ascii / ASCII_CHARS_PER_TOKEN) + latin + 2 * wide + 1


class TokenCounter:
    """Counts with the server's tokenizer when it has an endpoint for it (found on first
    use, then remembered), else estimates. `exact` says which, once known."""

    def __init__(self, client: ChatClient) -> None:
        self.client = client
        root = server_root(client.config.base_url)
        self._candidates = [f"{root}/extras/tokenize/count", f"{root}/tokenize"]
        self.endpoint: str | None = None
        self.probed = False
        self.calls = 0  # tokenize requests made (for tests and the report)

    @property
    def exact(self) -> bool:
        if not self.probed:
            self._probe()
        return self.endpoint is not None

    def count(self, text: str) -> int:
        if not self.exact or self.endpoint is None:
            return estimate_tokens(text)
        try:
            return self._ask(self.endpoint, text, self.client.config.timeout)
        except (InsightError, ValueError) as exc:
            # The endpoint worked before: a hiccup, not a missing feature. The estimate is
            # conservative, so planning stays safe.
            log.info("counting tokens failed (%s); estimating", exc)
            return estimate_tokens(text)

    def _probe(self) -> None:
        self.probed = True
        for url in self._candidates:
            try:
                self._ask(url, "Hello, world.", min(PROBE_TIMEOUT, self.client.config.timeout))
            except (InsightError, ValueError) as exc:
                log.info("no token counting at %s (%s)", url, exc)
                continue
            self.endpoint = url
            log.info("counting tokens with %s", url)
            return

    def _ask(self, url: str, text: str, timeout: float) -> int:
        self.calls += 1
        # llama-cpp-python reads "input", llama-server "content", vLLM "model" + "prompt".
        body = {"model": self.client.config.model, "input": text, "content": text}
        body["prompt"] = text
        data = self.client.post_json(url, body, timeout)
        if isinstance(data, dict):
            count = data.get("count")
            if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
                return count
            tokens = data.get("tokens")
            if isinstance(tokens, list):
                return len(tokens)
        # e.g. LM Studio answers unknown routes with 200 and an error object
        raise ValueError(f"unexpected tokenize reply: {str(data)[:120]}")
