"""One handler per `earmark` command; each returns the exit status."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from desktop.cli.output import (
    episode_json,
    episode_table,
    hit_json,
    hit_line,
    note_json,
    print_json,
)
from desktop.core.errors import EarmarkError, LibraryCorruptError
from desktop.core.paths import default_db_path
from desktop.core.search import search
from desktop.core.store import Library
from desktop.core.store.recovery import check, is_damaged, start_afresh
from desktop.core.timecode import hms, short
from desktop.services.exporting import TargetExistsError, export_text, export_to_path
from desktop.services.importing import import_paths


def import_cmd(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.paths]
    with Library.open() as library:
        report = import_paths(library, paths)
    existing = sum(1 for r in report.imported if r.existing)
    summary = {
        "imported": len(report.imported) - existing,
        "existing": existing,
        "failed": len(report.failed),
        "not_tried": len(report.not_tried),
    }
    if args.json:
        print_json(
            {
                "episodes": [
                    {
                        "id": r.episode.id,
                        "title": r.episode.title,
                        "segments": r.episode.segment_count,
                        "existing": r.existing,
                        "warnings": r.warnings,
                    }
                    for r in report.imported
                ],
                "errors": [{"path": str(f.path), "message": f.message} for f in report.failed],
                "summary": summary,
            }
        )
    else:
        for r in report.imported:
            count = f"{r.episode.segment_count} segments"
            state = "already in the library" if r.existing else count
            print(f"#{r.episode.id} {r.episode.title} ({state})")
            for warning in r.warnings:
                print(f"  warning: {warning}")
    for failure in report.failed:
        print(f"earmark: error: {failure.message}", file=sys.stderr)
    tried = len(report.imported) + len(report.failed) + len(report.not_tried)
    many = tried > 1 or any(p.is_dir() for p in paths)
    if many and not args.json:  # one file speaks for itself; a batch needs its count
        print(_import_summary(summary))
    return 1 if report.failed else 0


def _import_summary(summary: dict[str, int]) -> str:
    parts = [f"{summary['imported']} imported"]
    if summary["existing"]:
        parts.append(f"{summary['existing']} already in the library")
    parts.append(f"{summary['failed']} failed")
    if summary["not_tried"]:
        parts.append(f"{summary['not_tried']} not tried")
    return ", ".join(parts)


def list_cmd(args: argparse.Namespace) -> int:
    with Library.open() as library:
        episodes = library.episodes()
    if args.json:
        print_json([episode_json(e) for e in episodes])
    else:
        print(episode_table(episodes))
    return 0


def show_cmd(args: argparse.Namespace) -> int:
    with Library.open() as library:
        doc = library.document(args.id)
    if args.json:
        print_json(
            {
                "episode": episode_json(doc.episode),
                "chapters": [{"start": c.start, "title": c.title} for c in doc.chapters],
                "segments": [
                    {
                        "idx": idx,
                        "start": s.start,
                        "end": s.end,
                        "speaker": s.speaker,
                        "text": s.text,
                        "edited": s.edited,
                    }
                    for idx, s in enumerate(doc.segments)
                ],
                "notes": [note_json(n) for n in doc.notes],
            }
        )
        return 0
    episode = doc.episode
    print(f"#{episode.id} {episode.title}")
    duration = short(episode.duration) if episode.duration is not None else "unknown"
    print(f"{episode.status} · {episode.source} · {duration} · {len(doc.segments)} segments")
    print()
    for segment in doc.segments:
        speaker = f"{segment.speaker}: " if segment.speaker else ""
        print(f"[{hms(segment.start)}] {speaker}{segment.text}")
    return 0


def search_cmd(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise EarmarkError("--limit must be at least 1")
    query = " ".join(args.query)
    with Library.open() as library:
        if args.episode is not None:
            library.episode(args.episode)
        hits = search(library.conn, query, episode_id=args.episode, limit=args.limit)
    if args.json:
        print_json([hit_json(h) for h in hits])
    elif not hits:
        print(f"No matches for {query!r}.")
    else:
        bold = sys.stdout.isatty()
        for hit in hits:
            print(hit_line(hit, bold))
    return 0


def export_cmd(args: argparse.Namespace) -> int:
    with Library.open() as library:
        if args.output == "-":
            sys.stdout.write(export_text(library, args.id, args.format))
            return 0
        out = Path(args.output) if args.output else None
        try:
            path = export_to_path(library, args.id, args.format, out, overwrite=args.force)
        except TargetExistsError as exc:
            raise EarmarkError(
                f"{exc.path} already exists; add --force to replace it, or choose another "
                "file with -o"
            ) from exc
    if args.json:
        print_json({"path": str(path)})
    else:
        print(path)
    return 0


def delete_cmd(args: argparse.Namespace) -> int:
    with Library.open() as library:
        episode = library.episode(args.id)
        library.delete_episode(args.id)
    if args.json:
        print_json({"deleted": args.id, "title": episode.title})
    else:
        print(f"Deleted #{episode.id} {episode.title} (the media file itself is untouched)")
    return 0


def db_path_cmd(args: argparse.Namespace) -> int:
    path = default_db_path()
    if args.json:
        print_json({"path": str(path)})
    else:
        print(path)
    return 0


def db_check_cmd(args: argparse.Namespace) -> int:
    path = default_db_path()
    with Library.open(path) as library:
        problems = check(library)
        episodes = 0 if problems else library.row_counts()["episodes"]
    if args.json:
        print_json({"path": str(path), "ok": not problems, "problems": problems})
    elif not problems:
        print(f"{path}: ok ({episodes} episodes)")
    else:
        for problem in problems:
            print(problem)
    if problems:
        raise LibraryCorruptError(path, f"the library {path} is damaged ({len(problems)} problems)")
    return 0


def db_recover_cmd(args: argparse.Namespace) -> int:
    path = default_db_path()
    if not path.exists():
        raise EarmarkError(f"there is no library at {path}; nothing to recover")
    if not args.force and not is_damaged(path):
        raise EarmarkError(
            f"the library {path} passes its integrity check; nothing to recover "
            "(add --force to move it aside anyway)"
        )
    aside, library = start_afresh(path)
    library.close()
    if args.json:
        print_json({"path": str(path), "moved_to": str(aside)})
    else:
        print(f"Moved the damaged library to {aside}; it is kept, and")
        print(f"'sqlite3 {aside.name} .recover' may salvage some of it.")
        print(f"A new, empty library is at {path}.")
    return 0


def error_hint(exc: EarmarkError) -> str:
    """What to run next, appended to the error line (the window offers this itself)."""
    if isinstance(exc, LibraryCorruptError):
        return (
            "; run 'earmark db recover' to move it aside (it is kept) and start a new, "
            "empty library"
        )
    return ""
