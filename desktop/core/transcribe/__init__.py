"""Local speech-to-text: the Transcriber protocol, faster-whisper, and model folders."""

from __future__ import annotations

from pathlib import Path

from desktop.core.transcribe.engine import (
    DEFAULT_BEAM_SIZE,
    TranscribeOptions,
    Transcriber,
    TranscriptionStream,
)
from desktop.core.transcribe.models import (
    EMBEDDED_MODEL_NAME,
    ModelSpec,
    check_model_dir,
    embedded_model_dir,
    language_code,
    resolve_model,
)

__all__ = [
    "DEFAULT_BEAM_SIZE",
    "EMBEDDED_MODEL_NAME",
    "ModelSpec",
    "TranscribeOptions",
    "Transcriber",
    "TranscriptionStream",
    "check_model_dir",
    "embedded_model_dir",
    "language_code",
    "resolve_model",
]


def load_transcriber(model: ModelSpec | str | Path | None = None) -> Transcriber:
    """The default engine for a model (a checked spec, a folder, or None: embedded tiny.en)."""
    from desktop.core.transcribe.faster_whisper_engine import FasterWhisperTranscriber

    spec = model if isinstance(model, ModelSpec) else resolve_model(model)
    return FasterWhisperTranscriber(spec)
