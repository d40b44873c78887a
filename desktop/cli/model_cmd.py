"""`earmark model list | pull NAME | remove NAME | use NAME|DIR`: the Whisper models that
transcribe, fetched only when asked (services/whisper_models.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from desktop.cli.output import print_json
from desktop.cli.progress import fetch_with_bar
from desktop.core.downloads.errors import human_size
from desktop.core.settings import load_settings
from desktop.services.whisper_models import (
    ModelState,
    model_states,
    pull_model,
    remove_model,
    use_model,
)


def add_arguments(parser: argparse.ArgumentParser, json_flag: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="model_command", metavar="ACTION", required=True)
    p = sub.add_parser(
        "list",
        parents=[json_flag],
        help="the Whisper models: languages, size, memory, whether here, speed measured here",
    )
    p.set_defaults(handler=list_cmd)
    p = sub.add_parser(
        "pull",
        parents=[json_flag],
        help="download a model (resumes an interrupted download)",
        description="Download a Whisper model from the Hugging Face hub ($HF_ENDPOINT for "
        "a mirror) into Earmark's data folder. Ctrl+C stops it; running it again resumes.",
    )
    p.add_argument("name", metavar="NAME", help="a name from 'earmark model list'")
    p.set_defaults(handler=pull_cmd)
    p = sub.add_parser("remove", parents=[json_flag], help="delete a downloaded model")
    p.add_argument("name", metavar="NAME")
    p.set_defaults(handler=remove_cmd)
    p = sub.add_parser(
        "use",
        parents=[json_flag],
        help="transcribe with a downloaded model, or a CTranslate2 model folder you have",
        description="Saved as the model_dir setting: a listed model by its name, a folder "
        "by its path ('earmark config' shows it). 'earmark model use tiny.en' goes back to "
        "the embedded model.",
    )
    p.add_argument("model", metavar="NAME|DIR")
    p.set_defaults(handler=use_cmd)


def list_cmd(args: argparse.Namespace) -> int:
    settings = load_settings()
    states = model_states(settings)
    own_folder = settings.model_dir if not any(s.in_use for s in states) else None
    if args.json:
        print_json(
            {
                "models": [_state_json(s) for s in states],
                "in_use": own_folder or next(s.model.name for s in states if s.in_use),
            }
        )
        return 0
    rows = [
        (
            "*" if s.in_use else " ",
            s.model.label,
            s.model.languages,
            human_size(s.model.size),
            f"{s.model.memory_mb / 1000:.1f} GB",
            _status(s),
            f"{s.speed:.0f}x real time here" if s.speed else "",
        )
        for s in states
    ]
    header = ("", "NAME", "LANGUAGES", "SIZE", "MEMORY", "STATUS", "SPEED")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    if own_folder:
        print(f"\n* in use: your own model folder {own_folder}")
    else:
        print("\n* in use.", end="")
    print(" Fetch one with: earmark model pull NAME; then: earmark model use NAME")
    return 0


def pull_cmd(args: argparse.Namespace) -> int:
    path = fetch_with_bar(
        args.name,
        sys.stderr.isatty() and not args.json,
        lambda progress: pull_model(args.name, progress),
        f"earmark model pull {args.name}",
    )
    if args.json:
        print_json({"name": args.name, "path": str(path)})
    else:
        print(f"{args.name}: {path}\nTranscribe with it: earmark model use {args.name}")
    return 0


def remove_cmd(args: argparse.Namespace) -> int:
    removed = remove_model(args.name)
    if args.json:
        print_json(
            {
                "name": args.name,
                "removed": [str(p) for p in removed.paths],
                "was_in_use": removed.was_in_use,
            }
        )
        return 0
    for path in removed.paths:
        print(f"removed {path}")
    if removed.was_in_use:
        print("it was in use: new episodes are transcribed with the embedded tiny.en again")
    return 0


def use_cmd(args: argparse.Namespace) -> int:
    settings, path = use_model(args.model)
    if args.json:
        print_json({"model_dir": settings.model_dir, "path": str(path)})
    elif settings.model_dir is None:
        print("new episodes are transcribed with the embedded tiny.en")
    else:
        shown = settings.model_dir if Path(settings.model_dir) != path else path.name
        print(f"new episodes are transcribed with {shown} ({path})")
    return 0


def _status(state: ModelState) -> str:
    if state.model.embedded:
        return "embedded"
    if state.installed:
        return "downloaded"
    if state.partial_bytes:
        return f"{human_size(state.partial_bytes)} so far"
    return "not downloaded"


def _state_json(state: ModelState) -> dict[str, object]:
    model = state.model
    return {
        "name": model.name,
        "label": model.label,
        "languages": model.languages,
        "size": model.size,
        "memory_mb": model.memory_mb,
        "note": model.note,
        "embedded": model.embedded,
        "installed": state.installed,
        "partial_bytes": state.partial_bytes,
        "status": _status(state),
        "in_use": state.in_use,
        "speed": state.speed,
        "path": str(state.path),
    }
