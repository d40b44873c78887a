"""Exporters: an EpisodeDocument as Markdown, SubRip, WebVTT, plain text or JSON, and its
chapters as a WebVTT chapters file.

- render(doc, fmt) -> str: the file's text.
- write_atomic(path, text): UTF-8, atomic replace; EarmarkError naming the path.
- default_filename(doc, fmt, disambiguate=False) -> str: a file name valid on every OS.
- export_episode(doc, fmt, path, overwrite=True) -> Path: render + write_atomic; the path
  written (TargetExistsError when it exists and overwrite is False).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from desktop.core.errors import EarmarkError
from desktop.core.exporters.files import TargetExistsError, safe_stem, write_atomic
from desktop.core.exporters.json_export import render_json
from desktop.core.exporters.markdown import render_markdown
from desktop.core.exporters.plaintext import render_txt
from desktop.core.exporters.subtitles import render_srt, render_vtt, render_vtt_chapters
from desktop.core.model import EpisodeDocument

__all__ = [
    "FORMATS",
    "TargetExistsError",
    "default_filename",
    "export_episode",
    "normalize_format",
    "render",
    "write_atomic",
]

FORMATS: tuple[str, ...] = ("md", "srt", "vtt", "txt", "json", "chapters")
# A format's file name ending, where it is not the format's name.
EXTENSIONS = {"chapters": "chapters.vtt"}

_RENDERERS: dict[str, Callable[[EpisodeDocument], str]] = {
    "md": render_markdown,
    "srt": render_srt,
    "vtt": render_vtt,
    "txt": render_txt,
    "json": render_json,
    "chapters": render_vtt_chapters,  # WebVTT chapters, for players' chapter menus
}


def normalize_format(fmt: str) -> str:
    """`fmt` as one of FORMATS (case and a leading dot are ignored), else EarmarkError."""
    key = fmt.strip().lower().lstrip(".") if isinstance(fmt, str) else ""
    if key not in _RENDERERS:
        raise EarmarkError(f"unknown export format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    return key


def render(doc: EpisodeDocument, fmt: str) -> str:
    return _RENDERERS[normalize_format(fmt)](doc)


def default_filename(doc: EpisodeDocument, fmt: str, disambiguate: bool = False) -> str:
    """The episode title made safe as a file name, plus the format's extension.

    With disambiguate=True the episode id follows the title, "Title (episode 12).md", for
    an episode whose title gives the same name as another episode's. The result is always
    one plain file name: no folder separator, never "." or "..".
    """
    ext = normalize_format(fmt)
    fallback = f"episode-{doc.episode.id}"
    suffix = f" (episode {doc.episode.id})" if disambiguate else ""
    stem = safe_stem(doc.episode.title, fallback, reserve=suffix)
    if suffix and stem != fallback:
        stem += suffix
    name = f"{stem}.{EXTENSIONS.get(ext, ext)}"
    if Path(name).name != name or name.startswith("."):  # pragma: no cover - safe_stem's job
        raise EarmarkError(f"unsafe file name {name!r} for episode {doc.episode.id}")
    return name


def export_episode(
    doc: EpisodeDocument,
    fmt: str,
    path: Path,
    overwrite: bool = True,
    disambiguate: bool = False,
) -> Path:
    """Render and write atomically. When `path` is an existing folder, the file goes in it
    under default_filename(). Returns the path written. With overwrite=False an existing
    file is left alone: TargetExistsError naming it."""
    text = render(doc, fmt)
    path = Path(path)
    if path.is_dir():
        path = path / default_filename(doc, fmt, disambiguate)
    write_atomic(path, text, overwrite=overwrite)
    return path
