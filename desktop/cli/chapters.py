"""`earmark chapters ID`: an episode's outline (start, length, title)."""

from __future__ import annotations

import argparse

from desktop.cli.output import print_json
from desktop.core.chapters import outline
from desktop.core.store import Library
from desktop.core.timecode import short


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", type=int, metavar="ID")
    parser.set_defaults(handler=chapters_cmd)


def chapters_cmd(args: argparse.Namespace) -> int:
    with Library.open() as library:
        episode = library.episode(args.id)
        entries = outline(library.chapters(args.id), episode.duration)
    if args.json:
        print_json([{"start": e.start, "end": e.end, "title": e.title} for e in entries])
        return 0
    if not entries:
        print(f"#{episode.id} {episode.title} has no chapters")
        return 0
    print(f"#{episode.id} {episode.title}")
    for entry in entries:
        length = short(entry.length) if entry.length is not None else "?"
        print(f"{short(entry.start):>8}  {length:>6}  {entry.title}")
    return 0
