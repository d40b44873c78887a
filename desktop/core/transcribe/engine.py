"""The transcription engine protocol shared by every implementation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from desktop.core.model import Segment

# Greedy decoding: faster than beam 5 with the embedded tiny.en on 2 cores, at the same
# word error rate on the test recordings (see bench/transcribe.py and the README).
DEFAULT_BEAM_SIZE = 1


@dataclass(frozen=True, slots=True)
class TranscribeOptions:
    language: str | None = None  # None: English for .en models, detected for the others
    beam_size: int = DEFAULT_BEAM_SIZE
    vad_filter: bool = True
    # The episode's text stored before `resume_at` ("" for a new one). Given, each clip is
    # decoded with the last words before it as Whisper's prompt, which keeps punctuation
    # and capitals (clips decoded without context often come out as long lower-case runs,
    # issue 16.4); a resumed run then prompts its first clip exactly as an uninterrupted
    # run did. None: clips are decoded independently.
    previous_text: str | None = None
    # The prompt where no earlier words are known (the first clip, or every clip when
    # previous_text is None); None: none.
    prompt: str | None = None


@dataclass(slots=True)
class TranscriptionStream:
    """Segments in batches, each safe to store as one unit (a clip, for faster-whisper);
    `language` is known before the first batch."""

    language: str | None
    batches: Iterator[list[Segment]]


class Transcriber(Protocol):
    engine: str  # stored in episodes.engine, e.g. "faster-whisper"
    model: str  # stored in episodes.model, e.g. "tiny.en"
    multilingual: bool

    def stream(
        self, audio: np.ndarray, options: TranscribeOptions, resume_at: float = 0.0
    ) -> TranscriptionStream:
        """Transcribe a whole episode's 16 kHz mono float32 audio, skipping what lies
        before `resume_at` (the end of the last stored segment) exactly as an
        uninterrupted run would have produced it."""
        ...
