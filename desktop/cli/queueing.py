"""`earmark transcribe FILE… | DIR`: a queue over this computer and every Whisper server
configured, a line per file as it ends, and on a terminal one bar for the whole queue:
files done, files running, the combined speed of every engine and the time left."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from desktop.cli.output import print_json
from desktop.cli.progress import FractionBar
from desktop.core.errors import EarmarkError
from desktop.core.store import Library
from desktop.services.opening import engine_choice, stt_server_urls
from desktop.services.queue import (
    QueueProgress,
    QueueResult,
    media_files,
    queue_engines,
    transcribe_queue,
)
from desktop.services.transcription import CancelToken


def queue_cmd(args: argparse.Namespace) -> int:
    paths = media_files([Path(p) for p in args.media])
    if not paths:
        raise EarmarkError("no audio or video files there: " + ", ".join(args.media))
    vad = False if args.no_vad else None
    choice = engine_choice(args.model, args.language, args.beam_size, vad=vad, local=True)
    servers = [] if args.local else stt_server_urls(args.server)
    engines = queue_engines(choice, servers, per_server=getattr(args, "per_server", 1))
    cancel = CancelToken()
    bar = FractionBar(sys.stderr.isatty() and not args.json, "Queue")
    lock = threading.Lock()  # the engines' threads report at once

    def report(result: QueueResult) -> None:
        if not args.json:
            with lock:
                bar.close()  # the line goes above the bar, which is drawn again after
                print(result.line(), file=sys.stdout if result.episode else sys.stderr, flush=True)

    def progress(update: QueueProgress) -> None:
        with lock:
            bar.update(update.fraction, progress_detail(update), update.eta)

    with Library.open() as library:
        library_path = library.path
    try:
        results = transcribe_queue(
            library_path, paths, engines, choice.options, report, cancel, on_progress=progress
        )
    except KeyboardInterrupt:
        cancel.cancel()
        print("earmark: interrupted; what was transcribed is kept. Run the same command "
              "again to continue.", file=sys.stderr)  # fmt: skip
        return 130
    if args.json:
        print_json([_result_json(r) for r in results])
    return 1 if any(r.episode is None for r in results) else 0


def progress_detail(update: QueueProgress) -> str:
    """ "2 of 10 files, 3 running, 31.5x real time" (the bar adds the time left)."""
    speed = f", {update.speed:.1f}x real time" if update.speed else ""
    return f"{update.files_done} of {update.files} files, {len(update.running)} running{speed}"


def _result_json(result: QueueResult) -> dict[str, object]:
    episode = result.episode
    return {
        "path": str(result.path),
        "id": episode.id if episode else None,
        "segments": episode.segment_count if episode else 0,
        "engine": result.engine,
        "error": result.error,
        "failed_tries": result.tried,
    }
