"""Recognising media files and reading their duration and audio format with PyAV."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from av.audio.stream import AudioStream
from av.container import InputContainer

from desktop.core.errors import EarmarkError

SAMPLE_RATE = 16000

_AUDIO_SUFFIXES = (
    ".mp3 .mp2 .mpga .m4a .m4b .aac .adts .ogg .oga .opus .spx .flac .wav .wave .aif .aiff .aifc"
    " .caf .wma .mka .amr .ac3 .eac3 .wv .ape .au .snd"
)
_VIDEO_SUFFIXES = (
    ".mp4 .m4v .mkv .webm .mov .avi .wmv .asf .flv .mpg .mpeg .ts .mts .m2ts .3gp .3g2 .ogv"
)
MEDIA_SUFFIXES: frozenset[str] = frozenset((_AUDIO_SUFFIXES + " " + _VIDEO_SUFFIXES).split())

# Exceptions PyAV (or FFmpeg through it) raises on bad input. FFmpegError covers av.error.*;
# the built-ins cover PyAV's own checks (e.g. the resampler's ValueError) and OS errors.
_AV_ERRORS = (
    av.FFmpegError,
    OSError,
    ValueError,
    EOFError,
    RuntimeError,
    ArithmeticError,
    LookupError,
)


class MediaError(EarmarkError):
    """A media file that cannot be probed or decoded; the message starts with the path."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")

    def __reduce__(self) -> tuple[type[MediaError], tuple[Path, str]]:
        return (type(self), (self.path, self.reason))


@dataclass(frozen=True, slots=True)
class MediaInfo:
    path: Path
    duration: float  # seconds, of the audio stream (else the container); > 0
    codec: str  # FFmpeg's codec name: "mp3", "aac", "opus", "flac", "pcm_s16le", ...
    sample_rate: int
    channels: int
    has_video: bool  # a real video track (cover art in an mp3/m4a does not count)
    title: str | None = None  # the file's own title tag (ID3 TIT2, MP4 ©nam, Vorbis TITLE)


def looks_like_media(path: Path) -> bool:
    """Cheap guess: a known suffix, or else the first bytes of a common media container."""
    path = Path(path)
    if path.suffix.lower() in MEDIA_SUFFIXES:
        return True
    try:
        with path.open("rb") as fh:
            head = fh.read(64)
    except OSError:
        return False
    return _magic_says_media(head)


def _magic_says_media(head: bytes) -> bool:
    if len(head) < 12:
        return False
    if head.startswith(
        (
            b"ID3",
            b"fLaC",
            b"OggS",
            b"\x1a\x45\xdf\xa3",
            b"caff",
            b"#!AMR",
            b"FLV\x01",
            b".snd",
            b"wvpk",
            b"MAC ",
            b"\x00\x00\x01\xba",
            b"\x30\x26\xb2\x75\x8e\x66\xcf\x11",  # ASF: WMA/WMV
        )
    ):
        return True
    if head[:4] in (b"RIFF", b"RF64") and head[8:12] in (b"WAVE", b"AVI "):
        return True
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return True
    if head[4:8] == b"ftyp":  # MP4 / M4A / MOV / 3GP
        return True
    # An MPEG audio (mp3) or ADTS (aac) frame header at the start: 11 sync bits.
    return head[0] == 0xFF and head[1] & 0xE0 == 0xE0


