"""Domain values shared by every layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from desktop.core.insights.payload import Insights


@dataclass(frozen=True, slots=True)
class Word:
    """One recognised word with its own timing (from Whisper word timestamps)."""

    start: float
    end: float
    text: str
    probability: float | None = None


@dataclass(slots=True)
class Segment:
    """A timed piece of transcript; its position in the episode is its index.

    `edited` is True once a person has corrected the text (see desktop.services.editing).
    """

    start: float
    end: float
    text: str
    speaker: str | None = None
    words: list[Word] | None = None
    edited: bool = False


@dataclass(frozen=True, slots=True)
class Chapter:
    start: float
    title: str
    made: bool = False  # made by Earmark from the transcript, not the episode's own


@dataclass(slots=True)
class Transcript:
    """What an importer or a transcription engine produces, before it is stored."""

    segments: list[Segment]
    format: str
    title: str | None = None
    language: str | None = None
    chapters: list[Chapter] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return max((s.end for s in self.segments), default=0.0)


class EpisodeStatus(StrEnum):
    PENDING = "pending"
    TRANSCRIBING = "transcribing"
    DONE = "done"
    FAILED = "failed"


class EpisodeSource(StrEnum):
    IMPORTED = "imported"
    TRANSCRIBED = "transcribed"


@dataclass(slots=True)
class Episode:
    id: int
    title: str
    status: EpisodeStatus
    source: EpisodeSource
    created: str
    updated: str
    media_path: str | None = None
    media_sha256: str | None = None
    source_path: str | None = None
    source_sha256: str | None = None
    duration: float | None = None
    language: str | None = None
    engine: str | None = None
    model: str | None = None
    segment_count: int = 0


@dataclass(slots=True)
class Note:
    id: int
    episode_id: int
    text: str
    created: str
    segment_idx: int | None = None
    time: float | None = None


@dataclass(slots=True)
class EpisodeDocument:
    """Everything the exporters need about one episode, read in one go from the store."""

    episode: Episode
    segments: list[Segment]
    chapters: list[Chapter] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    insights: Insights | None = None


@dataclass(slots=True)
class Show:
    """A podcast the user subscribed to: its feed and what the feed last said about it."""

    id: int
    feed_url: str
    title: str
    added: str
    link: str | None = None
    description: str = ""
    author: str | None = None
    artwork_url: str | None = None
    language: str | None = None  # what the feed says its episodes are in ("de")
    auto_download: bool = False
    refreshed: str | None = None
    item_count: int = 0


@dataclass(slots=True)
class ShowItem:
    """One episode a show's feed lists; `episode_id` once it is in the library."""

    id: int
    show_id: int
    guid: str
    title: str
    first_seen: str
    published: str | None = None
    duration: float | None = None
    description: str = ""
    enclosure_url: str | None = None
    enclosure_type: str | None = None
    enclosure_length: int | None = None
    transcript_url: str | None = None
    transcript_type: str | None = None
    chapters_url: str | None = None
    link: str | None = None
    episode_id: int | None = None


class QueueState(StrEnum):
    WAITING = "waiting"
    RUNNING = "running"
    HELD = "held"  # paused by the user: skipped until released
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class QueueEntry:
    """One piece of work in the window's transcription queue, kept in the library so that
    the queue survives a restart: `kind` says what makes its job ("media": a file to
    transcribe; "again": an episode with another model; "feed": a podcast episode to get),
    `subject` what it works on (a path, or JSON)."""

    id: int
    kind: str
    subject: str
    title: str
    state: QueueState
    position: float
    added: str
    episode_id: int | None = None
    engine: str | None = None  # what transcribed it ("tiny.en", a server's URL)
    error: str | None = None
    ended: str | None = None

    @property
    def active(self) -> bool:
        return self.state in (QueueState.WAITING, QueueState.RUNNING, QueueState.HELD)
