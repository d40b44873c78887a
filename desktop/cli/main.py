"""`earmark`: the command line over the same services the app uses."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence

from desktop import __version__
from desktop.cli import commands, config, editing, insights, notes, transcribing
from desktop.core.errors import EarmarkError
from desktop.core.exporters import FORMATS


def build_parser() -> argparse.ArgumentParser:
    json_flag = argparse.ArgumentParser(add_help=False)
    json_flag.add_argument("--json", action="store_true", help="machine-readable output")

    parser = argparse.ArgumentParser(
        prog="earmark",
        description="Read podcast and video episodes: transcripts, search and notes, offline.",
    )
    parser.add_argument("--version", action="version", version=f"earmark {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("import", parents=[json_flag], help="import transcript files or folders")
    p.add_argument(
        "paths", nargs="+", metavar="PATH",
        help="SRT, VTT, Whisper JSON, TXT or MD file, or a folder of them (searched recursively)",
    )  # fmt: skip
    p.set_defaults(handler=commands.import_cmd)

    p = sub.add_parser("list", parents=[json_flag], help="list the episodes in the library")
    p.set_defaults(handler=commands.list_cmd)

    p = sub.add_parser("show", parents=[json_flag], help="show an episode and its transcript")
    p.add_argument("id", type=int, metavar="ID")
    p.set_defaults(handler=commands.show_cmd)

    p = sub.add_parser(
        "search",
        parents=[json_flag],
        help="search every transcript and note",
        description="Search every transcript and note. Words may start with '-' "
        "(earmark search -self): only the options below are read as options.",
    )
    p.add_argument("query", nargs="+", metavar="QUERY")
    p.add_argument("--episode", type=int, metavar="ID", help="search one episode only")
    p.add_argument("--limit", type=int, default=20, metavar="N", help="at most N hits (20)")
    p.set_defaults(handler=commands.search_cmd)

    p = sub.add_parser("export", parents=[json_flag], help="export an episode")
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("--format", "-f", choices=FORMATS, default="md")
    p.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="file or folder to write (default: current folder); '-' prints to stdout",
    )
    p.add_argument("--force", action="store_true", help="replace the file if it exists")
    p.set_defaults(handler=commands.export_cmd)

    p = sub.add_parser("note", help="add, list, edit or delete notes on an episode")
    notes.add_arguments(p, json_flag)

    p = sub.add_parser("edit", parents=[json_flag], help="correct the text of a segment")
    editing.add_edit_arguments(p)
    p.set_defaults(handler=editing.edit_cmd)

    p = sub.add_parser("speaker", help="list or rename an episode's speakers")
    editing.add_speaker_arguments(p, json_flag)

    p = sub.add_parser(
        "transcribe",
        parents=[json_flag],
        help="transcribe audio or video files (here, or on your Whisper servers)",
        description="Transcribe MEDIA; with --again, transcribe episode ID again with "
        "another model (notes and the corrections that still fit are kept); with --undo, "
        "bring back the transcript the last --again replaced.",
    )
    p.add_argument(
        "media",
        nargs="+",
        metavar="MEDIA|DIR|ID",
        help="a file; several files or a folder are a queue over this computer and "
        "every configured Whisper server",
    )
    again = p.add_mutually_exclusive_group()
    again.add_argument(
        "--again", action="store_true", help="transcribe episode ID again (with --model)"
    )
    again.add_argument(
        "--undo", action="store_true", help="bring back the transcript --again replaced"
    )
    transcribing.add_engine_options(p)
    p.set_defaults(handler=transcribing.transcribe_cmd)

    p = sub.add_parser(
        "open", parents=[json_flag], help="import a transcript or transcribe media (resumes)"
    )
    p.add_argument("path", metavar="PATH")
    transcribing.add_engine_options(p)
    p.set_defaults(handler=transcribing.open_cmd)

    p = sub.add_parser(
        "insights", parents=[json_flag], help="TL;DR, key insights, Q&A, summary, takeaways"
    )
    insights.add_arguments(p)
    p.set_defaults(handler=insights.insights_cmd)

    p = sub.add_parser(
        "delete", parents=[json_flag], help="remove an episode and its notes from the library"
    )
    p.add_argument("id", type=int, metavar="ID")
    p.set_defaults(handler=commands.delete_cmd)

    p = sub.add_parser("config", parents=[json_flag], help="show or change saved settings")
    config.add_arguments(p)
    p.set_defaults(handler=config.config_cmd)

    p = sub.add_parser("db", help="the library file")
    db_sub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    q = db_sub.add_parser("path", parents=[json_flag], help="print the library file's path")
    q.set_defaults(handler=commands.db_path_cmd)
    q = db_sub.add_parser(
        "check", parents=[json_flag], help="run SQLite's integrity check on the library"
    )
    q.set_defaults(handler=commands.db_check_cmd)
    q = db_sub.add_parser(
        "recover",
        parents=[json_flag],
        help="move a damaged library aside (kept) and start a new, empty one",
        description="Move a damaged library file aside (it is kept, renamed to "
        "library.sqlite3.damaged-DATE-TIME) and start a new, empty library in its place. "
        "Close the Earmark window first.",
    )
    q.add_argument(
        "--force", action="store_true", help="even if the library passes its integrity check"
    )
    q.set_defaults(handler=commands.db_recover_cmd)

    # Local LLM runtimes (desktop/cli/llm.py): detect, and optionally use one.
    from desktop.cli import llm

    p = sub.add_parser(
        "llm", help="LLMs for insights: find runtimes running here, or fetch a model to run"
    )
    llm.add_arguments(p, json_flag)

    # Whisper models (desktop/cli/model_cmd.py): list, pull, remove, use.
    from desktop.cli import model_cmd

    p = sub.add_parser("model", help="Whisper models for transcription: list, fetch, switch")
    model_cmd.add_arguments(p, json_flag)

    from desktop.cli import chapters as chapters_cli

    p = sub.add_parser("chapters", parents=[json_flag], help="an episode's chapters")
    chapters_cli.add_arguments(p)

    # Podcasts by feed (desktop/cli/feeds.py): add, list, refresh, get, auto, remove, export.
    from desktop.cli import feeds

    p = sub.add_parser("feed", help="podcasts by feed: subscribe, list, refresh, get episodes")
    feeds.add_arguments(p, json_flag)

    # Desktop integration (desktop/cli/desktop_cmd.py): install / uninstall.
    from desktop.cli import desktop_cmd

    p = sub.add_parser("desktop", help="register Earmark with the desktop: menu, icon, file types")
    desktop_cmd.add_arguments(p)
    return parser


def command_names() -> frozenset[str]:
    """The subcommands: any other first argument is a file for the window to open."""
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return frozenset(action.choices)
    return frozenset()


# The search command's own options; any other word, even one starting with "-", is query.
_SEARCH_OPTIONS = {
    "--episode": True,
    "--limit": True,
    "--json": False,
    "-h": False,
    "--help": False,
}


def search_argv(argv: Sequence[str]) -> list[str]:
    """`earmark search` arguments rearranged so that argparse takes no query word for an
    option: options first, then `--`, then the query words in the order typed.

    `earmark search -self`, `earmark search deep -cooking --limit 5` and
    `earmark search -- -self` all work. Long options may be abbreviated (`--lim 5`) or take
    `=value`; a word after `--` is always a query word.
    """
    args = list(argv)
    try:
        at = next(i for i, a in enumerate(args) if not a.startswith("-"))
    except StopIteration:
        return args
    if args[at] != "search":
        return args
    options: list[str] = []
    words: list[str] = []
    rest = iter(args[at + 1 :])
    for arg in rest:
        if arg == "--":
            words.extend(rest)
            break
        name, has_value, _ = arg.partition("=")
        option = _search_option(name)
        if option is None:
            words.append(arg)
            continue
        options.append(option + ("=" + arg.split("=", 1)[1] if has_value else ""))
        if _SEARCH_OPTIONS[option] and not has_value:
            value = next(rest, None)
            if value is not None:
                options.append(value)
    return [*args[: at + 1], *options, "--", *words] if words else [*args[: at + 1], *options]


def _search_option(name: str) -> str | None:
    if name in _SEARCH_OPTIONS:
        return name
    if name.startswith("--") and len(name) > 3:
        matches = [o for o in _SEARCH_OPTIONS if o.startswith(name)]
        if len(matches) == 1:
            return matches[0]
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(search_argv(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # --help, --version and usage errors: argparse has printed
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 2
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    try:
        return int(handler(args) or 0)
    except EarmarkError as exc:
        print(f"earmark: error: {exc}{commands.error_hint(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("earmark: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`earmark show 1 | head`): stop quietly, like other Unix
        # tools, and keep Python from complaining when it flushes stdout at exit.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
