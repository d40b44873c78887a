"""Podcasting 2.0 <podcast:transcript> and <podcast:chapters>, and the iTunes artwork.

feedparser names an element it does not know by the prefix the feed happens to use
(`podcast_transcript`, `p2_transcript`) and keeps only the LAST of repeated elements, while
an episode commonly lists several transcripts (SRT, VTT, JSON, HTML). So these few
elements are read again here, with a strict XML parser on the same bytes, matching the
namespace by its URI. feedparser also lets the RSS <image> override <itunes:image>, which
the iTunes spec (and every podcast app) treats as the show's artwork. When the feed is not
well-formed XML (feedparser recovered it), `read_podcast_elements` returns None and the
caller falls back to feedparser's one-per-episode view.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass

from desktop.core.feeds.clean import web_url
from desktop.core.feeds.xmlsafe import XmlError, parse_xml
from desktop.core.text import clean_line

__all__ = [
    "ItemLinks",
    "PodcastElements",
    "best_transcript",
    "is_podcast_namespace",
    "read_podcast_elements",
]

_ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
_ATOM = "http://www.w3.org/2005/Atom"
# Importable transcript types, best first; text/html is a last resort (no timings).
_TRANSCRIPT_RANKS = {
    "application/json": 0,
    "text/vtt": 1,
    "application/x-subrip": 2,
    "application/srt": 2,
    "text/srt": 2,
    "text/plain": 3,
    "text/html": 5,
}
_UNKNOWN_RANK = 4


def is_podcast_namespace(uri: str | None) -> bool:
    """The Podcasting 2.0 namespace, as the spec spells it or as feeds in the wild do."""
    if not uri:
        return False
    bare = uri.strip().lower().removeprefix("https://").removeprefix("http://")
    bare = bare.removeprefix("www.").rstrip("/")
    return bare == "podcastindex.org/namespace/1.0" or bare.startswith(
        "github.com/podcastindex-org/podcast-namespace"
    )


@dataclass(frozen=True, slots=True)
class ItemLinks:
    """An item's Podcasting 2.0 links as written: (url, type) transcripts in feed order."""

    guid: str | None
    transcripts: tuple[tuple[str, str | None], ...] = ()
    chapters: str | None = None


@dataclass(frozen=True, slots=True)
class PodcastElements:
    artwork: str | None  # the channel's itunes:image href, as written
    items: list[ItemLinks]

    def for_entry(self, index: int, count: int, guid: str | None) -> ItemLinks | None:
        """The links of feedparser's entry `index` of `count`: by position when both parsers
        saw the same items (they read the same bytes in order), else by guid."""
        if len(self.items) == count:
            return self.items[index]
        if guid:
            return next((links for links in self.items if links.guid == guid), None)
        return None


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        return uri, local
    return "", tag


def _item_links(item: ET.Element) -> ItemLinks:
    guid: str | None = None
    transcripts: list[tuple[str, str | None]] = []
    chapters: str | None = None
    for child in item:
        uri, local = _split(child.tag)
        if (local == "guid" and uri == "") or (local == "id" and uri == _ATOM):
            guid = clean_line(child.text) or None
        elif is_podcast_namespace(uri) and local == "transcript" and child.get("url"):
            transcripts.append((child.get("url", ""), child.get("type")))
        elif is_podcast_namespace(uri) and local == "chapters" and chapters is None:
            chapters = child.get("url")
    return ItemLinks(guid, tuple(transcripts), chapters)


def _channel_artwork(root: ET.Element) -> str | None:
    for element in root.iter():
        if _split(element.tag)[1] not in ("channel", "feed"):
            continue
        for child in element:
            uri, local = _split(child.tag)
            if local == "image" and uri.lower() == _ITUNES and child.get("href"):
                return child.get("href")
    return None


def read_podcast_elements(data: bytes) -> PodcastElements | None:
    """The elements feedparser loses, or None when `data` is not strictly well-formed XML."""
    try:
        root = parse_xml(data)
    except XmlError:
        return None
    items = [
        _item_links(element)
        for element in root.iter()
        if _split(element.tag)[1] in ("item", "entry")
    ]
    return PodcastElements(_channel_artwork(root), items)


def _rank(mime: str | None) -> int:
    base = (mime or "").split(";")[0].strip().lower()
    return _TRANSCRIPT_RANKS.get(base, _UNKNOWN_RANK)


def best_transcript(
    candidates: Iterable[tuple[str | None, str | None]], base: str | None
) -> tuple[str, str | None] | None:
    """The (url, type) our importers read best; the feed's order breaks ties.

    Only http(s) URLs count; the type is returned as the feed gave it (cleaned).
    """
    usable: list[tuple[str, str | None]] = []
    for url, mime in candidates:
        absolute = web_url(url, base)
        if absolute is not None:
            usable.append((absolute, clean_line(mime) or None))
    return min(usable, key=lambda candidate: _rank(candidate[1]), default=None)
