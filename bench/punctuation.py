"""Punctuation benchmark: how many long segments have no sentence mark, and the WER.

Clips are decoded independently; without a prompt Whisper often writes a long clip as one
lower-case run with no punctuation (issue 16.4). For the NASA sample and every real
recording in ../shared/corpus/audio with a reference (refs.tsv), and the synthetic
interview of the tests, each candidate setting transcribes the file in the same run, and
the table gives per file: segments, the share of segments of 15 words or more with no
sentence mark (. ! ? … inside or at the end), and the word error rate.

Candidates: the engine without a prompt (the baseline), a fixed punctuated prompt, the
last words before the clip as the prompt, each with VAD on and off; "+cut" is the same
run with the segments of 15+ words that still lack a mark cut at their longest pauses
(segmenting.split_long_runs), which changes no word, so its WER is the run's.

    .venv/bin/python bench/punctuation.py                  # tiny.en on every file
    .venv/bin/python bench/punctuation.py --model base     # base on the NASA sample
    .venv/bin/python bench/punctuation.py --show fixed     # print a candidate's transcript
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from desktop.core.model import Segment  # noqa: E402
from desktop.core.transcribe import TranscribeOptions, Transcriber  # noqa: E402
from desktop.core.transcribe.segmenting import (  # noqa: E402
    LONG_RUN_WORDS,
    has_sentence_end,
    split_long_runs,
)

CORPUS = ROOT.parent / "shared" / "corpus" / "audio"
NASA = ROOT / "resources" / "sample" / "nasa-hwhap414-science-in-space.mp3"
NASA_IN_CORPUS = "nasa_hwhap414_science_in_space.mp3"  # the same audio frames, other tags
CACHE = ROOT / "bench" / ".cache" / "media"

# Two fixed prompts, punctuated and capitalised, with no names or topic words worth
# copying into a quiet clip: an interview's opening, and plain conversation.
FIXED_PROMPTS = {
    "fixed": "Hello, and welcome. Thank you, it's great to be here. So, how did it start?",
    "fixed2": "Well, yes. So, what did you do next? We went back, and it worked!",
}

CANDIDATES: dict[str, TranscribeOptions] = {
    "none": TranscribeOptions(),  # independent clips, no prompt: the engine before 16.4
    **{name: TranscribeOptions(prompt=text) for name, text in FIXED_PROMPTS.items()},
    "previous": TranscribeOptions(previous_text=""),  # the last words before each clip
}


@dataclass(frozen=True)
class Row:
    file: str
    candidate: str
    segments: int
    long: int  # segments of LONG_RUN_WORDS words or more
    unpunctuated: int  # of those, with no sentence mark
    wer: float
    seconds: float

    @property
    def share(self) -> float:
        return self.unpunctuated / self.segments if self.segments else 0.0


def recordings(nasa_only: bool, interview: bool) -> list[tuple[str, Path, str]]:
    """(name, media, reference): the NASA sample first, then the corpus, then the interview."""
    with (CORPUS / "refs.tsv").open(encoding="utf-8") as handle:
        refs = {row[0]: row[1] for row in csv.reader(handle, delimiter="\t")}
    files = [("nasa (sample)", NASA, refs[NASA_IN_CORPUS])]
    if nasa_only:
        return files
    files += [(n, CORPUS / n, text) for n, text in refs.items() if n != NASA_IN_CORPUS]
    if interview:
        from tests import media_fixtures as media

        wav = media.interview(CACHE)
        script = " ".join(str(t["text"]) for t in media.interview_turns(CACHE))
        files.append(("interview (espeak)", wav, script))
    return files


def transcribe(
    engine: Transcriber, audio: np.ndarray, options: TranscribeOptions, cut: bool = True
) -> list[Segment]:
    """The engine's segments; cut=False: as Whisper and segments_from_words made them,
    without the engine's cut of long unpunctuated runs (split_long_runs)."""
    from desktop.core.transcribe import faster_whisper_engine

    shipped = faster_whisper_engine.split_long_runs
    if not cut:
        faster_whisper_engine.split_long_runs = lambda segments: segments
    try:
        stream = engine.stream(audio, options)
        return [segment for batch in stream.batches for segment in batch]
    finally:
        faster_whisper_engine.split_long_runs = shipped


