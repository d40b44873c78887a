"""Use case: open a file the user pointed at, whatever it is (CLI `open`, the window).

A transcript file is imported; audio or video is transcribed (or resumed); a file the
library already knows opens its episode without reading the media again.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from desktop.core.errors import EarmarkError
from desktop.core.importers import TRANSCRIPT_SUFFIXES
from desktop.core.model import Episode
from desktop.core.settings import Settings, load_settings, parse_value
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
from desktop.core.transcribe.child import ChildTranscriber
from desktop.core.transcribe.remote import RemoteServer, RemoteTranscriber
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
    in_process: bool | None = None  # None: $EARMARK_TRANSCRIBE_IN_PROCESS, else a child
    server: RemoteServer | None = None  # a Whisper server of the user's instead of `model`

    def loader(self) -> Callable[[], Transcriber]:
        server = self.server
        if server is not None:
            return lambda: RemoteTranscriber(server)
        return lambda: shared_transcriber(self.model, self.in_process)


# Set (to 1) to run faster-whisper in this process, as tests and benchmarks may want; by
# default it runs in a child process, where a crash in native code ends only the child.
IN_PROCESS_ENV = "EARMARK_TRANSCRIBE_IN_PROCESS"

_loaded: dict[tuple[ModelSpec, bool], Transcriber] = {}
_loading = threading.Lock()


def in_process_default() -> bool:
    return os.environ.get(IN_PROCESS_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def shared_transcriber(model: ModelSpec, in_process: bool | None = None) -> Transcriber:
    """One engine per model folder for the life of the process.

    By default the engine is a child process (desktop/core/transcribe/child.py) that loads
    the model once (~1 s) and then transcribes file after file; it is started here without
    waiting, and a load failure is reported by the transcription that needs the model, so
    an episode it was for is marked failed. `in_process` (default: $EARMARK_TRANSCRIBE_
    IN_PROCESS) loads faster-whisper here instead. Transcriptions run one at a time, so
    sharing is safe.
    """
    if in_process is None:
        in_process = in_process_default()
    with _loading:
        key = (model, in_process)
        if key not in _loaded:
            if in_process:
                _loaded[key] = load_transcriber(model)
            else:
                child = ChildTranscriber(model)
                child.start()
                _loaded[key] = child
        return _loaded[key]


def close_transcribers() -> None:
    """End the transcription processes (the window calls this as it closes; at exit they
    end anyway). The next transcription starts a fresh one."""
    with _loading:
        engines = list(_loaded.values())
        _loaded.clear()
    for engine in engines:
        if isinstance(engine, ChildTranscriber):
            engine.close()


def preload(settings: Settings | None = None) -> None:
    """Start loading the configured model now (on a thread of the caller's choosing): the
    child process is spawned and loads it while the caller goes on. A problem is left for
    the transcription itself to report, with the file it was for."""
    try:
        choice = engine_choice(settings=settings)
        if choice.server is None:  # a server of the user's loads its own model
            shared_transcriber(choice.model)
    except Exception:
        return


def engine_choice(
    model: str | None = None,
    language: str | None = None,
    beam_size: int | None = None,
    vad: bool | None = None,
    settings: Settings | None = None,
    server: str | None = None,
    local: bool = False,
) -> EngineChoice:
    """Flag, then environment (`EARMARK_MODEL`, `EARMARK_STT_SERVERS`), then saved
    setting, then default. A Whisper server (`server`, else the first configured one) is
    used unless `local` says this machine.

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
    # A model named on its own is one of this machine's.
    remote = (
        None if local or (model is not None and server is None) else stt_server(server, settings)
    )
    if remote is not None:
        return EngineChoice(resolve_model(None), options, server=remote)
    # A listed model's name ("base") is its folder in the data folder (whisper_models).
    return EngineChoice(resolve_model(model_folder(folder)), options)


STT_SERVERS_ENV = "EARMARK_STT_SERVERS"
STT_API_KEY_ENV = "EARMARK_STT_API_KEY"


def stt_server(url: str | None, settings: Settings) -> RemoteServer | None:
    """The Whisper server to use: the one given, else the first configured (flag, then
    $EARMARK_STT_SERVERS, then the stt_servers setting), with its key from the variable
    the user named (stt_api_key_env, else $EARMARK_STT_API_KEY)."""
    urls = stt_server_urls(url, settings)
    if not urls:
        return None
    key = os.environ.get(settings.stt_api_key_env or STT_API_KEY_ENV) or None
    return RemoteServer(urls[0], settings.stt_model or "whisper-1", key)


def stt_server_urls(given: str | None = None, settings: Settings | None = None) -> list[str]:
    """The Whisper servers to use, in order: those `given` (a flag, comma-separated),
    else $EARMARK_STT_SERVERS, else the stt_servers setting; none by default. A URL that
    is not http(s) is one clear error."""
    configured = given or os.environ.get(STT_SERVERS_ENV)
    if not configured:
        configured = (settings or load_settings()).stt_servers
    if not configured:
        return []
    return parse_value("stt_servers", configured).split(",")


def engine_on(slot: str | None) -> Callable[[], EngineChoice]:
    """The engine choice for a queue slot: None the default (the first server when one
    is configured, else this machine), "local" this machine, else that server's URL."""
    if slot is None:
        return engine_choice
    if slot == LOCAL_SLOT:
        return partial(engine_choice, local=True)
    return partial(engine_choice, server=slot)


LOCAL_SLOT = "local"


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
