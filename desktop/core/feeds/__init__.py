"""Podcast feeds as plain values: parsing RSS/Atom, OPML, chapters, names for files.

    parse_feed(data, url)             feed bytes -> Feed (FeedError names the url)
    read_opml(data, source)           OPML bytes -> [OpmlFeed]; write_opml(feeds) -> str
    parse_chapters_json(data, source) Podcasting 2.0 JSON chapters -> [Chapter]
    media_suffix(url, mime)           an episode file's suffix (its name: safe_stem)

Nothing here touches the network or the disk: the services fetch the bytes (through the one
downloader) and decide where files go.
"""

from __future__ import annotations

from desktop.core.feeds.chapters import chapters_from_notes, parse_chapters_json
from desktop.core.feeds.model import Feed, FeedItem, OpmlFeed
from desktop.core.feeds.names import media_suffix
from desktop.core.feeds.opml import read_opml, write_opml
from desktop.core.feeds.parse import MAX_FEED_BYTES, FeedError, parse_feed

__all__ = [
    "MAX_FEED_BYTES",
    "Feed",
    "FeedError",
    "FeedItem",
    "OpmlFeed",
    "chapters_from_notes",
    "media_suffix",
    "parse_chapters_json",
    "parse_feed",
    "read_opml",
    "write_opml",
]
