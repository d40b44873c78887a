"""Importers for transcript files: SubRip, WebVTT, Whisper-family JSON, Podcasting 2.0 JSON,
plain text, Markdown.

    load_transcript(path)               read, decode, sniff, parse and normalise a file
    parse_transcript(text, fmt, path)   the same for text already in memory
    sniff_format(text, suffix)          which of FORMATS a text is

Every user-facing failure is a TranscriptFormatError naming the file (and line when known);
recoverable problems become `Transcript.warnings`.
"""

from __future__ import annotations

from pathlib import Path

from desktop.core.errors import TranscriptFormatError
from desktop.core.importers.cues import parse_cues
from desktop.core.importers.decode import (
    MAX_TRANSCRIPT_BYTES,
    decode_bytes,
    normalise_newlines,
    read_limited,
)
from desktop.core.importers.markdown import parse_markdown
from desktop.core.importers.normalize import close_open_ends, normalize
from desktop.core.importers.plaintext import parse_plaintext
from desktop.core.importers.podcast_json import looks_like_podcast_json, parse_podcast_json
from desktop.core.importers.prose import check_transcript_like
from desktop.core.importers.raw import ParseResult
from desktop.core.importers.sniff import sniff_format
from desktop.core.importers.whisper_json import parse_whisper_json
from desktop.core.model import Transcript

FORMATS: tuple[str, ...] = ("srt", "vtt", "json", "txt", "md")
# File names that may hold a transcript (the content then decides which format it is).
TRANSCRIPT_SUFFIXES = frozenset({f".{fmt}" for fmt in FORMATS} | {".markdown"})

__all__ = [
    "FORMATS",
    "MAX_TRANSCRIPT_BYTES",
    "TRANSCRIPT_SUFFIXES",
    "TranscriptFormatError",
    "load_transcript",
    "parse_transcript",
    "sniff_format",
]


def _parse(text: str, fmt: str, path: Path | None) -> ParseResult:
    if fmt in ("srt", "vtt"):
        return parse_cues(text, fmt)
    if fmt == "json":
        # Both JSON families are format "json"; their keys tell them apart.
        if looks_like_podcast_json(text):
            return parse_podcast_json(text, path)
        return parse_whisper_json(text, path)
    if fmt == "md":
        return parse_markdown(text)
    return parse_plaintext(text)


def parse_transcript(text: str, fmt: str | None = None, path: Path | None = None) -> Transcript:
    """Parse transcript text; fmt None sniffs it (using path's suffix only to break ties)."""
    if fmt is not None and fmt not in FORMATS:
        raise TranscriptFormatError(
            path, f"unknown transcript format {fmt!r} (expected one of {', '.join(FORMATS)})"
        )
    text = normalise_newlines(text.removeprefix("\ufeff"))
    if not text.strip():
        raise TranscriptFormatError(path, "file is empty")
    chosen = fmt or sniff_format(text, path.suffix if path is not None else "")
    result = _parse(text, chosen, path)
    check_transcript_like(result, path)
    close_open_ends(result.cues)
    return normalize(result, chosen, path)


def load_transcript(path: Path) -> Transcript:
    """Read a transcript file of any supported format into a normalised Transcript."""
    path = Path(path)
    decoded = decode_bytes(read_limited(path), path)
    transcript = parse_transcript(decoded.text, None, path)
    transcript.warnings[:0] = decoded.warnings  # decoding happened first, so it is reported first
    return transcript
