"""`earmark chapters ID`: an episode's outline (start, length, title); `chapters make ID`:
chapters made from the transcript for an episode without its own; `chapters rename | add
| delete | move`: a reader's edits, each printing the command that undoes it."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable

from desktop.cli.output import print_json
from desktop.core.chapters import OutlineEntry, outline
from desktop.core.chapters.edit import number_at
from desktop.core.errors import EarmarkError
from desktop.core.model import Chapter
from desktop.core.store import Library
from desktop.core.timecode import short
from desktop.services import chapters as service
from desktop.services.notes import parse_time

USAGE = (
    "ID | make ID | rename ID N TITLE | add ID TIME TITLE | delete ID N | "
    "move ID N TIME  (N: the chapter's number in 'chapters ID'; TIME: m:ss, h:mm:ss or s)"
)
FORMS = {  # action: (words after it, how it is written)
    "list": (1, "ID"),
    "make": (1, "make ID"),
    "rename": (3, "rename ID N TITLE"),
    "add": (3, "add ID TIME TITLE"),
    "delete": (2, "delete ID N"),
    "move": (3, "move ID N TIME"),
}
Change = tuple[list[Chapter], list[Chapter]]  # the chapters before and after an edit
Edit = Callable[[Library, int, list[str]], tuple[str, Change]]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "words",
        nargs="+",
        metavar="WORD",
        help="an episode id to list its chapters; 'make ID' makes chapters for an episode "
        "without its own (made ones are made again); 'rename ID N TITLE', 'add ID TIME "
        "TITLE', 'delete ID N', 'move ID N TIME' edit them",
    )
    parser.add_argument(
        "--engine",
        choices=("extractive", "openai", "local"),
        help="for 'make': who titles the chapters: keyphrases (extractive) or the chat "
        "model of the openai or local insight engine (default: the insight_engine setting)",
    )
    parser.usage = f"earmark chapters [-h] [--json] {USAGE.split('  ')[0]}"
    parser.set_defaults(handler=chapters_cmd, chapters_parser=parser)


def chapters_cmd(args: argparse.Namespace) -> int:
    words: list[str] = args.words
    action = words[0] if not words[0].isdigit() else "list"
    rest = words[1:] if action != "list" else words
    if action not in FORMS:
        return _usage(args, f"{action!r} is not an action: earmark chapters {USAGE}")
    exact = action in ("list", "make", "delete", "move")
    counted = len(rest) == FORMS[action][0] if exact else len(rest) >= FORMS[action][0]
    if not counted or not rest[0].isdigit():
        return _usage(args, f"use: earmark chapters {FORMS[action][1]}")
    episode_id = int(rest[0])
    with Library.open() as library:
        if action == "make":
            titler = service.titler_from_settings(args.engine)
            service.make_episode_chapters(library, episode_id, titler, say=_note)
            _follow_insights(library, episode_id)
        elif action != "list":
            said, (before, after) = EDITS[action](library, episode_id, rest[1:])
            return _edited(args, library, episode_id, said, before, after)
        episode = library.episode(episode_id)
        entries = outline(library.chapters(episode_id), episode.duration)
    if args.json:
        print_json([_entry_json(e) for e in entries])
        return 0
    if not entries:
        print(f"#{episode.id} {episode.title} has no chapters ('earmark chapters make "
              f"{episode.id}' makes some)")  # fmt: skip
        return 0
    made = f": {len(entries)} chapters made from the transcript" if action == "make" else ""
    print(f"#{episode.id} {episode.title}{made}")
    for entry in entries:
        length = short(entry.length) if entry.length is not None else "?"
        mark = "  (made)" if entry.made and action != "make" else ""
        print(f"{short(entry.start):>8}  {length:>6}  {entry.title}{mark}")
    return 0


def _follow_insights(library: Library, episode_id: int) -> None:
    """Extracted insights are made again so their sections and Summary follow the new
    chapters (seconds); a model's answer stays until `earmark insights` runs again."""
    shown = library.insights(episode_id)
    if shown is None:
        return
    if shown.engine != "extractive":
        _note(f"run 'earmark insights {episode_id}' for insights that follow the new chapters")
        return
    from desktop.services.insights import generate_insights  # scikit-learn: ~1 s

    generate_insights(library, episode_id, "extractive")
    _note("the extracted insights were made again to follow the new chapters")


def _note(line: str) -> None:
    print(f"earmark: {line}", file=sys.stderr)


def _rename(library: Library, episode_id: int, rest: list[str]) -> tuple[str, Change]:
    number, title = _number(rest[0]), " ".join(rest[1:])
    return f"renamed chapter {number}", service.rename_chapter(library, episode_id, number, title)


def _add(library: Library, episode_id: int, rest: list[str]) -> tuple[str, Change]:
    start, title = parse_time(rest[0]), " ".join(rest[1:])
    return f"added a chapter at {short(start)}", service.add_chapter(
        library, episode_id, start, title
    )


def _delete(library: Library, episode_id: int, rest: list[str]) -> tuple[str, Change]:
    number = _number(rest[0])
    return f"deleted chapter {number}", service.delete_chapter(library, episode_id, number)


def _move(library: Library, episode_id: int, rest: list[str]) -> tuple[str, Change]:
    number, start = _number(rest[0]), parse_time(rest[1])
    return f"moved chapter {number} to {short(start)}", service.move_chapter(
        library, episode_id, number, start
    )


EDITS: dict[str, Edit] = {"rename": _rename, "add": _add, "delete": _delete, "move": _move}


def _number(word: str) -> int:
    if not word.isdigit():
        raise EarmarkError(f"{word!r} is not a chapter number (1, 2, … as listed)")
    return int(word)


def _edited(
    args: argparse.Namespace,
    library: Library,
    episode_id: int,
    said: str,
    before: list[Chapter],
    after: list[Chapter],
) -> int:
    episode = library.episode(episode_id)
    if args.json:
        print_json([_entry_json(e) for e in outline(after, episode.duration)])
        return 0
    print(f"#{episode.id} {episode.title}: {said}")
    undo = undo_command(episode_id, before, after)
    if undo:
        print(f"undo: earmark chapters {undo}")
    return 0


def undo_command(episode_id: int, before: list[Chapter], after: list[Chapter]) -> str | None:
    """The `earmark chapters` words that turn `after` back into `before` (one edit)."""
    gone = [c for c in before if c not in after]
    new = [c for c in after if c not in before]
    if len(gone) == 1 and not new:  # deleted: add it back
        c = gone[0]
        return f"add {episode_id} {c.start:g} {shlex.quote(c.title)}"
    if len(new) == 1 and not gone:  # added: delete it
        return f"delete {episode_id} {number_at(after, new[0].start)}"
    if len(new) == 1 and len(gone) == 1:
        old, now = gone[0], new[0]
        number = number_at(after, now.start)
        if old.start != now.start:
            return f"move {episode_id} {number} {old.start:g}"
        return f"rename {episode_id} {number} {shlex.quote(old.title)}"
    return None


def _usage(args: argparse.Namespace, text: str) -> int:
    try:  # a usage error, as argparse says them: one line, exit 2
        args.chapters_parser.error(text)
    except SystemExit as exc:
        return int(exc.code or 2)
    return 2


def _entry_json(entry: OutlineEntry) -> dict[str, object]:
    return {"start": entry.start, "end": entry.end, "title": entry.title, "made": entry.made}
