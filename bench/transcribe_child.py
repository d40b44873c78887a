"""What running faster-whisper in its own process costs: the NASA sample episode
transcribed by the in-process engine and by the child process, each in a fresh process,
alternating, through the same service (transcribe_media, storing into a library).

Reports, per run: time to a loaded model (in the child: spawn, imports and load, while the
parent waits), the transcription's wall time (decode, clips, storage), the total, the CPU
time of every process of the run (imports included: the child imports numpy and the engine
again), and the peak RSS of each process (the child's read from /proc before it is
closed). Also the one copy the child mode adds: writing the audio to a file the child maps,
for this episode and for an hour of audio. On a busy machine wall times vary by a second or
more between runs; CPU time varies less.

    .venv/bin/python bench/transcribe_child.py [--rounds 2]
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

SAMPLE = ROOT / "resources" / "sample" / "nasa-hwhap414-science-in-space.mp3"


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM of a live process (Linux), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def run_one(kind: str) -> dict[str, float | None]:
    from desktop.core.store import Library
    from desktop.core.transcribe import load_transcriber, resolve_model
    from desktop.core.transcribe.child import ChildTranscriber
    from desktop.services.transcription import transcribe_media

    spec = resolve_model()
    started = time.perf_counter()
    child_rss = None
    if kind == "child":
        engine = ChildTranscriber(spec)
        engine.start()
        engine.load()
    else:
        engine = load_transcriber(spec)
    loaded = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp, Library.open(Path(tmp) / "b.sqlite3") as lib:
        began = time.perf_counter()
        result = transcribe_media(lib, SAMPLE, lambda: engine)
        wall = time.perf_counter() - began
        segments = lib.segments(result.episode.id)
    if isinstance(engine, ChildTranscriber):
        child_rss = peak_rss_mb(engine.pid) if engine.pid else None
        engine.close()  # joined: its CPU time counts among this process's children
    used = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return {
        "cpu": sum(u.ru_utime + u.ru_stime for u in used),
        "load": loaded,
        "wall": wall,
        "segments": len(segments),
        "duration": result.episode.duration,
        "parent_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "child_rss": child_rss,
    }


def audio_file_cost() -> list[str]:
    import numpy as np

    from desktop.core.media import decode_audio, probe_media
    from desktop.core.transcribe.child_audio import write_audio

    lines = []
    sample = decode_audio(SAMPLE, probe_media(SAMPLE))
    hour = np.zeros(16_000 * 3600, dtype=np.float32)
    for name, audio in (("this episode", sample), ("one hour", hour)):
        began = time.perf_counter()
        path = write_audio(audio)
        took = time.perf_counter() - began
        lines.append(
            f"audio file ({name}, {audio.nbytes / 1e6:.0f} MB in {path.parent}): {took:.3f} s"
        )
        path.unlink()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", choices=("in-process", "child"), help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return
    print(
        "| engine | model ready | transcription | total | CPU, all processes "
        "| parent peak RSS | child peak RSS |"
    )
    print("|---|---|---|---|---|---|---|")
    for _ in range(args.rounds):
        for kind in ("in-process", "child"):
            out = subprocess.run(
                [sys.executable, __file__, "--one", kind],
                capture_output=True,
                text=True,
                check=True,
                timeout=1800,
            )
            r = json.loads(out.stdout.strip().splitlines()[-1])
            child = f"{r['child_rss']:.0f} MB" if r["child_rss"] else ""
            print(
                f"| {kind} | {r['load']:.2f} s | {r['wall']:.2f} s | "
                f"{r['load'] + r['wall']:.2f} s | {r['cpu']:.1f} s | {r['parent_rss']:.0f} MB "
                f"| {child} |",
                flush=True,
            )
    print(f"(audio: {r['duration']:.0f} s, {r['segments']} segments)")
    for line in audio_file_cost():
        print(line)


if __name__ == "__main__":
    main()
