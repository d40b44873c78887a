"""`earmark llm models | pull NAME | remove NAME | use NAME|FILE.gguf`: the in-process
insight engine's models, fetched only when asked."""

from __future__ import annotations

import argparse
import sys

from desktop.cli.output import print_json
from desktop.cli.progress import fetch_with_bar
from desktop.services.llm_models import (
    ModelState,
    model_states,
    pull_model,
    remove_model,
    use_model,
)


def add_model_commands(sub: argparse._SubParsersAction, json_flag: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "models",
        parents=[json_flag],
        help="the models Earmark can run itself (no server needed), and which are here",
    )
    p.set_defaults(handler=models_cmd)
    p = sub.add_parser(
        "pull",
        parents=[json_flag],
        help="download a model (resumes an interrupted download)",
        description="Download a model from the Hugging Face hub ($HF_ENDPOINT for a "
        "mirror) into Earmark's data folder. Ctrl+C stops it; running it again resumes.",
    )
    p.add_argument("name", metavar="NAME", help="a name from 'earmark llm models'")
    p.set_defaults(handler=pull_cmd)
    p = sub.add_parser("remove", parents=[json_flag], help="delete a downloaded model")
    p.add_argument("name", metavar="NAME")
    p.set_defaults(handler=remove_cmd)
    p = sub.add_parser(
        "use",
        parents=[json_flag],
        help="make a downloaded model, or a .gguf file you have, the insight engine",
    )
    p.add_argument("model", metavar="NAME|FILE.gguf")
    p.set_defaults(handler=use_cmd)


def models_cmd(args: argparse.Namespace) -> int:
    states = model_states()
    if args.json:
        print_json([_state_json(s) for s in states])
        return 0
    width = max(len(s.model.name) for s in states)
    for state in states:
        model = state.model
        mark = "*" if state.in_use else " "
        print(
            f"{mark} {model.name:<{width}}  {_status(state):<14}  {model.size / 1e9:4.1f} GB  "
            f"{model.memory_gb:3.1f} GB RAM  {model.licence}  — {model.note}"
        )
    print("\n* in use.  Fetch one with: earmark llm pull NAME; then: earmark llm use NAME")
    return 0


def pull_cmd(args: argparse.Namespace) -> int:
    path = fetch_with_bar(
        args.name,
        sys.stderr.isatty() and not args.json,
        lambda progress: pull_model(args.name, progress),
        f"earmark llm pull {args.name}",
    )
    if args.json:
        print_json({"name": args.name, "path": str(path)})
    else:
        print(f"{args.name}: {path}\nUse it for insights with: earmark llm use {args.name}")
    return 0


def remove_cmd(args: argparse.Namespace) -> int:
    removed = remove_model(args.name)
    if args.json:
        print_json({"name": args.name, "removed": [str(p) for p in removed]})
    else:
        for path in removed:
            print(f"removed {path}")
    return 0


def use_cmd(args: argparse.Namespace) -> int:
    settings, path = use_model(args.model)
    if args.json:
        print_json({"insight_engine": settings.insight_engine, "model_file": str(path)})
    else:
        print(f"insights now use {path.name}, run by Earmark itself (no server)")
    return 0


def _status(state: ModelState) -> str:
    if state.installed:
        return "downloaded"
    if state.partial_bytes:
        return f"{state.partial_bytes / 1e6:.0f} MB so far"
    return "not downloaded"


def _state_json(state: ModelState) -> dict[str, object]:
    model = state.model
    return {
        "name": model.name,
        "label": model.label,
        "size": model.size,
        "memory_gb": model.memory_gb,
        "context": model.context,
        "licence": model.licence,
        "source": model.page,
        "installed": state.installed,
        "partial_bytes": state.partial_bytes,
        "in_use": state.in_use,
        "path": str(state.path),
    }
