"""The file suffix of an episode's media, from its enclosure URL and MIME type.

The name before it comes from the title through the one policy for file names
(desktop/core/exporters/files.py: safe_stem), as for exports.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

__all__ = ["media_suffix"]

_MEDIA_SUFFIXES = frozenset(
    {".mp3", ".m4a", ".m4b", ".mp4", ".m4v", ".mov", ".ogg", ".oga", ".opus", ".webm"}
    | {".wav", ".flac", ".aac", ".mka", ".mkv", ".3gp"}
)
_SUFFIX_BY_MIME = {
    "audio/mpeg": ".mp3",
    "audio/mp3": ".mp3",
    "audio/mpeg3": ".mp3",
    "audio/x-mp3": ".mp3",
    "audio/x-mpeg": ".mp3",
    "audio/mp4": ".m4a",
    "audio/x-m4a": ".m4a",
    "audio/m4a": ".m4a",
    "audio/x-m4b": ".m4b",
    "audio/aac": ".aac",
    "audio/x-aac": ".aac",
    "audio/aacp": ".aac",
    "video/mp4": ".mp4",
    "video/x-m4v": ".m4v",
    "video/quicktime": ".mov",
    "audio/ogg": ".ogg",
    "application/ogg": ".ogg",
    "audio/vorbis": ".ogg",
    "audio/opus": ".opus",
    "audio/webm": ".webm",
    "video/webm": ".webm",
    "audio/wav": ".wav",
    "audio/wave": ".wav",
    "audio/x-wav": ".wav",
    "audio/vnd.wave": ".wav",
    "audio/flac": ".flac",
    "audio/x-flac": ".flac",
    "audio/x-matroska": ".mka",
    "video/x-matroska": ".mkv",
    "video/3gpp": ".3gp",
}
DEFAULT_SUFFIX = ".mp3"  # what most podcast enclosures are


def media_suffix(url: str, mime: str | None) -> str:
    """The suffix to save an enclosure under: the URL's when it is a media suffix, else the
    MIME type's, else DEFAULT_SUFFIX. Query strings (tracking redirects) are ignored."""
    try:
        path = urlsplit(url or "").path
    except ValueError:
        path = ""
    suffix = PurePosixPath(unquote(path)).suffix.lower()
    if suffix in _MEDIA_SUFFIXES:
        return suffix
    base = (mime or "").split(";")[0].strip().lower()
    return _SUFFIX_BY_MIME.get(base, DEFAULT_SUFFIX)
