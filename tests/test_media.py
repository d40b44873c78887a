"""desktop.core.media on real files made with espeak-ng and ffmpeg (tests/media_fixtures.py)."""

from __future__ import annotations

import itertools
import json
import pickle
import re
import shutil
import tempfile
import wave
from pathlib import Path

import numpy as np
import pytest
from faster_whisper.audio import decode_audio as fw_decode_audio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core.errors import EarmarkError
from desktop.core.media import (
    MEDIA_SUFFIXES,
    SAMPLE_RATE,
    MediaError,
    MediaInfo,
    decode_audio,
    looks_like_media,
    probe_media,
)
from tests import media_fixtures as fx

CODECS = {
    "wav": "pcm_s16le",
    "mp3": "mp3",
    "m4a": "aac",
    "ogg": "opus",
    "mp4": "aac",
    "flac": "flac",
    "webm": "opus",
}
ALL_FORMATS = ("wav", *fx.FORMATS, "webm")


@pytest.fixture(scope="session")
def media_dir(pytestconfig: pytest.Config) -> Path:
    return Path(pytestconfig.cache.mkdir("earmark-media"))


@pytest.fixture(scope="session")
def wav(media_dir: Path) -> Path:
    return fx.interview(media_dir)


@pytest.fixture(scope="session")
def wav_samples(wav: Path) -> np.ndarray:
    with wave.open(str(wav), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768.0


@pytest.fixture(scope="session")
def media(media_dir: Path, wav: Path) -> dict[str, Path]:
    """The interview in every format, made once per session (cached across sessions)."""
    files = {"wav": wav}
    for fmt in ALL_FORMATS[1:]:
        files[fmt] = fx.convert(wav, fmt, media_dir)
    return files


@pytest.fixture(scope="session")
def full_decodes(media: dict[str, Path]) -> dict[str, np.ndarray]:
    return {fmt: decode_audio(path) for fmt, path in media.items()}


# --- the fixture itself --------------------------------------------------------------------


@pytest.mark.timeout(120)
def test_interview_fixture_is_a_two_voice_interview_of_2_to_3_minutes(wav: Path) -> None:
    doc = json.loads((wav.parent / "interview.json").read_text())
    with wave.open(str(wav), "rb") as w:
        duration = w.getnframes() / w.getframerate()
        assert w.getframerate() in (16000, 22050) and w.getnchannels() == 1
    assert 120 <= duration <= 180
    assert doc["duration"] == pytest.approx(duration)
    turns = doc["turns"]
    assert 24 <= len(turns) <= 30
    assert [t["speaker"] for t in turns] == ["host", "guest"] * (len(turns) // 2)
    assert len({t["voice"] for t in turns}) == 2
    for before, after in itertools.pairwise(turns):
        assert before["start"] < before["end"]
        assert 0.4 - 1e-3 <= after["start"] - before["end"] <= 0.8 + 1e-3
    assert turns[0]["start"] == 0 and turns[-1]["end"] == pytest.approx(duration)
    assert fx.interview_turns(wav.parent) == turns


def test_corpus_copies_are_attributed() -> None:
    refs = dict(line.split("\t") for line in (fx.AUDIO_DATA / "refs.tsv").read_text().splitlines())
    assert set(refs) == {fx.JFK.name, fx.OSR.name}
    source = (fx.AUDIO_DATA / "SOURCE.txt").read_text()
    assert "github.com/openai/whisper" in source and "joinly-ai/joinly" in source


# --- probe_media ---------------------------------------------------------------------------


@pytest.mark.timeout(120)
@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_probe_every_format(media: dict[str, Path], wav_samples: np.ndarray, fmt: str) -> None:
    info = probe_media(media[fmt])
    assert isinstance(info, MediaInfo)
    assert info.path == media[fmt]
    assert info.duration == pytest.approx(len(wav_samples) / SAMPLE_RATE, abs=0.2)
    assert info.codec == CODECS[fmt]
    assert info.has_video is (fmt == "mp4")
    assert info.channels == 1
    assert info.sample_rate == (48000 if CODECS[fmt] == "opus" else 16000)


def test_probe_corpus_files() -> None:
    jfk = probe_media(fx.JFK)
    assert (jfk.codec, jfk.sample_rate, jfk.channels, jfk.has_video) == ("flac", 44100, 2, False)
    assert jfk.duration == pytest.approx(11.0, abs=0.01)
    osr = probe_media(fx.OSR)
    assert (osr.codec, osr.sample_rate, osr.channels) == ("pcm_s16le", 8000, 1)
    assert osr.duration == pytest.approx(35.55, abs=0.01)


def test_cover_art_is_not_video(media_dir: Path) -> None:
    info = probe_media(fx.mp3_with_cover(media_dir))
    assert (info.codec, info.channels, info.sample_rate) == ("mp3", 2, 44100)
    assert info.has_video is False


# --- decode_audio --------------------------------------------------------------------------


@pytest.mark.timeout(120)
@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_decode_every_format(
    media: dict[str, Path], full_decodes: dict[str, np.ndarray], wav_samples: np.ndarray, fmt: str
) -> None:
    audio = full_decodes[fmt]
    assert audio.dtype == np.float32 and audio.ndim == 1
    # AAC and Matroska keep the encoder's end padding (up to one 1024-sample frame).
    assert abs(len(audio) - len(wav_samples)) <= 1024
    assert np.abs(audio).max() <= 1.0
    if fmt in ("wav", "flac"):
        np.testing.assert_array_equal(audio, wav_samples)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_decode_matches_faster_whisper(
    media: dict[str, Path], full_decodes: dict[str, np.ndarray], fmt: str
) -> None:
    ours = full_decodes[fmt]
    theirs = fw_decode_audio(str(media[fmt]), sampling_rate=SAMPLE_RATE)
    assert abs(len(ours) - len(theirs)) <= 1
    n = min(len(ours), len(theirs))
    assert np.abs(ours[:n] - theirs[:n]).max() <= 2 / 32768  # in practice: identical


@pytest.mark.parametrize("path", [fx.JFK, fx.OSR], ids=["jfk-44k-stereo", "osr-8k"])
def test_decode_corpus_matches_faster_whisper(path: Path) -> None:
    ours, theirs = decode_audio(path), fw_decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    assert len(ours) == len(theirs)
    np.testing.assert_allclose(ours, theirs, atol=2 / 32768)


def assert_same_tail(tail: np.ndarray, ref: np.ndarray, codec: str) -> None:
    """``tail`` (decoded with start=) against the slice of the full decode.

    Lengths must be equal: no sample repeated or skipped. Samples: wav, flac, mp3 and the
    resampling from 44.1/8 kHz come out bit-identical; Opus needs a small tolerance because its
    decoder state after the 1 s pre-roll has not fully converged (seen: 3e-5). AAC (ffmpeg's
    encoder uses perceptual noise substitution) fills some bands with noise from a random
    generator whose state depends on every earlier frame, so after a seek those bands differ
    for good (seen: 37 dB SNR); there we check the alignment instead: shifting by one sample
    must be far worse than no shift.
    """
    assert tail.dtype == np.float32
    assert len(tail) == len(ref)
    if codec == "aac":
        err = np.sum((tail - ref) ** 2)
        assert err < np.sum(ref**2) / 10 ** (25 / 10)  # SNR > 25 dB
        for shift in (-1, 1):
            a, b = tail[2000:-2000], ref[2000 + shift : len(ref) - 2000 + shift]
            assert np.sum((a - b) ** 2) > 100 * err
    else:
        np.testing.assert_allclose(tail, ref, atol=1e-3 if codec == "opus" else 0)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("fmt", ALL_FORMATS)
@pytest.mark.parametrize("start", [0.05, 7.3, 33.33333, 150.0001])
def test_decode_from_start_returns_exactly_the_tail(
    media: dict[str, Path], full_decodes: dict[str, np.ndarray], fmt: str, start: float
) -> None:
    info = probe_media(media[fmt])
    tail = decode_audio(media[fmt], info, start=start)
    assert_same_tail(tail, full_decodes[fmt][round(start * SAMPLE_RATE) :], info.codec)


@pytest.mark.parametrize("path", [fx.JFK, fx.OSR], ids=["jfk-44k-stereo", "osr-8k"])
@pytest.mark.parametrize("start", [0.5, 3.14159, 9.99])
def test_decode_from_start_with_resampling(path: Path, start: float) -> None:
    full = decode_audio(path)
    assert_same_tail(decode_audio(path, start=start), full[round(start * SAMPLE_RATE) :], "pcm")


def test_decode_from_start_in_mp3_with_cover_art(media_dir: Path) -> None:
    path = fx.mp3_with_cover(media_dir)
    full = decode_audio(path)
    assert_same_tail(decode_audio(path, start=4.2), full[round(4.2 * SAMPLE_RATE) :], "mp3")


def test_start_at_or_past_the_end_gives_nothing(media: dict[str, Path]) -> None:
    info = probe_media(media["mp3"])
    assert len(decode_audio(media["mp3"], info, start=info.duration + 5)) == 0


def test_negative_start_is_a_programming_error(media: dict[str, Path]) -> None:
    with pytest.raises(ValueError):
        decode_audio(media["wav"], start=-1.0)


# --- bad files -----------------------------------------------------------------------------


def test_media_error_names_the_file_and_survives_pickling() -> None:
    err = MediaError(Path("/x/ep.mp3"), "no audio stream (the file has only video)")
    assert str(err) == "/x/ep.mp3: no audio stream (the file has only video)"
    assert isinstance(err, EarmarkError)
    copy = pickle.loads(pickle.dumps(err))  # e.g. from a worker process
    assert (str(copy), copy.path, copy.reason) == (str(err), err.path, err.reason)


def check_error(exc: pytest.ExceptionInfo[MediaError], path: Path, reason: str) -> None:
    message = str(exc.value)
    assert isinstance(exc.value, EarmarkError)
    assert message.startswith(f"{path}: "), message
    assert path.name in message
    assert re.search(reason, message), message


BAD_FILES = {
    "missing": (lambda d: d / "no-such-episode.mp3", r": file not found$"),
    "folder": (lambda d: d, r": is a folder, not a media file$"),
    "empty": (fx.empty_file, r": file is empty$"),
    "random": (fx.random_bytes, r": not an audio or video file FFmpeg can read$"),
    "text": (fx.text_as_wav, r": not an audio or video file FFmpeg can read$"),
    "video-only": (fx.video_without_audio, r": has no audio stream \(the file has only video\)$"),
    "m4a-cut-before-moov": (
        lambda d: fx.truncated_m4a(d, faststart=False),
        r": is truncated: the MP4 index \(moov atom\) .* is missing",
    ),
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("kind", BAD_FILES)
def test_bad_file_raises_media_error(media_dir: Path, kind: str) -> None:
    make, reason = BAD_FILES[kind]
    path = make(media_dir)
    with pytest.raises(MediaError) as exc:
        probe_media(path)
    check_error(exc, path, reason)
    with pytest.raises(MediaError) as exc:
        decode_audio(path)
    check_error(exc, path, reason)


@pytest.mark.timeout(120)
def test_truncated_mp3_is_detected(media_dir: Path) -> None:
    # PyAV reads the frame count from the Xing/Info header that ffmpeg/LAME write, so the
    # probe still reports the full length; decoding just ends early, without any error.
    path = fx.truncated_mp3(media_dir)
    info = probe_media(path)
    assert info.duration == pytest.approx(
        probe_media(fx.convert(fx.interview(media_dir), "mp3", media_dir)).duration
    )
    with pytest.raises(MediaError) as exc:
        decode_audio(path, info)
    check_error(exc, path, r": is truncated: it should last 2:\d\d but audio stops at 1:0\d$")
    with pytest.raises(MediaError) as exc:  # resuming past the cut is no different
        decode_audio(path, info, start=90.0)
    check_error(exc, path, r": is truncated: it should last 2:\d\d but audio stops at 1:30$")


@pytest.mark.timeout(120)
def test_truncated_faststart_m4a_is_detected(media_dir: Path) -> None:
    # moov first: the full duration is known; the last, partial packet fails to decode.
    path = fx.truncated_m4a(media_dir, faststart=True)
    assert probe_media(path).duration > 150
    with pytest.raises(MediaError) as exc:
        decode_audio(path)
    check_error(exc, path, r": is truncated: it should last 2:\d\d but audio stops at 1:0\d$")


@pytest.mark.timeout(120)
def test_truncated_mp3_without_xing_header_cannot_be_detected(media_dir: Path) -> None:
    # Documents a limit: with no frame count, FFmpeg estimates the duration from the file
    # size and bitrate, so a cut file looks like a complete shorter one.
    path = fx.truncated_mp3_without_xing(media_dir)
    info = probe_media(path)
    assert 55 < info.duration < 70
    assert len(decode_audio(path, info)) / SAMPLE_RATE == pytest.approx(info.duration, abs=0.1)


@pytest.mark.timeout(120)
def test_corrupt_data_in_the_middle_is_an_error(media_dir: Path) -> None:
    path = fx.corrupted_m4a(media_dir, at=0.5)
    with pytest.raises(MediaError) as exc:
        decode_audio(path)
    check_error(exc, path, r": is damaged: decoding fails at 1:\d\d of 2:\d\d \(Invalid data")


@pytest.mark.timeout(120)
def test_corrupt_data_near_the_end_is_accepted(media_dir: Path) -> None:
    path = fx.corrupted_m4a(media_dir, at=0.985)  # stops at 98.5 %: more than 97 % decoded
    info = probe_media(path)
    audio = decode_audio(path, info)
    assert 0.97 * info.duration < len(audio) / SAMPLE_RATE < info.duration


# --- random bytes --------------------------------------------------------------------------

HEADERS = [
    b"",
    b"ID3\x03\x00\x00\x00\x00\x00\x00",
    b"\xff\xfb\x90\x64",
    b"fLaC\x00\x00\x00\x22",
    b"OggS\x00\x02",
    b"RIFF\x24\x00\x00\x00WAVEfmt ",
    b"\x00\x00\x00\x20ftypM4A ",
    b"\x1a\x45\xdf\xa3",
    b"\xff\xf1\x50\x80",
]


@pytest.mark.timeout(120)
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.sampled_from(HEADERS),
    body=st.binary(min_size=0, max_size=4096),
    suffix=st.sampled_from([".mp3", ".wav", ".m4a", ".ogg", ".bin"]),
)
def test_random_bytes_only_ever_raise_media_error(header: bytes, body: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"episode{suffix}"
        path.write_bytes(header + body)
        try:
            info = probe_media(path)
            decode_audio(path, info)
            decode_audio(path, info, start=info.duration / 2)
        except MediaError as exc:
            assert str(exc).startswith(f"{path}: ")
        looks_like_media(path)


@pytest.mark.timeout(120)
@settings(max_examples=25, deadline=None)
@given(cut=st.floats(min_value=0.0, max_value=1.0))
def test_any_prefix_of_a_real_file_only_raises_media_error(cut: float) -> None:
    data = fx.OSR.read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cut.wav"
        path.write_bytes(data[: int(len(data) * cut)])
        try:
            decode_audio(path)
        except MediaError as exc:
            assert str(exc).startswith(f"{path}: ")


# --- looks_like_media ----------------------------------------------------------------------


def test_looks_like_media_by_suffix(tmp_path: Path) -> None:
    assert {
        ".mp3",
        ".m4a",
        ".aac",
        ".ogg",
        ".oga",
        ".opus",
        ".flac",
        ".wav",
        ".mp4",
        ".m4v",
        ".mkv",
        ".webm",
        ".mov",
    } <= MEDIA_SUFFIXES
    for name in ("a.mp3", "b.M4A", "c.webm", "missing.mov"):
        assert looks_like_media(tmp_path / name)  # by name alone: no file needed
    assert not looks_like_media(tmp_path / "notes.txt")


def test_looks_like_media_by_magic_bytes(tmp_path: Path, media: dict[str, Path]) -> None:
    for fmt, path in media.items():
        copy = tmp_path / f"{fmt}.download"
        shutil.copyfile(path, copy)
        assert looks_like_media(copy), fmt
    text = tmp_path / "notes.part"
    text.write_text("just some text, not audio at all\n")
    assert not looks_like_media(text)
    (tmp_path / "folder.part").mkdir()
    assert not looks_like_media(tmp_path / "folder.part")
    assert not looks_like_media(tmp_path / "missing.part")
