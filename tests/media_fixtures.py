"""Real media files for tests, made with espeak-ng, sox and ffmpeg (all installed in CI).

Everything is written to a cache folder (tests pass ``pytestconfig.cache.mkdir("earmark-media")``)
and reused while the inputs are unchanged, so only the first run pays for synthesis and encoding.
Files are written under a temporary name and renamed into place, so a half-written file is never
mistaken for a cached one.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

AUDIO_DATA = Path(__file__).resolve().parent / "data" / "audio"
JFK = AUDIO_DATA / "jfk.flac"
OSR = AUDIO_DATA / "joinly_OSR_us_000_0034_8k.wav"

FIXTURE_VERSION = 2  # bump when the way files are made changes, to refresh caches
TOOL_TIMEOUT = 120  # seconds for any one espeak-ng / sox / ffmpeg call

HOST_VOICE = "en-us"
GUEST_VOICE = "en-gb+m3"
WORDS_PER_MINUTE = 158
INTERVIEW_RATE = 16000
# Silence after each turn, cycled; all within 0.4-0.8 s.
GAPS = (0.5, 0.7, 0.4, 0.6, 0.8, 0.45, 0.65, 0.55)

SCRIPT: list[tuple[str, str]] = [
    (
        "host",
        "Welcome back to the show. Today I am talking with a beekeeper who keeps "
        "hives on the roofs of office buildings in the middle of the city.",
    ),
    ("guest", "Thanks for having me. It sounds strange, but bees do surprisingly well up there."),
    ("host", "How did you get started? Were you always interested in insects?"),
    (
        "guest",
        "Not at all. My neighbour had two hives in her garden, and one summer she "
        "asked me to look after them while she was away.",
    ),
    ("host", "And you were not afraid of being stung?"),
    (
        "guest",
        "I was terrified for the first week. Then I learned to move slowly and to "
        "work on warm afternoons, when most of the bees are out foraging.",
    ),
    ("host", "Why put hives on a roof instead of in a field?"),
    (
        "guest",
        "The city has more flowers than people expect. There are parks, balconies, "
        "street trees and railway banks, and far fewer pesticides than on a farm.",
    ),
    ("host", "How many hives do you look after now?"),
    (
        "guest",
        "Forty two, spread over eleven buildings. The biggest roof has six hives "
        "next to a small vegetable garden that the staff planted.",
    ),
    ("host", "What does a normal week look like for you?"),
    (
        "guest",
        "In spring I open every hive once a week. I check that the queen is laying, "
        "that there is enough food, and that the colony is not planning to swarm.",
    ),
    ("host", "What happens when a colony swarms?"),
    (
        "guest",
        "Half of the bees leave with the old queen and hang in a cluster on a "
        "lamp post or a tree. Usually I get a phone call from a worried security guard.",
    ),
    ("host", "That must be quite a sight in a busy street."),
    (
        "guest",
        "It is. But a swarm is very calm, because the bees are full of honey and "
        "have no home to defend. I simply shake them into a box and carry them away.",
    ),
    ("host", "Does the honey taste different from country honey?"),
    (
        "guest",
        "Very much so. In early summer it tastes of lime trees, and in autumn it "
        "turns darker because of ivy and the late flowers in the parks.",
    ),
    ("host", "How much honey does one roof produce in a year?"),
    (
        "guest",
        "A strong hive can give about twenty kilograms in a good year, but after a "
        "cold and wet summer we might only take five.",
    ),
    ("host", "What is the biggest threat to your bees?"),
    (
        "guest",
        "A small mite called varroa. It weakens the colony and spreads viruses, so "
        "I count the mites every month and treat the hives in late summer.",
    ),
    ("host", "If a listener wants to start keeping bees, what should they do first?"),
    (
        "guest",
        "Join a local beekeeping club and spend a whole season helping someone "
        "experienced before you buy your own hive.",
    ),
    ("host", "That is good advice. Thank you so much for coming in today."),
    ("guest", "It was a pleasure. And please, plant some flowers on your balcony."),
]


def _run(args: list[str]) -> None:
    subprocess.run(
        args, check=True, timeout=TOOL_TIMEOUT, stdin=subprocess.DEVNULL, capture_output=True
    )


def _ffmpeg(*args: str) -> None:
    _run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args])


def _fingerprint(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:12]


def _wav_frames(path: Path) -> tuple[int, int]:
    with wave.open(str(path), "rb") as w:
        return w.getnframes(), w.getframerate()


def interview(cache_dir: Path) -> Path:
    """A ~2.5 minute two-voice interview WAV (mono 16 kHz), with ``interview.json`` beside it.

    The JSON holds ``{"fingerprint", "sample_rate", "duration", "turns": [{"speaker", "voice",
    "text", "start", "end"}]}``; start/end are seconds in the final WAV (the span of each
    espeak-ng clip, which includes the few ms of silence espeak-ng puts around speech).
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    wav = cache_dir / "interview.wav"
    meta = cache_dir / "interview.json"
    key = _fingerprint(
        FIXTURE_VERSION, SCRIPT, HOST_VOICE, GUEST_VOICE, WORDS_PER_MINUTE, GAPS, INTERVIEW_RATE
    )
    if wav.exists() and meta.exists():
        try:
            if json.loads(meta.read_text())["fingerprint"] == key:
                return wav
        except (ValueError, KeyError):
            pass

    with tempfile.TemporaryDirectory(dir=cache_dir) as tmp_name:
        tmp = Path(tmp_name)
        pieces: list[Path] = []
        turns: list[dict[str, object]] = []
        position = 0  # in samples at the espeak-ng rate
        rate = 0
        for i, (speaker, text) in enumerate(SCRIPT):
            voice = HOST_VOICE if speaker == "host" else GUEST_VOICE
            clip = tmp / f"turn{i:02d}.wav"
            _run(["espeak-ng", "-v", voice, "-s", str(WORDS_PER_MINUTE), "-w", str(clip), text])
            frames, rate = _wav_frames(clip)
            turns.append(
                {
                    "speaker": speaker,
                    "voice": voice,
                    "text": text,
                    "start": position / rate,
                    "end": (position + frames) / rate,
                }
            )
            pieces.append(clip)
            position += frames
            if i < len(SCRIPT) - 1:
                gap_seconds = GAPS[i % len(GAPS)]
                gap = tmp / f"gap{i:02d}.wav"
                _run(
                    [
                        "sox",
                        "-r",
                        str(rate),
                        "-c",
                        "1",
                        "-b",
                        "16",
                        "-n",
                        str(gap),
                        "trim",
                        "0",
                        f"{round(gap_seconds * rate)}s",
                    ]
                )
                pieces.append(gap)
                position += _wav_frames(gap)[0]
        joined = tmp / "interview.wav"
        _run(
            [
                "sox",
                *map(str, pieces),
                "-r",
                str(INTERVIEW_RATE),
                "-c",
                "1",
                "-b",
                "16",
                str(joined),
            ]
        )
        for turn in turns:  # times survive resampling; round to the output sample grid
            for k in ("start", "end"):
                turn[k] = round(float(turn[k]) * INTERVIEW_RATE) / INTERVIEW_RATE
        frames, out_rate = _wav_frames(joined)
        assert out_rate == INTERVIEW_RATE
        assert abs(frames / out_rate - position / rate) < 0.01, "sox lost or added audio"
        doc = {
            "fingerprint": key,
            "sample_rate": out_rate,
            "duration": frames / out_rate,
            "turns": turns,
        }
        tmp_meta = tmp / "interview.json"
        tmp_meta.write_text(json.dumps(doc, indent=1) + "\n")
        os.replace(joined, wav)
        os.replace(tmp_meta, meta)
    return wav


