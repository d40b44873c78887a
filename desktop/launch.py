"""The `earmark` command: the window, or a CLI subcommand when one is named.

`earmark` and `earmark FILE...` open the window; `earmark import …`, `earmark --help` and
the other subcommands run headless. Qt is imported only for the window, so the CLI starts
quickly and runs where no display exists.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

CLI_FLAGS = frozenset({"-h", "--help", "--version"})
WINDOW_FLAGS = frozenset({"--new-window"})  # desktop/ui/app.py's own options
# What a mistyped command looks like: a bare word, no dot, slash or space (file names
# have an extension or a folder; a plain word that names an existing file still opens).
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def wants_cli(args: Sequence[str]) -> bool:
    if not args or args[0] in WINDOW_FLAGS:
        return False
    if "." in args[0] or os.sep in args[0]:
        return False  # a file: no command has a dot or a slash, and the CLI stays unloaded
    from desktop.cli.main import command_names

    return args[0] in CLI_FLAGS or args[0] in command_names()


def not_a_command(args: Sequence[str]) -> str | None:
    """The one line to print when the first argument is a word that is neither a command
    nor an existing file (`earmark serach x`), else None: the window opens nothing then."""
    if not args or not _WORD.fullmatch(args[0]) or Path(args[0]).exists():
        return None
    from desktop.cli.main import command_names

    word, names = args[0], sorted(command_names())
    close = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"earmark: '{word}' is not a command or a file{hint}; see 'earmark --help'"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if wants_cli(args):
        from desktop.cli.main import main as cli_main

        return cli_main(args)
    mistyped = not_a_command(args)
    if mistyped is not None:
        print(mistyped, file=sys.stderr)
        return 2
    # Qt Multimedia looks for PipeWire and says so on stderr at every start when it is
    # absent (PulseAudio serves instead); a user's own QT_LOGGING_RULES still wins.
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.symbolsresolver=false")
    from desktop.ui.app import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
