"""Make field-notes-back-to-paper.mp3 (beside this file) from its WebVTT script.

Two espeak-ng voices read the cues in turn (Maya: en-us+f3, Daniel: en-gb+m3) with short
pauses between speakers; the result is a mono 64 kb/s mp3 tagged with the episode title.
It was the bundled sample until the real NASA interview replaced it; the tests keep it as a
two-voice plumbing fixture. Run this again only when the script changes (needs espeak-ng,
sox and ffmpeg).

    .venv/bin/python tests/data/espeak/make_audio.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from desktop.core.importers import load_transcript  # noqa: E402

SAMPLE = Path(__file__).resolve().with_name("field-notes-back-to-paper.vtt")
OUT = SAMPLE.with_suffix(".mp3")
VOICES = {"Maya": "en-us+f3", "Daniel": "en-gb+m3"}


def run(*args: str) -> None:
    subprocess.run(args, check=True, timeout=120, capture_output=True)


def main() -> None:
    transcript = load_transcript(SAMPLE)
    with tempfile.TemporaryDirectory() as tmp:
        pieces: list[str] = []
        previous = None
        for n, segment in enumerate(transcript.segments):
            if previous is not None:
                gap = Path(tmp) / f"gap{n:03d}.wav"
                seconds = "0.7" if segment.speaker != previous else "0.3"
                run("sox", "-n", "-r", "22050", "-c", "1", str(gap), "trim", "0", seconds)
                pieces.append(str(gap))
            wav = Path(tmp) / f"cue{n:03d}.wav"
            voice = VOICES.get(segment.speaker or "", "en-us")
            run("espeak-ng", "-v", voice, "-s", "160", "-w", str(wav), segment.text)
            pieces.append(str(wav))
            previous = segment.speaker
        joined = Path(tmp) / "episode.wav"
        run("sox", *pieces, "-r", "22050", "-c", "1", str(joined))
        run(
            "ffmpeg", "-v", "error", "-y", "-i", str(joined), "-c:a", "libmp3lame",
            "-b:a", "64k", "-metadata", f"title={transcript.title}",
            "-metadata", "artist=Earmark sample", str(OUT),
        )  # fmt: skip
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
