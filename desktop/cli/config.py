"""`earmark config`: show and change the saved settings."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from desktop.cli.output import print_json
from desktop.core.errors import EarmarkError
from desktop.core.settings import KEYS, load_settings, parse_value, save_settings, settings_path
from desktop.core.transcribe import language_code
from desktop.services.whisper_models import model_setting


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", nargs="?", choices=("show", "set", "unset"), default="show")
    parser.add_argument("key", nargs="?", choices=KEYS, metavar="KEY", help=", ".join(KEYS))
    parser.add_argument("value", nargs="?", metavar="VALUE")


def config_cmd(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.action != "show":
        if args.key is None or (args.action == "set" and args.value is None):
            raise_usage(args.action)
        value = None
        if args.action == "set":
            value = parse_value(args.key, args.value)
            if args.key == "model_dir":
                # A listed model's name (downloaded) or a folder, checked now: a choice
                # that would fail at transcription is refused here.
                value, _folder = model_setting(value)
            if args.key == "language":
                value = language_code(value)  # refuse a code Whisper does not know
        setattr(settings, args.key, value)
        save_settings(settings)
    values = asdict(settings)
    if args.json:
        print_json({"path": str(settings_path()), "settings": values})
    else:
        print(f"# {settings_path()}")
        for key, value in values.items():
            print(f"{key} = {value if value is not None else '(default)'}")
    return 0


def raise_usage(action: str) -> None:
    example = "earmark config set model_dir base (or a model folder)"
    what = "KEY VALUE" if action == "set" else "KEY"
    raise EarmarkError(f"'earmark config {action}' needs {what}, e.g. {example}")
