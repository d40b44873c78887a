"""The `earmark` command: the window, or a CLI subcommand when one is named.

`earmark` and `earmark FILE...` open the window; `earmark import …`, `earmark --help` and
the other subcommands run headless. Qt is imported only for the window, so the CLI starts
quickly and runs where no display exists.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

CLI_FLAGS = frozenset({"-h", "--help", "--version"})
WINDOW_FLAGS = frozenset({"--new-window"})  # desktop/ui/app.py's own options


def wants_cli(args: Sequence[str]) -> bool:
    if not args or args[0] in WINDOW_FLAGS:
        return False
    if "." in args[0] or os.sep in args[0]:
        return False  # a file: no command has a dot or a slash, and the CLI stays unloaded
    from desktop.cli.main import command_names

    return args[0] in CLI_FLAGS or args[0] in command_names()


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if wants_cli(args):
        from desktop.cli.main import main as cli_main

        return cli_main(args)
    # Qt Multimedia looks for PipeWire and says so on stderr at every start when it is
    # absent (PulseAudio serves instead); a user's own QT_LOGGING_RULES still wins.
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.symbolsresolver=false")
    from desktop.ui.app import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
