"""Use case: bring transcript files into the library."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core.errors import EarmarkError, LibraryError
from desktop.core.importers import TRANSCRIPT_SUFFIXES, load_transcript
from desktop.core.model import Episode, EpisodeSource, EpisodeStatus, Transcript
from desktop.core.store import Library
from desktop.core.text import clean_line, clean_text


@dataclass(slots=True)
class ImportResult:
    episode: Episode
    warnings: list[str] = field(default_factory=list)
    existing: bool = False


@dataclass(slots=True)
class ImportFailure:
    path: Path
    message: str


@dataclass(slots=True)
class ImportReport:
    imported: list[ImportResult] = field(default_factory=list)
    failed: list[ImportFailure] = field(default_factory=list)
    not_tried: list[Path] = field(default_factory=list)  # after the library itself failed


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def import_transcript(library: Library, path: Path) -> ImportResult:
    """Import one file; a file already imported (same bytes) returns its episode unchanged.

    Raises EarmarkError naming the file; the library is untouched in that case.
    """
    path = Path(path)
    if not path.is_file():
        raise EarmarkError(f"{path}: no such file")
    try:
        sha = file_sha256(path)
    except OSError as exc:
        raise EarmarkError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    existing = library.find_episode(source_sha256=sha)
    if existing is not None:
        return ImportResult(existing, existing=True)
    transcript = load_transcript(path)
    episode = store_transcript(library, transcript, path, sha)
    return ImportResult(episode, list(transcript.warnings))


def store_transcript(
    library: Library,
    transcript: Transcript,
    path: Path,
    sha: str,
    title: str | None = None,
    **media: Any,
) -> Episode:
    """Episode, segments and chapters in one transaction. `media` (media_path and
    media_sha256) links a transcript to the audio it is of (a podcast's own transcript)."""
    with library.transaction():
        episode = library.create_episode(
            title=title or transcript.title or title_from_path(path),
            source=EpisodeSource.IMPORTED,
            status=EpisodeStatus.DONE,
            source_path=clean_text(str(path.resolve())),  # undecodable bytes: U+FFFD
            source_sha256=sha,
            duration=transcript.duration,
            language=transcript.language,
            **media,
        )
        library.append_segments(episode.id, transcript.segments)
        library.set_chapters(episode.id, transcript.chapters)
    return library.episode(episode.id)


def transcript_files(folder: Path) -> list[Path]:
    """Files under `folder`, at any depth, whose name says transcript; hidden ones skipped.

    The name only picks candidates (a folder also holds audio, images, notes): what each
    file is, is then decided by its content, and a README.txt is refused when imported.
    """
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))  # and walk them in order
        found += [
            Path(root) / name
            for name in sorted(files)
            if not name.startswith(".") and Path(name).suffix.lower() in TRANSCRIPT_SUFFIXES
        ]
    return found


def import_paths(library: Library, paths: list[Path]) -> ImportReport:
    """Import each file on its own: one bad file does not stop the others.

    A folder stands for the transcript files inside it, recursively. A problem of the
    library itself (full disk, lock, read-only, damage) would be the same for every file:
    it is reported once and the remaining files are listed as not tried.
    """
    report = ImportReport()
    files: list[Path] = []
    for path in map(Path, paths):
        found = transcript_files(path) if path.is_dir() else [path]
        if not found:
            report.failed.append(ImportFailure(path, f"{path}: no transcript files in this folder"))
        files.extend(found)
    for n, file in enumerate(files):
        try:
            report.imported.append(import_transcript(library, file))
        except LibraryError as exc:
            report.failed.append(ImportFailure(file, str(exc)))
            report.not_tried = files[n + 1 :]
            break
        except EarmarkError as exc:
            report.failed.append(ImportFailure(file, str(exc)))
    return report


def title_from_path(path: Path) -> str:
    # A name with bytes that are not UTF-8 holds lone surrogates, which sqlite3 refuses.
    stem = clean_line(path.stem.replace("_", " "))
    return stem or clean_line(path.name)
