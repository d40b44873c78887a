"""Use case: write an episode to a file in one of the export formats.

File names: the episode's title made safe for every OS (desktop.core.exporters.files).
When another episode in the library has a title that gives the same name (compared
without case, as macOS and Windows do), every episode but the oldest of them gets its id
appended, "Title (episode 12).md", so same-titled episodes never share a file name.
An existing file is never replaced unless the caller says so (overwrite=True).
"""

from __future__ import annotations

from pathlib import Path

from desktop.core.exporters import TargetExistsError, default_filename, export_episode, render
from desktop.core.exporters.files import safe_stem
from desktop.core.model import EpisodeDocument
from desktop.core.store import Library

__all__ = ["TargetExistsError", "export_text", "export_to_path", "suggested_filename"]


def suggested_filename(library: Library, episode_id: int, fmt: str) -> str:
    """The default file name for exporting this episode in `fmt` (no folder)."""
    doc = EpisodeDocument(episode=library.episode(episode_id), segments=[])
    return default_filename(doc, fmt, disambiguate=_title_clashes(library, episode_id))


def export_to_path(
    library: Library,
    episode_id: int,
    fmt: str,
    out: Path | None = None,
    overwrite: bool = False,
) -> Path:
    """Export atomically and return the path written.

    `out` is a file, or a folder (default: the current one) that receives
    suggested_filename(). An existing file is refused with TargetExistsError (naming it)
    unless overwrite=True.
    """
    doc = library.document(episode_id)
    target = Path(out) if out is not None else Path.cwd()
    clash = target.is_dir() and _title_clashes(library, episode_id)
    return export_episode(doc, fmt, target, overwrite=overwrite, disambiguate=clash)


def export_text(library: Library, episode_id: int, fmt: str) -> str:
    return render(library.document(episode_id), fmt)


def _title_clashes(library: Library, episode_id: int) -> bool:
    """Whether an older episode's title gives the same file name as this one's."""
    titles = dict(library.episode_titles())
    fallback = f"episode-{episode_id}"
    mine = safe_stem(titles[episode_id], fallback).casefold()
    return any(
        other < episode_id and safe_stem(title, f"episode-{other}").casefold() == mine
        for other, title in titles.items()
    )
