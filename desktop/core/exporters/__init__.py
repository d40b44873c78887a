"""Exporters: an EpisodeDocument as Markdown, SubRip, WebVTT, plain text or JSON.

- render(doc, fmt) -> str: the file's text.
- write_atomic(path, text): UTF-8, atomic replace; EarmarkError naming the path.
- default_filename(doc, fmt) -> str: a file name that is valid on every OS.
- export_episode(doc, fmt, path) -> Path: render + write_atomic; the path written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from desktop.core.errors import EarmarkError
from desktop.core.exporters.files import safe_stem, write_atomic
from desktop.core.exporters.json_export import render_json
from desktop.core.exporters.markdown import render_markdown
from desktop.core.exporters.plaintext import render_txt
from desktop.core.exporters.subtitles import render_srt, render_vtt
from desktop.core.model import EpisodeDocument

__all__ = [
    "FORMATS",
    "default_filename",
    "export_episode",
    "normalize_format",
    "render",
    "write_atomic",
]

FORMATS: tuple[str, ...] = ("md", "srt", "vtt", "txt", "json")

_RENDERERS: dict[str, Callable[[EpisodeDocument], str]] = {
    "md": render_markdown,
    "srt": render_srt,
    "vtt": render_vtt,
    "txt": render_txt,
    "json": render_json,
}


def normalize_format(fmt: str) -> str:
    """`fmt` as one of FORMATS (case and a leading dot are ignored), else EarmarkError."""
    key = fmt.strip().lower().lstrip(".") if isinstance(fmt, str) else ""
    if key not in _RENDERERS:
        raise EarmarkError(f"unknown export format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    return key


def render(doc: EpisodeDocument, fmt: str) -> str:
    return _RENDERERS[normalize_format(fmt)](doc)


def default_filename(doc: EpisodeDocument, fmt: str) -> str:
    """The episode title made safe as a file name, plus the format's extension."""
    ext = normalize_format(fmt)
    return f"{safe_stem(doc.episode.title, f'episode-{doc.episode.id}')}.{ext}"


def export_episode(doc: EpisodeDocument, fmt: str, path: Path) -> Path:
    """Render and write atomically. When `path` is an existing folder, the file goes in it
    under default_filename(). Returns the path written."""
    text = render(doc, fmt)
    path = Path(path)
    if path.is_dir():
        path = path / default_filename(doc, fmt)
    write_atomic(path, text)
    return path
