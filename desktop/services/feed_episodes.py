"""Use case: one episode of a show, from its feed into the library.

The media is downloaded by the one downloader (resume after a dropped connection or a
restart, size checked, a web page refused, a temporary name until complete) into
`Podcasts/<show>/` beside the library, under a name made safe whatever the feed says.
Then, when the feed links the publisher's own transcript, that is imported (seconds, with
the publisher's speaker names) and linked to the media so the episode plays; otherwise, or
when the transcript cannot be read, the media is transcribed like any opened file. The
publisher's chapters are added when the episode has none.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from dataclasses import replace as dataclass_replace
from pathlib import Path
from urllib.parse import urlsplit

from desktop.core.downloads import DownloadError, DownloadProgress, binary_only, download, fetch
from desktop.core.downloads.addresses import RefusedURL, public_addresses
from desktop.core.errors import EarmarkError
from desktop.core.exporters.files import safe_stem
from desktop.core.feeds import FeedError, chapters_from_notes, parse_chapters_json
from desktop.core.feeds.names import media_suffix
from desktop.core.importers import load_transcript
from desktop.core.model import Episode, EpisodeStatus, Show, ShowItem
from desktop.core.store import Library
from desktop.core.transcribe import language_code
from desktop.services.importing import file_sha256, store_transcript
from desktop.services.opening import EngineChoice
from desktop.services.transcription import (
    CancelToken,
    ProgressCallback,
    file_identity,
    transcribe_media,
)

MAX_TRANSCRIPT_BYTES = 32 * 1024 * 1024
PUBLISHER = "publisher"  # the engine of an episode whose transcript came with its feed
MAX_CHAPTERS_BYTES = 4 * 1024 * 1024
# MIME types of podcast:transcript the importers read, with the suffix that says so.
TRANSCRIPT_SUFFIXES = {
    "application/json": ".json",
    "text/vtt": ".vtt",
    "application/x-subrip": ".srt",
    "application/srt": ".srt",
    "text/srt": ".srt",
    "text/plain": ".txt",
}


@dataclass(slots=True)
class GotEpisode:
    item: ShowItem
    episode: Episode
    how: str  # "the publisher's transcript", "transcribed", "already in the library"
    warnings: list[str] = field(default_factory=list)
    cancelled: bool = False


def podcast_folder(library: Library, show: Show) -> Path:
    """Where a show's media goes: beside the library, so it moves with it."""
    return library.path.parent / "Podcasts" / safe_stem(show.title, "Podcast")


def media_destination(library: Library, show: Show, item: ShowItem) -> Path:
    assert item.enclosure_url is not None
    date = (item.published or "")[:10]
    name = safe_stem(f"{date} {item.title}".strip(), "episode")
    return podcast_folder(library, show) / (
        name + media_suffix(item.enclosure_url, item.enclosure_type)
    )