def interview_turns(cache_dir: Path) -> list[dict[str, object]]:
    """The turns recorded in ``interview.json`` (creating the interview if needed)."""
    interview(cache_dir)
    return json.loads((cache_dir / "interview.json").read_text())["turns"]


# Speech, then a whisper that Silero VAD hears as speech and Whisper leaves without words,
# then (past the 30 s a clip may span) more speech: the first clip's words end well before
# its midpoint.
TRAILING_WHISPER: list[tuple[str, str | float]] = [
    ("silence", 0.5),
    ("en-us", "The quick brown fox jumps over the lazy dog near the river bank."),
    ("silence", 14.0),
    ("en+whisper", "The quick brown fox jumps over the lazy dog."),
    ("silence", 12.0),
    ("en-us", "Bees do surprisingly well on the roofs of office buildings."),
    ("silence", 0.5),
]


def speech_then_whisper(cache_dir: Path) -> Path:
    """A 38 s WAV (mono 16 kHz) made of TRAILING_WHISPER: a first clip whose last stretch
    of VAD speech (a whisper) gets no words, so its words stop before its midpoint."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    out = cache_dir / "speech-then-whisper.wav"
    stamp = cache_dir / "speech-then-whisper.key"
    key = _fingerprint(FIXTURE_VERSION, TRAILING_WHISPER, WORDS_PER_MINUTE, INTERVIEW_RATE)
    if out.exists() and stamp.exists() and stamp.read_text() == key:
        return out
    with tempfile.TemporaryDirectory(dir=cache_dir) as tmp_name:
        tmp = Path(tmp_name)
        pieces: list[Path] = []
        for i, (voice, what) in enumerate(TRAILING_WHISPER):
            raw, piece = tmp / f"raw{i}.wav", tmp / f"piece{i}.wav"
            rate = ["-r", str(INTERVIEW_RATE), "-c", "1", "-b", "16"]
            if voice == "silence":
                _run(["sox", *rate, "-n", str(piece), "trim", "0", str(what)])
            else:
                _run(["espeak-ng", "-v", voice, "-s", str(WORDS_PER_MINUTE), "-w", str(raw), what])
                _run(["sox", str(raw), *rate, str(piece)])
            pieces.append(piece)
        joined = tmp / "joined.wav"
        _run(["sox", *map(str, pieces), str(joined)])
        os.replace(joined, out)
    stamp.write_text(key)
    return out


@dataclass(frozen=True)
class WholeRun:
    """One uninterrupted transcription: its episode, segments and progress reports."""

    episode: Any  # desktop.core.model.Episode
    segments: list[Any]  # [desktop.core.model.Segment]
    progress: list[Any]  # [desktop.services.transcription.Progress]


_WHOLE: dict[Path, WholeRun] = {}


def uninterrupted(media_file: Path, engine: Any = None) -> WholeRun:
    """``media_file`` transcribed start to end with the default options (``engine``, else the
    embedded model), once per test session: the tests that compare a cancelled, killed or
    resumed run with an uninterrupted one, and those that check its segments, share one run,
    the suite's costliest step."""
    from desktop.core.store import Library
    from desktop.core.transcribe import load_transcriber
    from desktop.services.transcription import transcribe_media

    key = Path(media_file).resolve()
    if key not in _WHOLE:
        progress: list[Any] = []
        with tempfile.TemporaryDirectory() as tmp, Library.open(Path(tmp) / "whole.db") as lib:
            loader = (lambda: engine) if engine is not None else load_transcriber
            result = transcribe_media(lib, key, loader, on_progress=progress.append)
            _WHOLE[key] = WholeRun(result.episode, lib.segments(result.episode.id), progress)
    return _WHOLE[key]


