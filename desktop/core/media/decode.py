"""Decoding the audio of a media file for faster-whisper, with PyAV.

``decode_audio`` returns what ``faster_whisper.audio.decode_audio(path, 16000)`` returns (mono,
16 kHz, s16 scaled to float32, first audio stream), so Earmark can hand the array to
faster-whisper, and adds what a long-running app needs: errors a user can act on, a check that
the file is not cut short, and resuming from a time without repeating or skipping a sample.

What PyAV (av 18.1, FFmpeg 8.1 bundled) reports for files cut short, e.g. by an interrupted download
(tested in tests/test_media.py):

* mp3 made by ffmpeg/LAME: the Xing/Info header holds the frame count, so ``probe_media`` still
  reports the full duration, decoding stops early without any error, and the length check below
  catches it. An mp3 *without* a Xing/Info header (old CBR encoders) has a duration estimated
  from file size and bitrate, so a cut copy just looks like a shorter file: undetectable.
* m4a/mp4 with the index (moov atom) first ("faststart", usual for podcasts): the full duration
  is known, and decoding the last, partial packet raises InvalidDataError -> "is truncated".
* m4a/mp4 with the moov atom last (ffmpeg's default): FFmpeg cannot open the file at all
  ("moov atom not found"); we walk the top-level MP4 boxes to say "is truncated" instead of
  "not an audio or video file".
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.audio.stream import AudioStream
from av.container import InputContainer

from desktop.core.media.probe import (
    _AV_ERRORS,
    SAMPLE_RATE,
    MediaError,
    MediaInfo,
    _audio_stream,
    _check_file,
    _open,
    _stream_start,
    probe_media,
)
from desktop.core.timecode import short

_SHORTFALL_SECONDS = 2.0  # decoded audio may fall short of the duration by max(2 s, 3 %)
_SHORTFALL_FRACTION = 0.03
_SEEK_PREROLL = 1.0  # seconds decoded and dropped before `start`, so decoders are warmed up
_RESAMPLER_MARGIN = 0.1  # seconds of resampled audio dropped before `start` (filter edges)
_GROUP_SAMPLES = 500_000  # source samples resampled at once (faster-whisper's grouping)
# Containers whose timestamps place a decoded frame to the sample after a seek (checked in
# tests for wav, flac, mp3 with and without Xing header, Ogg Opus/Vorbis, MP4/M4A AAC).
# Matroska/WebM stores whole milliseconds (and Opus pre-skip is re-applied after a seek there),
# raw ADTS/MPEG-TS/AVI timestamps are estimates: for those we decode from the beginning.
_EXACT_SEEK_FORMATS = frozenset(
    {"wav", "w64", "flac", "mp3", "ogg", "aiff", "caf", "mov,mp4,m4a,3gp,3g2,mj2"}
)


def decode_audio(path: Path, info: MediaInfo | None = None, start: float = 0.0) -> np.ndarray:
    """Mono float32 samples at 16 kHz from ``start`` seconds to the end.

    The result is ``faster_whisper.audio.decode_audio(path)[round(start * 16000):]``: same
    length and timing to the sample. After a seek the samples are bit-identical for PCM, FLAC,
    mp3 and Vorbis; Opus differs by ~1e-5 and AAC by noise-filled bands (decoder state that
    depends on all earlier frames, ~37 dB SNR), see tests/test_media.py.
    Raises MediaError when the file is truncated, or damaged before 97 % of it is decoded.
    """
    path = Path(path)
    if info is None:
        info = probe_media(path)
    if not math.isfinite(start) or start < 0:
        raise ValueError(f"start must be a non-negative number of seconds, not {start!r}")
    target = round(start * SAMPLE_RATE)  # index in the full decode of our first sample
    size = _check_file(path)
    result = None
    for allow_seek in (True, False):
        with _open(path, size) as container:
            stream = _audio_stream(container, path)
            try:
                result = _decode(container, stream, target, allow_seek)
            except _AV_ERRORS as exc:
                raise MediaError(path, f"cannot be decoded ({_reason(exc)})") from None
            finally:
                gc.collect()  # frees filter graphs of the resampler (faster-whisper issue #390)
        if result is not None:
            break
    assert result is not None  # without seeking, _decode always returns a result
    chunks, stopped_by = result
    samples = np.concatenate(chunks) if chunks else np.zeros(0, np.int16)
    audio = samples.astype(np.float32) / 32768.0
    _check_length(path, info, start, len(audio), stopped_by, size)
    return audio


_Stop = tuple[Exception, int | None]  # the error that ended decoding, and the packet's end byte


def _check_length(
    path: Path, info: MediaInfo, start: float, n: int, stopped_by: _Stop | None, size: int
) -> None:
    expected = info.duration - start
    got = n / SAMPLE_RATE
    if expected <= 0:
        return
    stops_at = short(start + got)
    if stopped_by is not None and got < expected * (1 - _SHORTFALL_FRACTION):
        exc, end_byte = stopped_by
        if end_byte is None or end_byte < size:
            raise MediaError(
                path,
                f"is damaged: decoding fails at {stops_at} of {short(info.duration)} "
                f"({_reason(exc)})",
            )
        # else the failing packet ends at the end of the file: it was cut short, said below.
    if expected - got > max(_SHORTFALL_SECONDS, _SHORTFALL_FRACTION * expected):
        raise MediaError(
            path,
            f"is truncated: it should last {short(info.duration)} but audio stops at {stops_at}",
        )


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return text.rstrip(".")


def _decode(
    container: InputContainer, stream: AudioStream, target: int, allow_seek: bool
) -> tuple[list[np.ndarray], _Stop | None] | None:
    """s16 chunks from output index ``target`` on, and the error that stopped decoding, if any.

    To resume exactly we seek ~1 s early, drop decoded samples up to a source sample ``s0``
    that falls on a whole 16 kHz sample ``m0`` (so the resampler's grid is the grid of a decode
    from the start), resample from there and drop the output samples before ``target``.
    Returns None when the seek lands where we cannot place it exactly; then the caller decodes
    again from the beginning with ``allow_seek=False``.
    """
    rate = stream.codec_context.sample_rate or SAMPLE_RATE
    g = math.gcd(rate, SAMPLE_RATE)
    step_in, step_out = rate // g, SAMPLE_RATE // g  # step_in source samples = step_out output
    m0 = max(0, (target - round(_RESAMPLER_MARGIN * SAMPLE_RATE)) // step_out * step_out)
    s0 = m0 // step_out * step_in
    t0 = _stream_start(stream)

    position: int | None = 0  # source index of the next decoded sample; None: from the frame
    seek_to = t0 + Fraction(s0, rate) - Fraction(_SEEK_PREROLL)
    exact = container.format.name in _EXACT_SEEK_FORMATS
    if allow_seek and exact and s0 > 0 and seek_to > t0 and stream.time_base:
        try:
            container.seek(int(seek_to / stream.time_base), stream=stream, backward=True)
        except _AV_ERRORS:
            return None
        position = None
    warm = round(_SEEK_PREROLL / 2 * rate)  # decoded-and-dropped audio needed after a seek

    chunks: list[np.ndarray] = []
    resampler = _Resampler()
    skip_out = target - m0
    stopped_by: _Stop | None = None
    for frame, end_byte in _frames(container, stream):
        if isinstance(frame, BaseException):
            stopped_by = (frame, end_byte)
            break
        if position is None:
            if frame.pts is None or frame.time_base is None:
                return None
            position = round((frame.pts * frame.time_base - t0) * rate)
            if position > s0 - warm:
                return None  # landed too late to warm up the decoder (or past s0)
        n = frame.samples
        if position + n <= s0:
            position += n
            continue
        if position < s0:
            frame = _tail(frame, s0 - position)
        position += n
        for out in resampler.feed(frame):
            skip_out = _collect(out, skip_out, chunks)
    for out in resampler.feed(None):
        skip_out = _collect(out, skip_out, chunks)
    return chunks, stopped_by


def _frames(
    container: InputContainer, stream: AudioStream
) -> Iterator[tuple[av.AudioFrame | BaseException, int | None]]:
    """Decoded frames with the end byte of their packet; an error ends the iteration."""
    packets = container.demux(stream)
    end_byte: int | None = None
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            return
        except _AV_ERRORS as exc:
            yield exc, end_byte
            return
        if packet.pos is not None and packet.pos >= 0:
            end_byte = packet.pos + packet.size
        try:
            frames = packet.decode()
        except _AV_ERRORS as exc:
            yield exc, end_byte
            return
        for frame in frames:
            yield frame, end_byte


def _tail(frame: av.AudioFrame, offset: int) -> av.AudioFrame:
    """``frame`` without its first ``offset`` samples."""
    array = frame.to_ndarray()
    width = 1 if frame.format.is_planar else len(frame.layout.channels)
    out = av.AudioFrame.from_ndarray(
        np.ascontiguousarray(array[:, offset * width :]),
        format=frame.format.name,
        layout=frame.layout.name,
    )
    out.sample_rate = frame.sample_rate
    return out


def _collect(frame: av.AudioFrame, skip: int, chunks: list[np.ndarray]) -> int:
    array = frame.to_ndarray().reshape(-1)
    if skip > 0:
        dropped = min(skip, len(array))
        array, skip = array[dropped:], skip - dropped
    if len(array):
        chunks.append(array.copy())
    return skip


class _Resampler:
    """Resampling to s16 mono 16 kHz as faster-whisper does it: frames joined (timestamps
    ignored) into large groups, each pushed through one av.AudioResampler. A change of sample
    rate, format or layout mid-stream starts a new resampler instead of failing."""

    def __init__(self) -> None:
        self._resampler: av.AudioResampler | None = None
        self._fifo: av.AudioFifo | None = None
        self._shape: tuple[str, str, int] | None = None

    def feed(self, frame: av.AudioFrame | None) -> Iterator[av.AudioFrame]:
        if frame is None:
            yield from self._drain()
            return
        shape = (frame.format.name, frame.layout.name, frame.sample_rate)
        if self._resampler is None or self._fifo is None or shape != self._shape:
            yield from self._drain()
            self._resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            self._fifo = av.AudioFifo()
            self._shape = shape
        frame.pts = None  # as faster-whisper: ignore timestamps, just join the samples
        self._fifo.write(frame)
        if self._fifo.samples >= _GROUP_SAMPLES:
            yield from self._resampler.resample(self._fifo.read())

    def _drain(self) -> Iterator[av.AudioFrame]:
        if self._resampler is None or self._fifo is None:
            return
        if self._fifo.samples:
            yield from self._resampler.resample(self._fifo.read())
        yield from self._resampler.resample(None)
        self._resampler = self._fifo = self._shape = None
