"""Use case: open a file the user pointed at, whatever it is (CLI `open`, the window).

A transcript file is imported; audio or video is transcribed (or resumed); a file the
library already knows opens its episode without reading the media again.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from desktop.core.errors import EarmarkError
from desktop.core.importers import TRANSCRIPT_SUFFIXES
from desktop.core.model import Episode
from desktop.core.settings import Settings, load_settings
from desktop.core.store import Library
from desktop.core.transcribe import (
    DEFAULT_BEAM_SIZE,
    ModelSpec,
    TranscribeOptions,
    Transcriber,
    language_code,
    load_transcriber,
    resolve_model,
)
from desktop.services.importing import file_sha256, import_transcript
from desktop.services.transcription import (
    CancelToken,
    ProgressCallback,
    file_identity,
    transcribe_media,
)
from desktop.services.whisper_models import model_folder


def is_transcript_file(path: Path) -> bool:
    return Path(path).suffix.lower() in TRANSCRIPT_SUFFIXES


@dataclass(frozen=True, slots=True)
class EngineChoice:
    """The model and decoding options for one transcription, after precedence."""

    model: ModelSpec
    options: TranscribeOptions

    def loader(self) -> Callable[[], Transcriber]:
        return lambda: shared_transcriber(self.model)


_loaded: dict[ModelSpec, Transcriber] = {}
_loading = threading.Lock()


def shared_transcriber(model: ModelSpec) -> Transcriber:
    """One loaded engine per model folder for the life of the process.

    Loading takes ~0.4 s, and CTranslate2 holds the GIL for ~90 ms of it: the window loads
    the model while it is being built (`preload`), where that pause is not seen, and every
    later transcription reuses it. Transcriptions run one at a time, so sharing is safe.
    """
    with _loading:
        if model not in _loaded:
            _loaded[model] = load_transcriber(model)
        return _loaded[model]


def preload(settings: Settings | None = None) -> None:
    """Load the configured model now (on a thread of the caller's choosing). A problem is
    left for the transcription itself to report, with the file it was for."""
    try:
        shared_transcriber(engine_choice(settings=settings).model)
    except Exception:
        return


def engine_choice(
    model: str | None = None,
    language: str | None = None,
    beam_size: int | None = None,
    vad: bool | None = None,
    settings: Settings | None = None,
) -> EngineChoice:
    """Flag, then environment (`EARMARK_MODEL`), then saved setting, then default.

    A bad model folder fails here, before any work.
    """
    settings = settings or load_settings()
    beam = beam_size if beam_size is not None else settings.beam_size
    beam = DEFAULT_BEAM_SIZE if beam is None else beam
    if beam < 1:
        raise EarmarkError("the beam size must be at least 1")
    folder = model or os.environ.get("EARMARK_MODEL") or settings.model_dir
    if vad is None:
        vad = settings.vad if settings.vad is not None else True
    options = TranscribeOptions(
        language=language_code(language or settings.language), beam_size=beam, vad_filter=vad
    )
    # A listed model's name ("base") is its folder in the data folder (whisper_models).
    return EngineChoice(resolve_model(model_folder(folder)), options)


def known_episode(library: Library, path: Path) -> Episode | None:
    """The episode already made from this file, found without decoding media.

    Media is looked up by its remembered hash (path, size and mtime unchanged), so this
    is quick enough for the UI thread; an unknown media file returns None.
    """
    path = Path(path)
    if not path.is_file():
        return None
    try:
        if is_transcript_file(path):
            return library.find_episode(source_sha256=file_sha256(path))
        sha = library.cached_hash(*file_identity(path))
    except (OSError, UnicodeEncodeError):  # a name that is not UTF-8 was never stored
        return None
    return library.find_episode(media_sha256=sha) if sha else None


def open_path(
    library: Library,
    path: Path,
    engine: Callable[[], EngineChoice],
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> Episode:
    """Import a transcript or transcribe media; returns the episode as it now stands.

    `engine` is called only for media, so importing never checks a model folder.
    """
    path = Path(path)
    if not path.exists():
        raise EarmarkError(f"{path}: no such file")
    if path.is_dir():
        raise EarmarkError(f"{path}: is a folder; open the files inside it")
    if is_transcript_file(path):
        return import_transcript(library, path).episode
    choice = engine()
    result = transcribe_media(
        library, path, choice.loader(), choice.options, on_progress=on_progress, cancel=cancel
    )
    return result.episode
