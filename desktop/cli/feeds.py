"""`earmark feed add | list | refresh | get | auto | remove | export`: podcasts by feed."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from desktop.cli.output import print_json
from desktop.cli.progress import fetch_with_bar
from desktop.cli.transcribing import ProgressBar, add_engine_options
from desktop.core.errors import EarmarkError
from desktop.core.store import Library
from desktop.core.timecode import short
from desktop.services import feeds
from desktop.services.feed_episodes import GotEpisode, get_item, media_destination
from desktop.services.opening import engine_choice


def add_arguments(parser: argparse.ArgumentParser, json_flag: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="feed_command", metavar="ACTION", required=True)
    p = sub.add_parser(
        "add", parents=[json_flag], help="subscribe to a feed URL, or every feed of an OPML file"
    )
    p.add_argument("source", metavar="URL|FILE.opml")
    p.set_defaults(handler=add_cmd)
    p = sub.add_parser(
        "list", parents=[json_flag], help="the shows; with SHOW, its episodes and their ids"
    )
    p.add_argument("show", nargs="?", metavar="SHOW", help="a show's id, URL or part of its title")
    p.set_defaults(handler=list_cmd)
    p = sub.add_parser(
        "refresh",
        parents=[json_flag],
        help="fetch the feeds again (all, or these); shows set to 'auto' get their new episodes",
    )
    p.add_argument("shows", nargs="*", metavar="SHOW")
    add_engine_options(p)
    p.set_defaults(handler=refresh_cmd)
    p = sub.add_parser(
        "get",
        parents=[json_flag],
        help="download episodes and import the publisher's transcript, or transcribe them",
        description="Download each ITEM (ids from 'earmark feed list SHOW'); import the "
        "transcript its feed links, else transcribe it like 'earmark open'. Ctrl+C keeps "
        "what was downloaded; running it again resumes.",
    )
    p.add_argument("items", nargs="+", type=int, metavar="ITEM")
    add_engine_options(p)
    p.set_defaults(handler=get_cmd)
    p = sub.add_parser(
        "auto", parents=[json_flag], help="get new episodes of SHOW at each refresh (on/off)"
    )
    p.add_argument("show", metavar="SHOW")
    p.add_argument("state", choices=("on", "off"))
    p.set_defaults(handler=auto_cmd)
    p = sub.add_parser(
        "remove", parents=[json_flag], help="unsubscribe (episodes already in the library stay)"
    )
    p.add_argument("show", metavar="SHOW")
    p.set_defaults(handler=remove_cmd)
    p = sub.add_parser("export", parents=[json_flag], help="the subscriptions as OPML")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: stdout)")
    p.set_defaults(handler=export_cmd)


def add_cmd(args: argparse.Namespace) -> int:
    source = Path(args.source)
    with Library.open() as library:
        if source.suffix.lower() in (".opml", ".xml") and source.is_file():
            results = feeds.import_opml(library, source, None if args.json else _say)
        else:
            results = [feeds.subscribe(library, args.source)]
            if not args.json:
                _say(results[0])
                show = results[0].show
                if show is not None:  # what the show has, with the ids 'feed get' takes
                    _print_items(library, show, heading=False)
    if args.json:
        print_json([_refreshed_json(r) for r in results])
    return 1 if results and all(r.error for r in results) else 0


def list_cmd(args: argparse.Namespace) -> int:
    with Library.open() as library:
        if args.show is None:
            shows = library.shows()
            if args.json:
                print_json([asdict(s) for s in shows])
            elif not shows:
                print("No shows yet: 'earmark feed add URL' subscribes to one.")
            for show in [] if args.json else shows:
                auto = " · auto" if show.auto_download else ""
                print(f"#{show.id:<4} {show.title} ({show.item_count} episodes{auto})")
            return 0
        show = feeds.find_show(library, args.show)
        if args.json:
            items = library.show_items(show.id)
            print_json([{**asdict(i), "state": _state(library, show, i)} for i in items])
            return 0
        _print_items(library, show)
    return 0


def _print_items(library: Library, show: Any, heading: bool = True) -> None:
    if heading:
        print(f"#{show.id} {show.title}")
    for item in library.show_items(show.id):
        state = _state(library, show, item)
        date = (item.published or "")[:10] or "no date"
        length = short(item.duration) if item.duration else "?"
        marker = " · transcript" if item.transcript_url else ""
        print(f"{item.id:>6}  {date}  {length:>8}  {item.title}  [{state}{marker}]")


def refresh_cmd(args: argparse.Namespace) -> int:
    with Library.open() as library:
        ids = [feeds.find_show(library, s).id for s in args.shows] or None
        results = feeds.refresh(library, ids, None if args.json else _say)
        got = []
        for result in results:
            if result.show is not None and result.show.auto_download and not result.error:
                got += [_get(library, item.id, args) for item in result.new if item.enclosure_url]
    if args.json:
        print_json(
            {"feeds": [_refreshed_json(r) for r in results], "got": [_got_json(g) for g in got]}
        )
    return 1 if results and all(r.error for r in results) else 0


def get_cmd(args: argparse.Namespace) -> int:
    with Library.open() as library:
        for item_id in args.items:
            library.show_item(item_id)  # every id checked before any download
        results = [_get(library, item_id, args) for item_id in args.items]
    if args.json:
        print_json([_got_json(g) for g in results])
    return 0


def auto_cmd(args: argparse.Namespace) -> int:
    with Library.open() as library:
        show = library.set_auto_download(feeds.find_show(library, args.show).id, args.state == "on")
    if args.json:
        print_json(asdict(show))
    else:
        what = (
            "gets its new episodes at each refresh"
            if show.auto_download
            else "lists new episodes only"
        )
        print(f"#{show.id} {show.title}: {what}")
    return 0


def remove_cmd(args: argparse.Namespace) -> int:
    with Library.open() as library:
        show = library.remove_show(feeds.find_show(library, args.show).id)
    if args.json:
        print_json(asdict(show))
    else:
        print(f"#{show.id} {show.title}: unsubscribed; its episodes in the library stay")
    return 0


def export_cmd(args: argparse.Namespace) -> int:
    with Library.open() as library:
        text = feeds.export_opml(library)
    if args.output:
        from desktop.core.exporters.files import write_atomic

        write_atomic(Path(args.output), text)
        if not args.json:
            print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def _get(library: Library, item_id: int, args: argparse.Namespace) -> GotEpisode:
    if args.beam_size is not None and args.beam_size < 1:
        raise EarmarkError("--beam-size must be at least 1")
    vad = False if args.no_vad else None
    item = library.show_item(item_id)
    interactive = sys.stderr.isatty() and not args.json
    bar = ProgressBar(enabled=interactive)
    resume = f"earmark feed get {item_id}"
    try:
        got = fetch_with_bar(
            item.title,
            interactive,
            lambda progress: get_item(  # type: ignore[arg-type, return-value]
                library,
                item_id,
                lambda: engine_choice(
                    args.model,
                    args.language,
                    args.beam_size,
                    vad=vad,
                    server=args.server,
                    local=args.local,
                ),
                on_download=progress,
                on_progress=bar,
            ),
            resume,
        )
    finally:
        bar.close()
    result: GotEpisode = got  # type: ignore[assignment]
    for warning in result.warnings:
        print(f"earmark: warning: {warning}", file=sys.stderr)
    if not args.json:
        episode = result.episode
        print(f"#{episode.id} {episode.title}: {episode.segment_count} segments ({result.how})")
    return result


def _state(library: Library, show: Any, item: Any) -> str:
    if item.episode_id is not None:
        return f"episode #{item.episode_id}"
    if not item.enclosure_url:
        return "no media"
    if media_destination(library, show, item).is_file():
        return "downloaded"
    return "not downloaded"


def _say(result: feeds.Refreshed) -> None:
    print(result.line(), file=sys.stderr if result.error else sys.stdout)


def _refreshed_json(result: feeds.Refreshed) -> dict[str, Any]:
    return {
        "url": result.url,
        "show": asdict(result.show) if result.show else None,
        "new": [item.id for item in result.new],
        "added": result.added,
        "error": result.error,
    }


def _got_json(got: GotEpisode) -> dict[str, Any]:
    return {
        "item": got.item.id,
        "episode": got.episode.id,
        "title": got.episode.title,
        "segments": got.episode.segment_count,
        "how": got.how,
        "warnings": got.warnings,
        "cancelled": got.cancelled,
    }
