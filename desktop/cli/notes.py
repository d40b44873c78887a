"""`earmark note`: add, list, edit and delete notes on an episode."""

from __future__ import annotations

import argparse

from desktop.cli.output import note_json, note_line, print_json
from desktop.core.store import Library
from desktop.services import notes as service


def add_arguments(parser: argparse.ArgumentParser, json_flag: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="note_command", metavar="ACTION", required=True)

    p = sub.add_parser("add", parents=[json_flag], help="add a note at a time or on a segment")
    p.add_argument("id", type=int, metavar="ID", help="the episode")
    p.add_argument("text", nargs="+", metavar="TEXT")
    p.add_argument("--at", metavar="TIME", help="m:ss, h:mm:ss or seconds")
    p.add_argument(
        "--segment", type=int, metavar="N", help="segment index (as `earmark show ID --json`)"
    )
    p.set_defaults(handler=add_cmd)

    p = sub.add_parser("list", parents=[json_flag], help="an episode's notes in time order")
    p.add_argument("id", type=int, metavar="ID", help="the episode")
    p.set_defaults(handler=list_cmd)

    p = sub.add_parser("edit", parents=[json_flag], help="replace a note's text")
    p.add_argument("note_id", type=int, metavar="NOTE_ID")
    p.add_argument("text", nargs="+", metavar="TEXT")
    p.set_defaults(handler=edit_cmd)

    p = sub.add_parser("delete", parents=[json_flag], help="delete a note")
    p.add_argument("note_id", type=int, metavar="NOTE_ID")
    p.set_defaults(handler=delete_cmd)


def add_cmd(args: argparse.Namespace) -> int:
    at = service.parse_time(args.at) if args.at is not None else None
    with Library.open() as library:
        note = service.add_note(library, args.id, " ".join(args.text), at, args.segment)
    if args.json:
        print_json(note_json(note))
    else:
        print(f"Added note {note.id} to episode {note.episode_id}")
        print(note_line(note))
    return 0


def list_cmd(args: argparse.Namespace) -> int:
    with Library.open() as library:
        found = service.notes(library, args.id)
    if args.json:
        print_json([note_json(n) for n in found])
    elif not found:
        print(f'Episode {args.id} has no notes. Add one with: earmark note add {args.id} "text"')
    else:
        for note in found:
            print(note_line(note))
    return 0


def edit_cmd(args: argparse.Namespace) -> int:
    with Library.open() as library:
        _, note = service.edit_note(library, args.note_id, " ".join(args.text))
    if args.json:
        print_json(note_json(note))
    else:
        print(note_line(note))
    return 0


def delete_cmd(args: argparse.Namespace) -> int:
    with Library.open() as library:
        note = service.delete_note(library, args.note_id)
    if args.json:
        print_json({"deleted": note.id, "episode_id": note.episode_id})
    else:
        print(f"Deleted note {note.id} of episode {note.episode_id}")
    return 0
