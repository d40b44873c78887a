"""Transcription benchmark: Earmark's pipeline vs bare faster-whisper, same file, same run.

For each setting (beam 1 and 5, VAD on and off) a fresh process transcribes a ~5 minute
two-voice interview (espeak-ng, made by the test fixtures) and reports real-time factor
(audio seconds per wall second), time to first segment, peak RSS and word error rate.
"bare" is faster-whisper's own `WhisperModel.transcribe` consumed to the end with the same
model and options: no storage, no progress, no clip planning.

    .venv/bin/python bench/transcribe.py
    .venv/bin/python bench/transcribe.py --models [--model DIR ...]   one row per model
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CACHE = ROOT / "bench" / ".cache" / "media"


def bench_file() -> tuple[Path, str]:
    """The fixture interview played twice, as an mp3, and its reference text."""
    from tests import media_fixtures as media

    wav = media.interview(CACHE)
    reference = " ".join(str(t["text"]) for t in media.interview_turns(CACHE))
    out = CACHE / "interview-x2.mp3"
    if not out.exists():
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-i",
                str(wav),
                "-i",
                str(wav),
                "-filter_complex",
                "[0:a][1:a]concat=n=2:v=0:a=1",
                "-c:a",
                "libmp3lame",
                "-b:a",
                "64k",
                str(out),
            ],
            check=True,
            timeout=300,
        )
    return out, f"{reference} {reference}"


def run_one(kind: str, beam: int, vad: bool, path: Path) -> dict[str, float | str]:
    from desktop.core.media import probe_media
    from desktop.core.transcribe import TranscribeOptions, load_transcriber, resolve_model

    duration = probe_media(path).duration
    if kind == "bare":
        from faster_whisper import WhisperModel

        from desktop.core.transcribe.faster_whisper_engine import available_cores

        model = WhisperModel(
            str(resolve_model().path),
            device="cpu",
            compute_type="int8",
            cpu_threads=available_cores(),
            local_files_only=True,
        )
        started = time.perf_counter()
        segments, _ = model.transcribe(
            str(path), language="en", beam_size=beam, vad_filter=vad, word_timestamps=True
        )
        first = None
        texts = []
        for segment in segments:
            first = first if first is not None else time.perf_counter() - started
            texts.append(segment.text)
        wall = time.perf_counter() - started
        text = " ".join(texts)
    else:
        from desktop.core.store import Library
        from desktop.services.transcription import transcribe_media

        engine = load_transcriber()
        firsts: list[float] = []
        with tempfile.TemporaryDirectory() as tmp, Library.open(Path(tmp) / "b.sqlite3") as lib:
            started = time.perf_counter()
            result = transcribe_media(
                lib,
                path,
                lambda: engine,
                TranscribeOptions(beam_size=beam, vad_filter=vad),
                on_progress=lambda p: firsts.append(time.perf_counter() - started),
            )
            wall = time.perf_counter() - started
            text = " ".join(s.text for s in lib.segments(result.episode.id))
        first = firsts[0] if firsts else None
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "wall": wall,
        "rtf": duration / wall,
        "first": first or wall,
        "rss": rss_mb,
        "text": text,
        "duration": duration,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", nargs=3, metavar=("KIND", "BEAM", "VAD"), help=argparse.SUPPRESS)
    parser.add_argument("--one-model", help=argparse.SUPPRESS)
    parser.add_argument(
        "--models",
        action="store_true",
        help="a row per installed model (bench/transcribe_models.py)",
    )
    parser.add_argument(
        "--model", action="append", default=[], metavar="DIR", help="with --models: this one too"
    )
    args = parser.parse_args()
    if args.one_model is not None:
        from bench.transcribe_models import run_model

        print(json.dumps(run_model(args.one_model or None)))
        return
    if args.models:
        from bench.transcribe_models import table

        table(args.model)
        return
    path, reference = bench_file()
    if args.one:
        kind, beam, vad = args.one
        print(json.dumps(run_one(kind, int(beam), vad == "on", path)))
        return

    from tests.wer import word_error_rate

    print(f"file: {path.name}, two espeak-ng voices, mp3 64 kb/s")
    print("| setting | pipeline | real time | first segment | peak RSS | WER | vs bare |")
    print("|---|---|---|---|---|---|---|")
    for beam in (1, 5):
        for vad in ("on", "off"):
            walls = {}
            for kind in ("bare", "earmark"):
                out = subprocess.run(
                    [sys.executable, __file__, "--one", kind, str(beam), vad],
                    capture_output=True,
                    text=True,
                    check=True,
                    timeout=1800,
                )
                r = json.loads(out.stdout.strip().splitlines()[-1])
                walls[kind] = r["wall"]
                ratio = "" if kind == "bare" else f"{r['wall'] / walls['bare'] - 1:+.0%} time"
                print(
                    f"| beam {beam}, VAD {vad} | {kind} | {r['rtf']:.1f}x | {r['first']:.2f} s "
                    f"| {r['rss']:.0f} MB | {word_error_rate(reference, str(r['text'])):.1%} "
                    f"| {ratio} |",
                    flush=True,
                )
    print(f"(audio: {r['duration']:.0f} s)")


if __name__ == "__main__":
    main()
