"""`earmark chapters ID`: an episode's outline (start, length, title); `earmark chapters
make ID`: chapters made from the transcript for an episode without its own."""

from __future__ import annotations

import argparse

from desktop.cli.output import print_json
from desktop.core.chapters import OutlineEntry, outline
from desktop.core.store import Library
from desktop.core.timecode import short
from desktop.services.chapters import make_episode_chapters


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "words",
        nargs="+",
        metavar="[make] ID",
        help="an episode id to list its chapters; 'make ID' makes chapters for an episode "
        "without its own (made ones are made again)",
    )
    parser.set_defaults(handler=chapters_cmd, chapters_parser=parser)


def chapters_cmd(args: argparse.Namespace) -> int:
    make = args.words[0] == "make"
    ids = args.words[1:] if make else args.words
    if len(ids) != 1 or not ids[0].isdigit():
        try:  # a usage error, as argparse says them: one line, exit 2
            args.chapters_parser.error("give one episode id: 'chapters ID' or 'chapters make ID'")
        except SystemExit as exc:
            return int(exc.code or 2)
    episode_id = int(ids[0])
    with Library.open() as library:
        if make:
            make_episode_chapters(library, episode_id)
        episode = library.episode(episode_id)
        entries = outline(library.chapters(episode_id), episode.duration)
    if args.json:
        print_json([_entry_json(e) for e in entries])
        return 0
    if not entries:
        print(f"#{episode.id} {episode.title} has no chapters ('earmark chapters make "
              f"{episode.id}' makes some)")  # fmt: skip
        return 0
    made = f": {len(entries)} chapters made from the transcript" if make else ""
    print(f"#{episode.id} {episode.title}{made}")
    for entry in entries:
        length = short(entry.length) if entry.length is not None else "?"
        mark = "  (made)" if entry.made and not make else ""
        print(f"{short(entry.start):>8}  {length:>6}  {entry.title}{mark}")
    return 0


def _entry_json(entry: OutlineEntry) -> dict[str, object]:
    return {"start": entry.start, "end": entry.end, "title": entry.title, "made": entry.made}
