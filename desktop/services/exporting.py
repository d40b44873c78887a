"""Use case: write an episode to a file in one of the export formats."""

from __future__ import annotations

from pathlib import Path

from desktop.core.exporters import default_filename, export_episode, render
from desktop.core.store import Library


def export_to_path(library: Library, episode_id: int, fmt: str, out: Path | None = None) -> Path:
    """Export atomically; `out` may be a folder (the file name is derived from the title)."""
    doc = library.document(episode_id)
    target = Path(out) if out is not None else Path.cwd()
    if target.is_dir():
        target = target / default_filename(doc, fmt)
    return export_episode(doc, fmt, target)


def export_text(library: Library, episode_id: int, fmt: str) -> str:
    return render(library.document(episode_id), fmt)
