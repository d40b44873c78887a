"""Use case: transcribe an episode again, with another model, without losing what a person
added to it; and bring the earlier transcript back.

The new transcript is made in memory while the old one stays shown and searchable; only a
complete run replaces it, in one transaction that also carries the corrections and speaker
names that still fit (desktop/core/transcribe/carry.py), keeps notes at their times, and
keeps the old transcript with its insights for Undo (desktop/core/store/versions.py). A
cancelled or failed run changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from desktop.core.errors import EarmarkError
from desktop.core.media import decode_audio, probe_media
from desktop.core.model import Episode, EpisodeStatus, Segment
from desktop.core.store import Library, TranscriptVersion
from desktop.core.timecode import short
from desktop.core.transcribe import TranscribeOptions, Transcriber
from desktop.core.transcribe.carry import carry_edits
from desktop.services.importing import file_sha256
from desktop.services.transcription import (
    CancelToken,
    ProgressCallback,
    check_language,
    clamp,
    file_identity,
    open_stream,
    progress_report,
)
from desktop.services.whisper_models import record_speed


@dataclass(slots=True)
class Retranscribed:
    episode: Episode
    previous_model: str | None = None
    segments_before: int = 0
    corrections_kept: int = 0
    corrections_lost: list[float] = field(default_factory=list)  # their start times
    notes: int = 0
    cancelled: bool = False

    def summary(self) -> str:
        """One line on what changed: 'Transcribed again with base: 61 segments (was 58
        with tiny.en); 2 of 3 corrections kept, 1 not (at 1:12); 3 notes kept at their
        times.'"""
        episode = self.episode
        parts = [
            f"Transcribed again with {episode.model}: {episode.segment_count} segments "
            f"(was {self.segments_before} with {self.previous_model or 'another model'})"
        ]
        corrections = self.corrections_kept + len(self.corrections_lost)
        if corrections:
            lost = len(self.corrections_lost)
            text = f"{self.corrections_kept} of {corrections} corrections kept"
            if lost:
                times = ", ".join(short(t) for t in self.corrections_lost[:5])
                more = "…" if lost > 5 else ""
                text += f", {lost} not (at {times}{more}: the new segments there differ)"
            parts.append(text)
        if self.notes:
            one = self.notes == 1
            parts.append(
                "1 note kept at its time" if one else f"{self.notes} notes kept at their times"
            )
        return "; ".join(parts) + "."


def retranscribe(
    library: Library,
    episode_id: int,
    load_transcriber: Callable[[], Transcriber],
    options: TranscribeOptions | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> Retranscribed:
    """Transcribe `episode_id`'s media again with the model `load_transcriber` gives."""
    options = options or TranscribeOptions()
    episode = library.episode(episode_id)
    path = _media_of(library, episode)
    info = probe_media(path)
    audio = decode_audio(path, info)
    engine = load_transcriber()
    check_language(engine, options.language or episode.language)
    duration = info.duration or episode.duration or 0.0
    began = time.monotonic()
    new: list[Segment] = []
    position = 0.0
    stream = open_stream(engine, audio, replace(options, previous_text=""), 0.0, cancel)
    for batch in stream.batches:
        position = clamp(batch, position)
        new.extend(batch)
        if on_progress is not None:
            on_progress(progress_report(episode_id, position, 0.0, duration, len(new), began))
        if cancel is not None and cancel.cancelled:
            return Retranscribed(library.episode(episode_id), cancelled=True)
    if cancel is not None and cancel.cancelled:
        return Retranscribed(library.episode(episode_id), cancelled=True)
    if not new:
        raise EarmarkError(
            f"{engine.model} heard no speech in {path.name}; the transcript was left as it was"
        )
    with library.transaction():
        # Read inside the write: a correction made while the model ran is carried too.
        old = library.segments(episode_id)
        carried = carry_edits(old, new)
        language = stream.language or options.language or episode.language
        incoming = TranscriptVersion(carried.segments, engine.engine, engine.model, language)
        library.replace_transcript(episode_id, incoming)
        library.update_episode(episode_id, status=EpisodeStatus.DONE, duration=duration)
        notes = len(library.notes(episode_id))
    record_speed(engine.model, duration, time.monotonic() - began)
    return Retranscribed(
        episode=library.episode(episode_id),
        previous_model=episode.model,
        segments_before=len(old),
        corrections_kept=len(carried.kept),
        corrections_lost=[s.start for s in carried.lost],
        notes=notes,
    )


def restore_previous(library: Library, episode_id: int) -> Episode:
    """Show the transcript the last re-transcription replaced (and keep that one, so the
    same call brings it back again)."""
    library.swap_transcript_back(episode_id)
    return library.episode(episode_id)


def _media_of(library: Library, episode: Episode) -> Path:
    """The episode's media file, checked to be the same bytes it was transcribed from."""
    if episode.media_path is None:
        raise EarmarkError(
            f"episode {episode.id} was imported from a transcript and has no audio to "
            "transcribe again"
        )
    if episode.status in (EpisodeStatus.TRANSCRIBING, EpisodeStatus.PENDING):
        raise EarmarkError(
            f"episode {episode.id} is not fully transcribed yet ({episode.status}): let it "
            "finish, or resume it, before transcribing it again"
        )
    path = Path(episode.media_path)
    if not path.is_file():
        raise EarmarkError(
            f"{path}: the media of episode {episode.id} is not there any more; open the file "
            "from where it is now, then transcribe it again"
        )
    identity = file_identity(path)
    sha = library.cached_hash(*identity) or file_sha256(path)
    if episode.media_sha256 and sha != episode.media_sha256:
        raise EarmarkError(
            f"{path}: this file changed since episode {episode.id} was transcribed from it; "
            "open it as a new episode instead"
        )
    return path
