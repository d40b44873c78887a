"""Per-model table for bench/transcribe.py: which Whisper model to pick on this machine.

Each model (every installed one, the embedded tiny.en first as the baseline, plus any
folder given with --model) runs in a fresh process through Earmark's own pipeline
(transcribe_media into a scratch library, the model in that process so its memory is
measured) over the NASA sample (4:54, two people, the bundled mp3) and every other
recording with a reference in ../shared/corpus/audio/refs.tsv. Reported: load time,
real-time factor and time to the first stored segment on the NASA sample, peak RSS, WER
on the NASA sample, and the WER of all other references pooled (errors / words); the
time ratio is against tiny.en in the same run.

    .venv/bin/python bench/transcribe.py --models [--model DIR ...]
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def run_model(model: str | None) -> dict[str, object]:
    """One model over every recording, in this process (called in a fresh one)."""
    os.environ["EARMARK_TRANSCRIBE_IN_PROCESS"] = "1"
    from bench.punctuation import recordings
    from desktop.core.store import Library
    from desktop.core.transcribe import load_transcriber
    from desktop.services.transcription import transcribe_media
    from desktop.services.whisper_models import model_folder
    from tests.wer import word_error_rate

    started = time.perf_counter()
    engine = load_transcriber(model_folder(model) if model else None)
    load = time.perf_counter() - started
    # A folder given by path is named as given (a link called "base" to a joined model).
    shown = Path(model).name if model and "/" in model else engine.model
    result: dict[str, object] = {"model": shown, "load": load}
    errors = words = 0.0
    with tempfile.TemporaryDirectory() as tmp, Library.open(Path(tmp) / "b.sqlite3") as lib:
        for name, path, reference in recordings(nasa_only=False, interview=False):
            firsts: list[float] = []
            began = time.perf_counter()

            def seen(progress, began=began, firsts=firsts) -> None:
                if progress.segments and not firsts:
                    firsts.append(time.perf_counter() - began)

            done = transcribe_media(lib, path, lambda: engine, on_progress=seen)
            wall = time.perf_counter() - began
            text = " ".join(s.text for s in lib.segments(done.episode.id))
            wer = word_error_rate(reference, text)
            if name.startswith("nasa"):
                duration = done.episode.duration or 0.0
                result.update(
                    nasa_wer=wer, rtf=duration / wall, first=firsts[0] if firsts else wall
                )
            else:
                count = len(reference.split())
                errors += wer * count
                words += count
            print(f"  {shown} {name}: {wall:.1f} s, WER {wer:.3f}", file=sys.stderr)
    result["others_wer"] = errors / words if words else None
    result["rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def installed_models() -> list[str | None]:
    """None (the embedded tiny.en, the baseline) and every other model pulled here."""
    from desktop.services.whisper_models import model_states

    return [None] + [s.model.name for s in model_states() if s.installed and not s.model.embedded]


def table(extra: list[str]) -> None:
    models = installed_models() + extra
    print("| model | load | real time (NASA) | time vs tiny.en | first segment | peak RSS "
          "| WER NASA | WER other refs |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    baseline = None
    for model in models:
        out = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "transcribe.py"), "--one-model", model or ""],
            capture_output=True,
            text=True,
            check=True,
            timeout=3600,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        seconds = 1 / r["rtf"]
        baseline = baseline or seconds
        print(
            f"| {r['model']} | {r['load']:.1f} s | {r['rtf']:.1f}x | {seconds / baseline:.2f}x "
            f"| {r['first']:.1f} s | {r['rss']:.0f} MB | {r['nasa_wer']:.3f} "
            f"| {r['others_wer']:.3f} |",
            flush=True,
        )
