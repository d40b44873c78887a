"""The prompt each clip is decoded with: the last words transcribed before it.

Shared by every engine (local and remote), so a clip gets the same prompt wherever it is
decoded, and a resumed run (which reads the stored text back) the same as an
uninterrupted one.
"""

from __future__ import annotations

import zlib

from desktop.core.model import Segment

__all__ = ["MAX_COMPRESSION_RATIO", "PROMPT_WORDS", "Prompts", "prompt_from", "tail"]

# Words of earlier text in a clip's prompt: enough for Whisper to carry on the style
# (punctuation, capitals, names); faster-whisper keeps at most the last 223 tokens. 100
# words left no unpunctuated run on the NASA sample with tiny.en where 20 and 40 left one,
# at the same word error rate (bench/punctuation.py).
PROMPT_WORDS = 100
# Whisper's own limit (compression_ratio_threshold) for a decoding gone into a loop:
# text that repeats itself is no prompt to give the next clip.
MAX_COMPRESSION_RATIO = 2.4


def tail(text: str, words: int = PROMPT_WORDS) -> str:
    """The last `words` words of `text`, spaces normalised: a resumed run, given the whole
    stored text, and an uninterrupted one, adding clip by clip, get the same string."""
    return " ".join(text.split()[-words:])


def prompt_from(context: str) -> str | None:
    """The prompt for the next clip from the words before it, or None: at the start, or
    after a clip whose text loops ("Thank you. Thank you. ..."), which a prompt would carry
    on into the next clip."""
    if not context:
        return None
    data = context.encode("utf-8")
    if len(data) / len(zlib.compress(data)) > MAX_COMPRESSION_RATIO:
        return None
    return context


class Prompts:
    """The prompt for each clip in turn: the last words before it when the caller gave the
    text stored so far (`previous_text`), else the fixed prompt, if any."""

    def __init__(self, previous_text: str | None, fixed: str | None = None) -> None:
        self._context = None if previous_text is None else tail(previous_text)
        self._fixed = fixed

    def next(self) -> str | None:
        context = prompt_from(self._context) if self._context is not None else None
        return context or self._fixed

    def heard(self, batch: list[Segment]) -> None:
        """A clip's segments, to prompt the clip after it."""
        if self._context is not None:
            self._context = tail(" ".join([self._context, *(s.text for s in batch)]))
