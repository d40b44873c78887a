"""Use case: transcribe a media file into the library, streaming, cancellable, resumable.

Segments are committed as they arrive, so a reader (the window, `earmark show` in another
shell) sees them at once and a crash loses at most the segment being decoded. The episode
stays `transcribing` until the end; opening it again resumes from the end of the last
stored segment.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from desktop.core.errors import EarmarkError, ModelNeededError
from desktop.core.media import MediaInfo, decode_audio, probe_media
from desktop.core.model import Episode, EpisodeSource, EpisodeStatus, Segment
from desktop.core.store import Library
from desktop.core.transcribe import TranscribeOptions, Transcriber, TranscriptionStream
from desktop.core.transcribe.language_guess import CHECK_SECONDS, probably_not_english
from desktop.services.importing import file_sha256, title_from_path
from desktop.services.whisper_models import record_speed


@dataclass(frozen=True, slots=True)
class Progress:
    episode_id: int
    position: float  # end of the last stored segment, seconds
    duration: float
    segments: int  # stored so far, this run and earlier ones
    elapsed: float  # wall seconds in this run
    speed: float | None  # audio seconds per wall second in this run
    eta: float | None  # wall seconds left, from the measured speed
    warning: str | None = None  # said once: e.g. the audio seems not to be English

    @property
    def fraction(self) -> float:
        return min(1.0, self.position / self.duration) if self.duration > 0 else 0.0


@dataclass(slots=True)
class TranscriptionResult:
    episode: Episode
    resumed_from: float | None  # where this run started when it continued an earlier one
    cancelled: bool = False
    already_done: bool = False


class CancelToken:
    """Set from any thread; the transcription stops after the segment being decoded.

    `event` may be a multiprocessing Event, so that work in another process can be told
    to stop the same way.
    """

    def __init__(self, event: threading.Event | None = None) -> None:
        self._event = event if event is not None else threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


ProgressCallback = Callable[[Progress], None]


def file_identity(path: Path) -> tuple[str, int, int]:
    """(resolved path, size, mtime in ns): while these match, the content hash is reused
    (what git and rsync trust too), so reopening a large video is instant."""
    resolved = path.resolve()
    stat = resolved.stat()
    return str(resolved), stat.st_size, stat.st_mtime_ns


def find_media_episode(library: Library, path: Path, sha: str) -> Episode | None:
    """The episode for these media bytes; a moved or renamed file updates its path."""
    episode = library.find_episode(media_sha256=sha)
    if episode is not None and episode.media_path != str(path.resolve()):
        episode = library.update_episode(episode.id, media_path=str(path.resolve()))
    return episode


def check_storable_name(path: Path) -> None:
    """Refuse a media file whose name is not UTF-8 text before anything is read or written.

    The episode keeps its media's path to play it again, so the path must be stored as it
    is; such a name (bytes from another encoding) cannot be put in the library as text,
    and replacing the bad bytes would store a path that no longer opens the file.
    """
    try:
        str(path.resolve()).encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(path).decode("utf-8", "backslashreplace")  # bad bytes shown as \xe9
        raise EarmarkError(
            f"{shown}: the file name is not valid UTF-8, so the library cannot keep its "
            "path to play it again; rename the file (for example with convmv) and open it "
            "again"
        ) from None


def transcribe_media(
    library: Library,
    path: Path,
    load_transcriber: Callable[[], Transcriber],
    options: TranscribeOptions | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> TranscriptionResult:
    """Transcribe `path` (or resume it, or return it when already done).

    `load_transcriber` is called only when there is work to do, so opening a finished
    episode never pays for loading a model. Media problems raise MediaError before
    anything is written.
    """
    path = Path(path)
    check_storable_name(path)
    options = options or TranscribeOptions()
    info = probe_media(path)
    identity = file_identity(path)
    sha = library.cached_hash(*identity) or file_sha256(path)
    episode = find_media_episode(library, path, sha)
    if episode is not None and episode.status is EpisodeStatus.DONE:
        library.remember_hash(*identity, sha)
        return TranscriptionResult(episode, None, already_done=True)

    resume_from = library.last_segment_end(episode.id) if episode is not None else None
    # The whole file is decoded even when resuming: the engine plans its clips over the
    # whole episode so that a resumed run matches an uninterrupted one.
    audio = decode_audio(path, info)
    library.remember_hash(*identity, sha)  # only for media that decoded: no trace otherwise
    engine = load_transcriber()
    check_language(engine, options.language or (episode.language if episode else None))
    episode = _start_episode(library, episode, path, info, sha, engine)
    return _run(library, episode, engine, audio, options, resume_from, on_progress, cancel)


def _start_episode(
    library: Library,
    episode: Episode | None,
    path: Path,
    info: MediaInfo,
    sha: str,
    engine: Transcriber,
) -> Episode:
    if episode is None:
        return library.create_episode(
            title=info.title or title_from_path(path),
            source=EpisodeSource.TRANSCRIBED,
            status=EpisodeStatus.TRANSCRIBING,
            media_path=str(path.resolve()),
            media_sha256=sha,
            duration=info.duration,
            engine=engine.engine,
            model=engine.model,
        )
    return library.update_episode(
        episode.id,
        status=EpisodeStatus.TRANSCRIBING,
        duration=info.duration,
        engine=engine.engine,
        model=engine.model,
    )


def _run(
    library: Library,
    episode: Episode,
    engine: Transcriber,
    audio: np.ndarray,
    options: TranscribeOptions,
    resume_from: float | None,
    on_progress: ProgressCallback | None,
    cancel: CancelToken | None,
) -> TranscriptionResult:
    start = resume_from or 0.0
    duration = episode.duration or 0.0
    stored = library.segment_count(episode.id)
    began = time.monotonic()
    position = start
    if cancel is not None and cancel.cancelled:
        return TranscriptionResult(episode, resume_from, cancelled=True)
    if episode.language and options.language is None:
        options = replace(options, language=episode.language)  # the language detected before
    # Each clip is prompted with the text before it (Whisper then keeps its punctuation and
    # capitals); the stored text prompts the first clip after a resume exactly as the
    # uninterrupted run prompted it.
    stored_text = " ".join(s.text for s in library.segments(episode.id, words=False))
    options = replace(options, previous_text=stored_text)
    if on_progress is not None:  # the episode exists now: a window can show it at once
        on_progress(progress_report(episode.id, position, start, duration, stored, began))
    try:
        stream = open_stream(engine, audio, options, start, cancel)
        if stream.language and not episode.language:
            library.update_episode(episode.id, language=stream.language)
        guess = _LanguageGuess(engine, options, start)
        for batch in stream.batches:
            position = clamp(batch, position)
            stored += library.append_segments(episode.id, batch)
            warning = guess.after(batch, position)
            if on_progress is not None:
                report = progress_report(episode.id, position, start, duration, stored, began)
                on_progress(replace(report, warning=warning) if warning else report)
            if cancel is not None and cancel.cancelled:
                return TranscriptionResult(library.episode(episode.id), resume_from, cancelled=True)
        if cancel is not None and cancel.cancelled:  # an engine that stopped inside a batch
            return TranscriptionResult(library.episode(episode.id), resume_from, cancelled=True)
    except Exception:
        # Any failure, ours or the engine's, leaves the episode `failed` with what it
        # stored (opening it again resumes); Ctrl+C and cancel are not failures.
        _mark_failed(library, episode.id)
        raise
    done = library.update_episode(episode.id, status=EpisodeStatus.DONE)
    # How fast this model is on this machine, for `earmark model list` and Settings.
    record_speed(engine.model, duration - start, time.monotonic() - began)
    if on_progress is not None:
        report = progress_report(episode.id, duration, start, duration, stored, began)
        warning = guess.finish()  # a file shorter than the check's span
        on_progress(replace(report, warning=warning) if warning else report)
    return TranscriptionResult(done, resume_from)


def clamp(batch: list[Segment], position: float) -> float:
    """Never store overlap, whatever the engine's timing jitter: each segment starts at
    or after `position`, the end of the one before. Returns the end of the last."""
    for segment in batch:
        segment.start = max(segment.start, position)
        segment.end = max(segment.end, segment.start)
        position = segment.end
    return position


class _LanguageGuess:
    """Once, after the first CHECK_SECONDS of a new transcript by an English-only model
    with no language asked for: a warning when the audio seems not to be English."""

    def __init__(self, engine: Transcriber, options: TranscribeOptions, start: float) -> None:
        self.active = not engine.multilingual and options.language is None and start == 0
        self.model = engine.model
        self.heard: list[Segment] = []

    def after(self, batch: list[Segment], position: float) -> str | None:
        if not self.active:
            return None
        self.heard.extend(batch)
        return self.finish() if position >= CHECK_SECONDS else None

    def finish(self) -> str | None:
        if not self.active:
            return None
        self.active = False
        if not probably_not_english(self.heard):
            return None
        return (
            f"this does not sound like English, and {self.model} transcribes English only: "
            "for other languages fetch a multilingual model ('earmark model pull base') and "
            "transcribe it again with it"
        )


def open_stream(
    engine: Transcriber,
    audio: np.ndarray,
    options: TranscribeOptions,
    start: float,
    cancel: CancelToken | None,
) -> TranscriptionStream:
    """The engine's stream; an engine that can stop inside a batch (the child process:
    it is killed) is told how to see the cancel, the others are checked between batches."""
    if cancel is not None and getattr(engine, "interruptible", False):
        return engine.stream(  # type: ignore[call-arg]
            audio, options, resume_at=start, cancelled=lambda: cancel.cancelled
        )
    return engine.stream(audio, options, resume_at=start)


def _mark_failed(library: Library, episode_id: int) -> None:
    """Best effort: the error that got us here (a full disk, say) is the one to report."""
    with suppress(sqlite3.Error, EarmarkError):
        library.update_episode(episode_id, status=EpisodeStatus.FAILED)


def check_language(engine: Transcriber, language: str | None) -> None:
    """An English-only model would transcribe English whatever language was asked for:
    refuse that before anything is stored."""
    if language and language != "en" and not engine.multilingual:
        raise ModelNeededError(
            f"the model {engine.model} transcribes English only, not {language!r}: fetch a "
            "multilingual one ('earmark model pull base', then 'earmark model use base' or "
            "--model base), or leave the language unset",
            model="base",
        )


def progress_report(
    episode_id: int, position: float, start: float, duration: float, stored: int, began: float
) -> Progress:
    elapsed = time.monotonic() - began
    speed = (position - start) / elapsed if elapsed > 0 and position > start else None
    eta = max(0.0, duration - position) / speed if speed else None
    return Progress(episode_id, position, duration, stored, elapsed, speed, eta)