# fmt -> (suffix, ffmpeg output options)
_FORMATS: dict[str, tuple[str, list[str]]] = {
    "mp3": (".mp3", ["-c:a", "libmp3lame", "-b:a", "64k"]),
    # ffmpeg writes the moov atom last by default; "m4a-faststart" puts it first.
    "m4a": (".m4a", ["-c:a", "aac", "-b:a", "64k"]),
    "m4a-faststart": (".m4a", ["-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart"]),
    "ogg": (".ogg", ["-c:a", "libopus", "-b:a", "32k"]),
    "flac": (".flac", ["-c:a", "flac"]),
    # Matroska keeps whole-millisecond timestamps: decode_audio does not seek in it.
    "webm": (".webm", ["-c:a", "libopus", "-b:a", "32k"]),
    # An mp3 without Xing/Info header: its duration is only an estimate from the bitrate.
    "mp3-noxing": (".mp3", ["-c:a", "libmp3lame", "-b:a", "64k", "-write_xing", "0"]),
}
FORMATS = ("mp3", "m4a", "ogg", "mp4", "flac")


def _fresh(out: Path, src: Path) -> bool:
    return out.exists() and out.stat().st_mtime >= src.stat().st_mtime


def _tmp_name(out: Path) -> Path:
    return out.with_name(f".{out.stem}.{os.getpid()}.tmp{out.suffix}")


def convert(src: Path, fmt: str, cache_dir: Path) -> Path:
    """``src`` re-encoded as mp3, m4a (AAC), ogg (Opus), mp4 (H.264 + AAC) or flac (``FORMATS``),
    or one of the variants m4a-faststart, webm (Opus) and mp3-noxing."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    name = f"{src.stem}.{fmt}" if "-" in fmt else src.stem
    if fmt == "mp4":
        out = cache_dir / f"{name}.mp4"
        opts = [
            "-f",
            "lavfi",
            "-i",
            "color=c=navy:s=320x240:r=10",
            "-map",
            "1:v",
            "-map",
            "0:a",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            "64k",
            "-shortest",
        ]
    elif fmt in _FORMATS:
        suffix, opts = _FORMATS[fmt]
        out = cache_dir / f"{name}{suffix}"
    else:
        raise ValueError(f"unknown format {fmt!r}")
    if _fresh(out, src):
        return out
    tmp = _tmp_name(out)
    _ffmpeg("-i", str(src), *opts, str(tmp))
    os.replace(tmp, out)
    return out


def video_without_audio(cache_dir: Path) -> Path:
    """A 3 s H.264 MP4 with a video track and no audio track."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    out = cache_dir / "video-only.mp4"
    if not out.exists():
        tmp = _tmp_name(out)
        _ffmpeg(
            "-f",
            "lavfi",
            "-i",
            "color=c=navy:s=320x240:r=10",
            "-t",
            "3",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            str(tmp),
        )
        os.replace(tmp, out)
    return out


