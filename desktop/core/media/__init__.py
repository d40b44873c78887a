"""Media files: probing (duration, codec, video or not) and decoding audio for faster-whisper.

Everything goes through PyAV, the FFmpeg build faster-whisper itself uses; no ffmpeg/ffprobe
subprocess. Problems the user can act on raise MediaError, whose message starts with the path.
"""

from desktop.core.media.decode import decode_audio
from desktop.core.media.probe import (
    MEDIA_SUFFIXES,
    SAMPLE_RATE,
    MediaError,
    MediaInfo,
    looks_like_media,
    probe_media,
)

__all__ = [
    "MEDIA_SUFFIXES",
    "SAMPLE_RATE",
    "MediaError",
    "MediaInfo",
    "decode_audio",
    "looks_like_media",
    "probe_media",
]
