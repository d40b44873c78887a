"""Turning a file's bytes into text: size limit, BOMs, UTF-8 / Windows-1252, binary detection."""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from desktop.core.errors import TranscriptFormatError

# Far above any real transcript (a 10-hour VTT is a few MiB); guards against being handed a video.
MAX_TRANSCRIPT_BYTES = 64 * 2**20

# Longest BOM first: the UTF-32 LE BOM starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
# Control characters a text file may legitimately hold.
_TEXT_CONTROLS = frozenset("\t\n\r\f\v\x1b")
# Share of control characters above which the "text" is really binary data.
_MAX_CONTROL_SHARE = 0.1
CP1252_WARNING = "decoded as Windows-1252 (the file is not valid UTF-8)"


@dataclass(slots=True)
class Decoded:
    text: str
    warnings: list[str] = field(default_factory=list)


def _size_text(size: int) -> str:
    return f"{size / 2**20:.1f} MiB" if size >= 2**20 else f"{size:,} bytes"


def read_limited(path: Path) -> bytes:
    """The file's bytes, refusing an oversized file before reading any of it."""
    limit = _size_text(MAX_TRANSCRIPT_BYTES)
    try:
        size = path.stat().st_size
        if size > MAX_TRANSCRIPT_BYTES:
            raise TranscriptFormatError(
                path, f"file is too large ({_size_text(size)}; the limit is {limit})"
            )
        with path.open("rb") as handle:
            # Read one byte past the limit: stat can lie (pipes, files still growing).
            data = handle.read(MAX_TRANSCRIPT_BYTES + 1)
    except TranscriptFormatError:
        raise
    except OSError as exc:
        raise TranscriptFormatError(path, f"cannot read file: {exc.strerror or exc}") from exc
    if len(data) > MAX_TRANSCRIPT_BYTES:
        raise TranscriptFormatError(path, f"file is too large (over the limit of {limit})")
    return data


def _control_share(text: str) -> float:
    sample = text[:65536]  # a prefix is enough to tell text from binary, and keeps this fast
    if not sample:
        return 0.0
    controls = sum(
        1 for ch in sample if ch not in _TEXT_CONTROLS and unicodedata.category(ch) == "Cc"
    )
    return controls / len(sample)


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_bytes(data: bytes, path: Path | None = None) -> Decoded:
    """Decode a transcript file, raising TranscriptFormatError for empty or binary input."""
    if not data.strip():
        raise TranscriptFormatError(path, "file is empty")
    warnings: list[str] = []
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise TranscriptFormatError(
                    path, f"not valid {name} text (byte {exc.start + len(bom)})"
                ) from exc
            break
    else:
        # Without a UTF-16/32 BOM a NUL byte means binary data: no text encoding we accept has one.
        if b"\x00" in data:
            raise TranscriptFormatError(path, "not a text file (binary data)")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # Windows-1252 leaves five bytes undefined; map them through Latin-1 rather than fail.
            text = _decode_cp1252(data)
            warnings.append(CP1252_WARNING)
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise TranscriptFormatError(path, "file is empty")
    if _control_share(text) > _MAX_CONTROL_SHARE:
        raise TranscriptFormatError(path, "not a text file (binary data)")
    return Decoded(normalise_newlines(text), warnings)


def _cp1252_table() -> str:
    # Windows-1252 leaves five bytes undefined; map them through Latin-1 so decoding never fails.
    chars = []
    for byte in range(256):
        try:
            chars.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            chars.append(chr(byte))
    return "".join(chars)


_CP1252_TABLE = _cp1252_table()


def _decode_cp1252(data: bytes) -> str:
    return codecs.charmap_decode(data, "strict", _CP1252_TABLE)[0]