def mp3_with_cover(cache_dir: Path) -> Path:
    """The JFK clip as mp3 with an embedded cover picture (a video stream, but not video)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    out = cache_dir / "jfk-cover.mp3"
    if not _fresh(out, JFK):
        cover = cache_dir / "cover.png"
        _ffmpeg("-f", "lavfi", "-i", "color=c=red:s=64x64", "-frames:v", "1", str(cover))
        tmp = _tmp_name(out)
        _ffmpeg(
            "-i",
            str(JFK),
            "-i",
            str(cover),
            "-map",
            "0:a",
            "-map",
            "1:v",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "64k",
            "-c:v",
            "png",
            "-disposition:v",
            "attached_pic",
            "-id3v2_version",
            "3",
            str(tmp),
        )
        os.replace(tmp, out)
    return out


def _head(src: Path, out: Path, fraction: float) -> Path:
    """The first ``fraction`` of ``src``'s bytes (what ``head -c`` does)."""
    data = src.read_bytes()
    tmp = _tmp_name(out)
    tmp.write_bytes(data[: int(len(data) * fraction)])
    os.replace(tmp, out)
    return out


def truncated_mp3(cache_dir: Path) -> Path:
    """The first 40% of the interview's mp3 bytes, as an interrupted download would leave it."""
    return _head(convert(interview(cache_dir), "mp3", cache_dir), cache_dir / "truncated.mp3", 0.4)


def truncated_m4a(cache_dir: Path, faststart: bool = True) -> Path:
    """The first 40% of the interview's m4a bytes (moov first with ``faststart``, else last)."""
    fmt = "m4a-faststart" if faststart else "m4a"
    return _head(
        convert(interview(cache_dir), fmt, cache_dir), cache_dir / f"truncated-{fmt}.m4a", 0.4
    )


def truncated_mp3_without_xing(cache_dir: Path) -> Path:
    """The first 40% of an mp3 that has no Xing/Info header (so no frame count)."""
    return _head(
        convert(interview(cache_dir), "mp3-noxing", cache_dir),
        cache_dir / "truncated-noxing.mp3",
        0.4,
    )


def corrupted_m4a(cache_dir: Path, at: float = 0.5) -> Path:
    """The faststart m4a with 3000 random bytes written over the media data at ``at``."""
    src = convert(interview(cache_dir), "m4a-faststart", cache_dir)
    data = bytearray(src.read_bytes())
    offset = int(len(data) * at)
    data[offset : offset + 3000] = hashlib.shake_256(b"corrupt").digest(3000)
    out = cache_dir / f"corrupted-{round(at * 100)}.m4a"
    tmp = _tmp_name(out)
    tmp.write_bytes(bytes(data))
    os.replace(tmp, out)
    return out


def random_bytes(cache_dir: Path, name: str = "noise.mp3", size: int = 64 * 1024) -> Path:
    """Reproducible random bytes under a media name."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    out = cache_dir / name
    out.write_bytes(hashlib.shake_256(name.encode()).digest(size))
    return out


def text_as_wav(cache_dir: Path) -> Path:
    """A plain text file named .wav."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    out = cache_dir / "notes.wav"
    out.write_text("Episode notes: remember to ask about the honey harvest.\n" * 20)
    return out


def empty_file(cache_dir: Path, name: str = "empty.mp3") -> Path:
    """A zero-byte file with a media name."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    out = cache_dir / name
    out.write_bytes(b"")
    return out


def sample_head(cache_dir: Path, seconds: int = 90) -> Path:
    """The first `seconds` of the bundled NASA sample (public domain), as an mp3 copied
    without re-encoding: real interview speech, short enough to transcribe twice."""
    from desktop.core.resources import resources_dir

    src = resources_dir() / "sample" / "nasa-hwhap414-science-in-space.mp3"
    cache_dir.mkdir(parents=True, exist_ok=True)
    out = cache_dir / f"nasa-sample-first-{seconds}s.mp3"
    if _fresh(out, src):
        return out
    tmp = _tmp_name(out)
    _ffmpeg("-i", str(src), "-t", str(seconds), "-c", "copy", str(tmp))
    os.replace(tmp, out)
    return out


def tone_video(out: Path) -> Path:
    """A 2 s video (test pattern and a 440 Hz tone) at `out`: a video episode's media."""
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10",
        "-f", "lavfi", "-i", "sine=frequency=440", "-t", "2", "-shortest", str(out),
    )  # fmt: skip
    return out