def _check_file(path: Path) -> int:
    """The size of a readable regular file, or a MediaError saying what is wrong with it."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise MediaError(path, "file not found") from None
    except OSError as exc:
        raise MediaError(path, f"cannot read the file ({exc.strerror or exc})") from None
    if path.is_dir():
        raise MediaError(path, "is a folder, not a media file")
    if not path.is_file():
        raise MediaError(path, "is not a regular file")
    if st.st_size == 0:
        raise MediaError(path, "file is empty")
    return st.st_size


def _open(path: Path, size: int) -> InputContainer:
    try:
        return av.open(str(path), mode="r", metadata_errors="ignore")
    except PermissionError:
        raise MediaError(path, "cannot read the file (permission denied)") from None
    except _AV_ERRORS:
        hint = _mp4_truncation_hint(path, size)
        raise MediaError(path, hint or "not an audio or video file FFmpeg can read") from None


def _mp4_truncation_hint(path: Path, size: int) -> str | None:
    """For an MP4-family file FFmpeg cannot open: is its moov atom missing because it is cut?"""
    try:
        with path.open("rb") as fh:
            pos, seen = 0, []
            while pos + 8 <= size and len(seen) < 64:
                fh.seek(pos)
                header = fh.read(16)
                box_size, kind = int.from_bytes(header[:4], "big"), header[4:8]
                if box_size == 1 and len(header) >= 16:
                    box_size = int.from_bytes(header[8:16], "big")
                elif box_size == 0:
                    box_size = size - pos
                if box_size < 8:
                    return None
                seen.append(kind)
                if pos + box_size > size:
                    break
                pos += box_size
    except OSError:
        return None
    if seen[:1] == [b"ftyp"] and b"moov" not in seen and pos < size:
        return (
            "is truncated: the MP4 index (moov atom) that belongs at the end is missing, "
            "as after an interrupted download"
        )
    return None


def _audio_stream(container: InputContainer, path: Path) -> AudioStream:
    if not container.streams.audio:
        if container.streams.video:
            raise MediaError(path, "has no audio stream (the file has only video)")
        raise MediaError(path, "has no audio stream")
    return container.streams.audio[0]  # the one faster-whisper decodes (audio=0)


def _stream_start(stream: AudioStream) -> Fraction:
    """Time of the stream's first sample (mp3 starts after the encoder delay, e.g. 0.069 s)."""
    if stream.start_time is None or stream.time_base is None:
        return Fraction(0)
    return stream.start_time * stream.time_base


def _duration(container: InputContainer, stream: AudioStream) -> float:
    if stream.duration and stream.time_base and stream.duration > 0:
        return float(stream.duration * stream.time_base)
    if container.duration and container.duration > 0:
        return container.duration / av.time_base
    # No header says how long it is (e.g. some streamed WebM or raw streams): read the packets.
    end = None
    try:
        for packet in container.demux(stream):
            if packet.pts is not None and packet.time_base is not None:
                stop = (packet.pts + (packet.duration or 0)) * packet.time_base
                end = stop if end is None else max(end, stop)
    except _AV_ERRORS:
        pass
    if end is None:
        return 0.0
    return float(end - _stream_start(stream))


def probe_media(path: Path) -> MediaInfo:
    """Duration, codec and layout of the first audio stream; MediaError if it is unusable."""
    path = Path(path)
    size = _check_file(path)
    with _open(path, size) as container:
        try:
            stream = _audio_stream(container, path)
            ctx = stream.codec_context
            codec = ctx.codec.canonical_name if ctx.codec is not None else "unknown"
            sample_rate, channels = int(ctx.sample_rate or 0), int(ctx.channels or 0)
            has_video = any(
                not (v.disposition & av.stream.Disposition.attached_pic)
                for v in container.streams.video
            )
            duration = _duration(container, stream)
            title = _title_tag(container)
        except _AV_ERRORS as exc:
            raise MediaError(path, f"not an audio or video file FFmpeg can read ({exc})") from None
    if sample_rate <= 0 or channels <= 0:
        raise MediaError(path, f"has an audio stream FFmpeg cannot decode (codec {codec})")
    if not math.isfinite(duration) or duration <= 0:
        raise MediaError(path, "has no audio to play (its duration is zero or unknown)")
    return MediaInfo(path, duration, codec, sample_rate, channels, has_video, title)


def _title_tag(container: InputContainer) -> str | None:
    """The title tag, whitespace-collapsed; tags are case-insensitive across formats."""
    tags = {str(k).lower(): str(v) for k, v in (container.metadata or {}).items()}
    title = " ".join(tags.get("title", "").split())
    return title[:300] or None
