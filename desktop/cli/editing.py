"""`earmark edit` (correct a segment's text) and `earmark speaker` (list, rename)."""

from __future__ import annotations

import argparse

from desktop.cli.output import print_json
from desktop.core.store import Library
from desktop.services.editing import edit_segment, rename_speaker, speakers


def add_edit_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", type=int, metavar="ID", help="the episode")
    parser.add_argument(
        "--segment",
        type=int,
        required=True,
        metavar="N",
        help="segment index, from 0 (as `earmark show ID --json` and `search --json` give it)",
    )
    parser.add_argument("--text", required=True, metavar="TEXT", help="the corrected text")


def add_speaker_arguments(
    parser: argparse.ArgumentParser, json_flag: argparse.ArgumentParser
) -> None:
    sub = parser.add_subparsers(dest="speaker_command", metavar="ACTION", required=True)
    p = sub.add_parser("list", parents=[json_flag], help="an episode's speakers")
    p.add_argument("id", type=int, metavar="ID", help="the episode")
    p.set_defaults(handler=speaker_list_cmd)
    p = sub.add_parser("rename", parents=[json_flag], help="rename a speaker throughout an episode")
    p.add_argument("id", type=int, metavar="ID", help="the episode")
    p.add_argument("old", metavar="OLD")
    p.add_argument("new", metavar="NEW")
    p.set_defaults(handler=speaker_rename_cmd)


def edit_cmd(args: argparse.Namespace) -> int:
    with Library.open() as library:
        before, after = edit_segment(library, args.id, args.segment, args.text)
    kept = len(after.words or [])
    dropped = len(before.words or []) - kept if after is not before else 0
    if args.json:
        print_json(
            {
                "episode_id": args.id,
                "segment": args.segment,
                "start": after.start,
                "end": after.end,
                "old": before.text,
                "text": after.text,
                "edited": after.edited,
                "changed": after is not before,
                "words_kept": kept,
                "words_dropped": dropped,
            }
        )
    elif after is before:
        print(f"Segment {args.segment} of episode {args.id} already says that; nothing changed.")
    else:
        print(f"Segment {args.segment} of episode {args.id}")
        print(f"  was: {before.text}")
        print(f"  now: {after.text}")
        if before.words:
            print(f"  word timings: {kept} kept, {dropped} dropped")
    return 0


def speaker_list_cmd(args: argparse.Namespace) -> int:
    with Library.open() as library:
        found = speakers(library, args.id)
    if args.json:
        print_json([{"speaker": name, "segments": count} for name, count in found])
    elif not found:
        print(f"Episode {args.id} names no speakers.")
    else:
        for name, count in found:
            print(f"{count:>6}  {name}")
    return 0


def speaker_rename_cmd(args: argparse.Namespace) -> int:
    with Library.open() as library:
        count = len(rename_speaker(library, args.id, args.old, args.new))
    if args.json:
        print_json({"episode_id": args.id, "old": args.old, "new": args.new, "segments": count})
    else:
        print(f"Renamed {args.old!r} to {args.new!r} in {count} segments of episode {args.id}")
    return 0
