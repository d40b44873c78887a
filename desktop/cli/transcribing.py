"""`earmark transcribe` and `earmark open`: local transcription with a progress bar."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from desktop.cli.output import print_json
from desktop.core.errors import EarmarkError
from desktop.core.store import Library
from desktop.core.timecode import short
from desktop.core.transcribe import DEFAULT_BEAM_SIZE
from desktop.services.importing import import_transcript
from desktop.services.opening import engine_choice, is_transcript_file
from desktop.services.transcription import Progress, TranscriptionResult, transcribe_media


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model",
        metavar="NAME|DIR",
        help="a model from 'earmark model list' or a CTranslate2 Whisper model folder "
        "(default: $EARMARK_MODEL, then the model_dir setting, then the embedded tiny.en)",
    )
    parser.add_argument("--language", metavar="LANG", help="e.g. en, de (default: detect)")
    parser.add_argument(
        "--beam-size",
        type=int,
        metavar="N",
        help=f"1 is greedy decoding (default: the beam_size setting, else {DEFAULT_BEAM_SIZE})",
    )
    parser.add_argument("--no-vad", action="store_true", help="do not skip silence")
    parser.add_argument(
        "--server",
        metavar="URL",
        help="an OpenAI-compatible Whisper server of yours (default: $EARMARK_STT_SERVERS, "
        "then the stt_servers setting, else this machine)",
    )
    parser.add_argument(
        "--local", action="store_true", help="transcribe on this machine, even with a server set"
    )
    parser.add_argument(
        "--per-server", type=int, default=1, metavar="N",
        help="with several files: how many each Whisper server transcribes at once "
        "(default 1; a GPU server often takes 2-4)",
    )  # fmt: skip


class ProgressBar:
    """A tqdm bar on an interactive stderr; silent otherwise (logs, --json)."""

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled
        self._bar: Any = None

    def __call__(self, progress: Progress) -> None:
        if progress.warning:  # said once, whether or not a bar is drawn
            if self._bar is not None:
                self._bar.clear()
            print(f"earmark: warning: {progress.warning}", file=sys.stderr)
        if not self._enabled:
            return
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(
                total=round(progress.duration),
                initial=0,
                file=sys.stderr,
                desc="Transcribing",
                # The status text rides in `unit`: tqdm prefixes {postfix} with ", ".
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {unit}",
            )
        self._bar.n = min(round(progress.position), self._bar.total)
        left = f"{short(progress.eta)} left" if progress.eta is not None else "estimating"
        speed = f"{progress.speed:.1f}x real time" if progress.speed else ""
        self._bar.unit = f"{short(progress.position)}/{short(progress.duration)}, {left}" + (
            f", {speed}" if speed else ""
        )
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def transcribe_cmd(args: argparse.Namespace) -> int:
    if getattr(args, "again", False) or getattr(args, "undo", False):  # not on `open`
        from desktop.cli import retranscribing

        if len(args.media) != 1:
            raise EarmarkError("--again and --undo take one episode id")
        args.media = args.media[0]
        return retranscribing.again_cmd(args) if args.again else retranscribing.undo_cmd(args)
    if isinstance(args.media, list):  # `transcribe`; `open` gives one path
        if len(args.media) > 1 or Path(args.media[0]).is_dir():
            from desktop.cli.queueing import queue_cmd

            return queue_cmd(args)
        args.media = args.media[0]
    media = Path(args.media)
    if is_transcript_file(media):
        raise EarmarkError(
            f"{media}: this is a transcript, not audio or video; "
            f"add it with 'earmark import {media}'"
        )
    if args.beam_size is not None and args.beam_size < 1:
        raise EarmarkError("--beam-size must be at least 1")
    vad = False if args.no_vad else None  # None: the saved setting, else on
    choice = engine_choice(
        args.model, args.language, args.beam_size, vad=vad, server=args.server, local=args.local
    )
    bar = ProgressBar(enabled=sys.stderr.isatty() and not args.json)
    with Library.open() as library:
        try:
            result = transcribe_media(
                library, media, choice.loader(), choice.options, on_progress=bar
            )
        except KeyboardInterrupt:
            bar.close()
            print(
                f"earmark: interrupted; what was transcribed is kept. Run "
                f"'earmark transcribe {media}' again to continue.",
                file=sys.stderr,
            )
            return 130
        finally:
            bar.close()
    _report(result, args.json)
    return 0


def open_cmd(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if is_transcript_file(path):
        with Library.open() as library:
            imported = import_transcript(library, path)
        episode = imported.episode
        if args.json:
            print_json(
                {
                    "id": episode.id,
                    "title": episode.title,
                    "status": str(episode.status),
                    "segments": episode.segment_count,
                    "source": "imported",
                }
            )
        else:
            print(f"#{episode.id} {episode.title} ({episode.segment_count} segments)")
        return 0
    args.media = args.path
    return transcribe_cmd(args)


def _report(result: TranscriptionResult, as_json: bool) -> None:
    episode = result.episode
    if as_json:
        print_json(
            {
                "id": episode.id,
                "title": episode.title,
                "status": str(episode.status),
                "segments": episode.segment_count,
                "language": episode.language,
                "model": episode.model,
                "resumed_from": result.resumed_from,
                "already_done": result.already_done,
            }
        )
        return
    note = " (already transcribed)" if result.already_done else ""
    if result.resumed_from:
        note = f" (resumed at {short(result.resumed_from)})"
    print(f"#{episode.id} {episode.title}: {episode.segment_count} segments{note}")