def download_item(
    library: Library,
    item: ShowItem,
    progress: Callable[[DownloadProgress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    local: bool | None = None,
) -> Path:
    """The item's media on disk (downloaded now, resumed, or already there). `local`:
    whether its feed is served from this network (feed_is_local; found when None)."""
    if not item.enclosure_url:
        raise EarmarkError(f"“{item.title}” has no audio or video in its feed")
    show = library.show(item.show_id)
    dest = media_destination(library, show, item)
    if dest.is_file():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    return download(
        item.enclosure_url,
        dest,
        progress=progress,
        cancelled=cancelled,
        accept=binary_only,
        allow_private=feed_is_local(show.feed_url) if local is None else local,
    )


def feed_is_local(feed_url: str) -> bool:
    """Whether a feed is served from this machine or this network. Only then may the URLs
    it names (media, transcripts, chapters) reach local or private addresses: a feed from
    the internet must not make Earmark probe the user's router or localhost services."""
    parts = urlsplit(feed_url)
    try:
        public_addresses(parts.hostname or "", parts.port or 443)
    except RefusedURL:
        return True
    except OSError:  # a name that does not resolve now: treat it as from the internet
        return False
    return False


def get_item(
    library: Library,
    item_id: int,
    engine: Callable[[], EngineChoice],
    on_download: Callable[[DownloadProgress], None] | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> GotEpisode:
    """Download an item and make it an episode: the publisher's transcript, else
    transcription. An item already made into a finished episode is returned as it is."""
    item = library.show_item(item_id)
    if item.episode_id is not None:
        episode = library.episode(item.episode_id)
        if episode.status is EpisodeStatus.DONE:
            return GotEpisode(item, episode, "already in the library")
    cancelled = (lambda: cancel.cancelled) if cancel is not None else None
    show = library.show(item.show_id)
    local = feed_is_local(show.feed_url)  # once: it may look the feed's host up
    media = download_item(library, item, on_download, cancelled, local)
    tried = _publisher_transcript(library, item, media, local)
    if tried.episode is not None:
        got = GotEpisode(item, tried.episode, tried.how, tried.warnings)
    else:
        choice = _in_show_language(engine(), show)
        result = transcribe_media(
            library, media, choice.loader(), choice.options, on_progress, cancel
        )
        how = "transcribed"
        if result.already_done:  # the same audio under another item (a re-run episode)
            how = f"already in the library, as “{result.episode.title}”"
        got = GotEpisode(item, result.episode, how, tried.warnings, result.cancelled)
    episode = got.episode
    if not got.how.startswith("already"):
        episode = library.update_episode(episode.id, title=item.title)
    library.link_item(item.id, episode.id)
    got.warnings += _add_chapters(library, item, episode.id, local)
    got.episode = library.episode(episode.id)
    got.item = library.show_item(item.id)
    return got


@dataclass(slots=True)
class _Tried:
    episode: Episode | None = None
    how: str = ""
    warnings: list[str] = field(default_factory=list)


def _publisher_transcript(library: Library, item: ShowItem, media: Path, local: bool) -> _Tried:
    """The feed's own transcript as the episode; none, with a warning saying why, when it
    cannot be used (the media is then transcribed)."""
    if not item.transcript_url:
        return _Tried()
    suffix = TRANSCRIPT_SUFFIXES.get((item.transcript_type or "").split(";")[0].strip().lower())
    if suffix is None:
        return _not_used(
            item, f"its type {item.transcript_type or '(none)'} is not one Earmark reads"
        )
    try:
        fetched = fetch(item.transcript_url, max_bytes=MAX_TRANSCRIPT_BYTES, allow_private=local)
        path = media.with_name(f"{media.stem}.transcript{suffix}")
        _write_atomically(path, fetched.body)
        transcript = load_transcript(path)
        if not transcript.segments:
            raise EarmarkError("it holds no timed text")
    except (DownloadError, EarmarkError) as exc:
        return _not_used(item, str(exc))
    sha = file_sha256(media)
    existing = library.find_episode(media_sha256=sha)
    if existing is not None and existing.status is EpisodeStatus.DONE:
        return _Tried(existing, f"already in the library, as “{existing.title}”")
    episode = store_transcript(
        library,
        transcript,
        path,
        file_sha256(path),
        title=item.title,
        media_path=str(media.resolve()),
        media_sha256=sha,
        engine=PUBLISHER,  # the library says "transcript from the publisher"
    )
    library.remember_hash(*file_identity(media), sha)
    return _Tried(episode, "the publisher's transcript", list(transcript.warnings))


def _not_used(item: ShowItem, why: str) -> _Tried:
    return _Tried(
        warnings=[
            f"the publisher's transcript of “{item.title}” was not used ({why}); "
            "transcribed instead"
        ]
    )


def _in_show_language(choice: EngineChoice, show: Show) -> EngineChoice:
    """The feed says what language its episodes are in: Whisper is told, unless the user
    chose one. An English-only model then refuses a German show up front, naming the
    model to fetch, instead of writing English-sounding nonsense."""
    if choice.options.language is not None or not show.language:
        return choice
    try:
        code = language_code(show.language)
    except EarmarkError:  # a code Whisper does not know: let it detect
        return choice
    return dataclass_replace(choice, options=dataclass_replace(choice.options, language=code))


def _add_chapters(library: Library, item: ShowItem, episode_id: int, local: bool) -> list[str]:
    """The publisher's chapters when the episode has none: the feed's chapters file, else
    marks written in the show notes ("12:34 Topic"); a warning when the file fails."""
    if library.chapters(episode_id):
        return []
    warnings, chapters = [], []
    if item.chapters_url:
        try:
            fetched = fetch(item.chapters_url, max_bytes=MAX_CHAPTERS_BYTES, allow_private=local)
            chapters = parse_chapters_json(fetched.body, item.chapters_url)
        except (DownloadError, FeedError) as exc:
            warnings.append(f"the chapters file of “{item.title}” was not used ({exc})")
    if not chapters:
        chapters = chapters_from_notes(item.description, library.episode(episode_id).duration)
    if chapters:
        library.set_chapters(episode_id, chapters)
    return warnings


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