def runs(
    engine: Transcriber, audio: np.ndarray, options: TranscribeOptions
) -> tuple[list[Segment], list[Segment], float]:
    """(without the cut, with it, seconds of the first run). The cut works per segment, so
    it is applied afterwards, except where the prompt is the text before the clip: there
    the cut's capitals are part of the next clip's prompt, so the engine runs again."""
    started = time.perf_counter()
    raw = transcribe(engine, audio, options, cut=False)
    seconds = time.perf_counter() - started
    if options.previous_text is None:
        return raw, split_long_runs(raw), seconds
    return raw, transcribe(engine, audio, options), seconds


def unpunctuated(segments: list[Segment]) -> tuple[int, int]:
    long = [s for s in segments if len(s.text.split()) >= LONG_RUN_WORDS]
    return len(long), sum(not has_sentence_end(s.text) for s in long)


def measure(engine: Transcriber, files, names: list[str], vads: list[bool]) -> list[Row]:
    from desktop.core.media import decode_audio
    from tests.wer import word_error_rate

    rows: list[Row] = []
    for file, path, reference in files:
        audio = decode_audio(path)
        for name in names:
            for vad in vads:
                options = replace(CANDIDATES[name], vad_filter=vad)
                raw, cut, seconds = runs(engine, audio, options)
                label = f"{name}, VAD {'on' if vad else 'off'}"
                for suffix, segments in (("", raw), (" +cut", cut)):
                    wer = word_error_rate(reference, " ".join(s.text for s in segments))
                    long, bad = unpunctuated(segments)
                    rows.append(Row(file, label + suffix, len(segments), long, bad, wer, seconds))
                print(f"  {file}: {label} {seconds:.1f} s", file=sys.stderr, flush=True)
    return rows


def table(rows: list[Row]) -> None:
    print("| file | candidate | segments | 15+ words | unpunctuated | share | WER | time |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r.file} | {r.candidate} | {r.segments} | {r.long} | {r.unpunctuated} "
            f"| {r.share:.1%} | {r.wer:.3f} | {r.seconds:.1f} s |"
        )


def totals(rows: list[Row]) -> None:
    """Per candidate over all files: unpunctuated long segments, and the mean WER."""
    print("\n| candidate | unpunctuated 15+ / segments | mean WER (all files) |")
    print("|---|---|---|")
    for candidate in dict.fromkeys(r.candidate for r in rows):
        mine = [r for r in rows if r.candidate == candidate]
        bad, total = sum(r.unpunctuated for r in mine), sum(r.segments for r in mine)
        mean = sum(r.wer for r in mine) / len(mine)
        print(f"| {candidate} | {bad} / {total} | {mean:.3f} |")


def show(engine: Transcriber, name: str, vad: bool, cut: bool) -> None:
    from desktop.core.media import decode_audio

    options = replace(CANDIDATES[name], vad_filter=vad)
    for s in transcribe(engine, decode_audio(NASA), options, cut):
        print(f"{int(s.start // 60)}:{s.start % 60:05.2f}  {s.text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a model folder or listed name (default: tiny.en)")
    parser.add_argument("--nasa-only", action="store_true", help="only the NASA sample")
    parser.add_argument("--no-interview", action="store_true", help="skip the espeak file")
    parser.add_argument("--candidates", default=",".join(CANDIDATES), help="comma-separated")
    parser.add_argument("--vad", choices=("on", "off", "both"), default="both")
    parser.add_argument("--show", metavar="CANDIDATE", help="print the NASA transcript")
    parser.add_argument("--cut", action="store_true", help="with --show: after the cut")
    args = parser.parse_args()

    from desktop.core.transcribe import load_transcriber

    engine = load_transcriber(args.model)
    vads = {"on": [True], "off": [False], "both": [True, False]}[args.vad]
    if args.show:
        show(engine, args.show, vads[0], args.cut)
        return
    nasa_only = args.nasa_only or args.model is not None
    files = recordings(nasa_only, interview=not args.no_interview)
    rows = measure(engine, files, args.candidates.split(","), vads)
    model = f"{engine.model} ({args.model or 'embedded'})"
    print(f"model: {model}; {LONG_RUN_WORDS}+ words without . ! ? …")
    table(rows)
    totals(rows)


if __name__ == "__main__":
    main()
