"""`earmark`: the command line over the same services the app uses."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from desktop import __version__
from desktop.cli import commands, config, insights, transcribing
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

    p = sub.add_parser("search", parents=[json_flag], help="search every transcript")
    p.add_argument("query", metavar="QUERY")
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
    p.set_defaults(handler=commands.export_cmd)

    p = sub.add_parser(
        "transcribe", parents=[json_flag], help="transcribe an audio or video file locally"
    )
    p.add_argument("media", metavar="MEDIA")
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
    return parser


def command_names() -> frozenset[str]:
    """The subcommands: any other first argument is a file for the window to open."""
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return frozenset(action.choices)
    return frozenset()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    try:
        return int(handler(args) or 0)
    except EarmarkError as exc:
        print(f"earmark: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("earmark: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
