"""A podcast feed's bytes -> `Feed`: RSS 0.9x-2.0 and Atom through feedparser.

feedparser gets bytes in a BytesIO, never a string: given a str (or bytes) it would treat it
as a URL to fetch or a file name to open, and a feed must never make Earmark read a local
file. It parses XML with external entities off, and recovers from the usual mistakes of
hand-made feeds (a stray "&", an undefined entity) by setting `bozo`; what it recovered is
accepted when it has a title or episodes.
"""

from __future__ import annotations

import hashlib
import html
import io
import math
import re
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import feedparser

from desktop.core.errors import EarmarkError
from desktop.core.feeds.clean import plain_text, web_url, whole_number
from desktop.core.feeds.model import Feed, FeedItem
from desktop.core.feeds.podcast_ns import (
    ItemLinks,
    PodcastElements,
    best_transcript,
    is_podcast_namespace,
    read_podcast_elements,
)
from desktop.core.text import clean_line

__all__ = ["MAX_FEED_BYTES", "FeedError", "parse_feed"]

# The largest real feeds (a decade of daily episodes with full show notes) are a few MiB.
MAX_FEED_BYTES = 16 * 1024 * 1024
UNTITLED = "Untitled episode"
# The first element's name, after the XML declaration, comments and a DOCTYPE (with or
# without an internal subset): "rss", "feed", "rdf:RDF" for feeds, "html" for a web page.
_ROOT_RE = re.compile(
    rb"(?:\s|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)*<([A-Za-z][\w:.-]*)",
    re.DOTALL | re.IGNORECASE,
)
_HTML_DOCTYPE_RE = re.compile(rb"<!DOCTYPE\s+html[\s>]", re.IGNORECASE)
_MEDIA_TYPES = ("audio/", "video/")
# A numeric character reference. One to a surrogate or past U+10FFFF crashes feedparser's
# lenient parser (chr() or UTF-8 encoding fails), so each becomes U+FFFD first.
_CHARREF_RE = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,16})|([0-9]{1,20}));")


def _valid_charref(match: re.Match[bytes]) -> bytes:
    hex_digits, decimal = match.groups()
    code = int(hex_digits, 16) if hex_digits else int(decimal)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return b"&#xFFFD;"
    return match.group()


class FeedError(EarmarkError):
    """A feed, OPML file or chapters file cannot be read; the message names it and why."""


def _root_name(data: bytes) -> str:
    head = data[:8192].removeprefix(b"\xef\xbb\xbf")
    match = _ROOT_RE.match(head)
    name = match.group(1).decode("ascii", "replace").lower() if match else ""
    return name.rpartition(":")[2]  # "xhtml:html" is html too


def _refuse_non_feeds(data: bytes, url: str) -> None:
    if len(data) > MAX_FEED_BYTES:
        raise FeedError(
            f"{url} is larger than {MAX_FEED_BYTES // 2**20} MiB; that is not a podcast feed"
        )
    if not data.strip():
        raise FeedError(f"{url} is empty, not a podcast feed")
    if _root_name(data) == "html" or _HTML_DOCTYPE_RE.match(data.lstrip()[:512]):
        raise FeedError(f"{url} is a web page, not a podcast feed; look for the RSS link on it")
    if b"<!ENTITY" in _prolog(data):
        # No podcast feed needs its own entities; a feed that declares them is an attack
        # ("billion laughs" grows a few bytes into gigabytes, an external one reads a file).
        raise FeedError(
            f"{url} declares XML entities, which no podcast feed needs; refused as unsafe"
        )


def _prolog(data: bytes) -> bytes:
    """What comes before the root element: the declaration, comments and any DOCTYPE."""
    head = data[: 1024 * 1024]
    match = _ROOT_RE.match(head.removeprefix(b"\xef\xbb\xbf"))
    return head[: match.start(1)] if match else head


def parse_feed(data: bytes, url: str) -> Feed:
    """Parse a feed downloaded from `url`; FeedError (naming `url`) when it is not one."""
    _refuse_non_feeds(data, url)
    data = _CHARREF_RE.sub(_valid_charref, data)
    try:
        parsed = feedparser.parse(io.BytesIO(data), sanitize_html=True, resolve_relative_uris=False)
    except (ValueError, OverflowError, RecursionError) as exc:  # feedparser's own bugs
        raise FeedError(f"{url} could not be read as a feed ({exc})") from exc
    channel = _dict(parsed, "feed")
    entries = _dicts(parsed, "entries")
    if not _str(parsed, "version"):
        raise FeedError(f"{url} is not a podcast feed (neither RSS nor Atom)")
    title = _text(channel, "title", single_line=True)
    if not title and not entries:
        raise FeedError(f"{url} is not a podcast feed: it has no title and no episodes")
    elements = read_podcast_elements(data)
    namespaces = _dict(parsed, "namespaces")
    prefixes = [prefix for prefix, uri in namespaces.items() if is_podcast_namespace(uri)]
    items: list[FeedItem] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        item = _item(entry, url, _links(elements, prefixes, entry, index, len(entries)))
        if item.guid not in seen:  # a repeated guid is the same episode listed twice
            seen.add(item.guid)
            items.append(item)
    artwork = (
        web_url(elements.artwork if elements else None, url)
        or web_url(_str(_dict(channel, "image"), "href"), url)
        or web_url(_str(channel, "logo"), url)  # Atom's <logo>
    )
    # feedparser writes "Name (email)" when both are given: the name is who the author is.
    author = _str(_dict(channel, "author_detail"), "name") or _str(channel, "author") or ""
    if parsed.get("bozo"):  # feedparser's loose parser leaves entities in authors ("&amp;")
        author = html.unescape(author)
    return Feed(
        url=url,
        title=title or urlsplit(url).hostname or url,
        link=web_url(_str(channel, "link"), url),
        description=_longest(channel, ("subtitle", "summary")),
        author=clean_line(author) or None,
        artwork_url=artwork,
        items=_newest_first(items),
        language=_language(_str(channel, "language")),
    )


def _language(value: str | None) -> str | None:
    """The primary subtag of the feed's language ("de" for "de-DE", "pt" for "pt_BR"), so
    it can tell Whisper what to expect; None when it does not look like a code."""
    primary = re.split(r"[-_]", (value or "").strip().lower(), maxsplit=1)[0]
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


# feedparser's results are dicts of whatever a (possibly mangled) document produced: a key
# that is normally a dict or a list can hold a string, so every access checks the type.
def _str(node: dict[str, Any], key: str) -> str | None:
    value = node.get(key)
    return value if isinstance(value, str) else None


def _dict(node: dict[str, Any], key: str) -> dict[str, Any]:
    value = node.get(key)
    return value if isinstance(value, dict) else {}


def _dicts(node: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = node.get(key)
    return [each for each in value if isinstance(each, dict)] if isinstance(value, list) else []


def _text(node: dict[str, Any], key: str, single_line: bool = False) -> str:
    text = plain_text(_str(node, key), _str(_dict(node, f"{key}_detail"), "type"))
    return clean_line(text) if single_line else text


def _longest(node: dict[str, Any], keys: tuple[str, ...]) -> str:
    """The fullest of several text constructs (content:encoded, description, itunes:summary):
    feeds put a teaser in one and the full notes in another, and not always the same one."""
    texts = [_text(node, key) for key in keys]
    for content in _dicts(node, "content"):  # content:encoded, Atom <content>
        texts.append(plain_text(_str(content, "value"), _str(content, "type")))
    return max(texts, key=len, default="")


def _links(
    elements: PodcastElements | None,
    prefixes: list[str],
    entry: dict[str, Any],
    index: int,
    count: int,
) -> ItemLinks:
    guid = clean_line(_str(entry, "id")) or None
    if elements is not None:
        return elements.for_entry(index, count, guid) or ItemLinks(guid)
    # Not strict XML: feedparser's keys, one transcript per prefix (the last it saw).
    transcripts: list[tuple[str, str | None]] = []
    chapters = None
    for prefix in prefixes:
        found = _dict(entry, f"{prefix}_transcript")
        url = _str(found, "url")
        if url:
            transcripts.append((url, _str(found, "type")))
        chapters = chapters or _str(_dict(entry, f"{prefix}_chapters"), "url")
    return ItemLinks(guid, tuple(transcripts), chapters)


def _item(entry: dict[str, Any], feed_url: str, links: ItemLinks) -> FeedItem:
    enclosure_url, enclosure_type, enclosure_length = _enclosure(entry, feed_url)
    link = web_url(_str(entry, "link"), feed_url)
    title = _text(entry, "title", single_line=True) or _file_name(enclosure_url) or UNTITLED
    # feedparser's id is <guid>, Atom's <id> or RSS 1.0's rdf:about.
    guid = clean_line(_str(entry, "id")) or links.guid or enclosure_url
    if not guid:  # stable across refreshes as long as the feed does not retitle the episode
        guid = hashlib.sha256(f"{link or ''}\n{title}".encode()).hexdigest()
    transcript = best_transcript(links.transcripts, feed_url)
    return FeedItem(
        guid=guid,
        title=title,
        published=_published(entry),
        duration=parse_duration(_str(entry, "itunes_duration")),
        description=_longest(entry, ("summary",)),
        enclosure_url=enclosure_url,
        enclosure_type=enclosure_type,
        enclosure_length=enclosure_length,
        transcript_url=transcript[0] if transcript else None,
        transcript_type=transcript[1] if transcript else None,
        chapters_url=web_url(links.chapters, feed_url),
        link=link,
        season=whole_number(_str(entry, "itunes_season")),
        number=whole_number(_str(entry, "itunes_episode")),
    )


def _enclosure(entry: dict[str, Any], feed_url: str) -> tuple[str | None, str | None, int | None]:
    """The first audio or video enclosure with a web URL, else the first with one."""
    usable = []
    for enclosure in _dicts(entry, "enclosures"):
        href = web_url(_str(enclosure, "href"), feed_url)
        if href is not None:
            usable.append((href, clean_line(_str(enclosure, "type")) or None, enclosure))
    usable.sort(key=lambda found: not (found[1] or "").lower().startswith(_MEDIA_TYPES))
    if not usable:
        return None, None, None
    href, mime, enclosure = usable[0]
    return href, mime, whole_number(_str(enclosure, "length"), minimum=1)


def _file_name(url: str | None) -> str:
    if url is None:
        return ""
    return clean_line(unquote(PurePosixPath(urlsplit(url).path).name))


def _published(entry: dict[str, Any]) -> str | None:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    if not isinstance(stamp, tuple) or len(stamp) < 6:  # time.struct_time is a tuple
        return None
    try:  # feedparser gives UTC; a leap second (60) is not a datetime
        moment = datetime(*stamp[:5], min(stamp[5], 59), tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None
    return moment.isoformat(timespec="seconds")


def parse_duration(value: object) -> float | None:
    """itunes:duration in seconds: "1:02:03", "62:03", "3723" or "3723.5"; else None.

    Zero counts as absent: feeds write "0" or "00:00:00" when they do not know.
    """
    text = value.strip() if isinstance(value, str) else ""
    parts = text.split(":")
    if not text or len(parts) > 3 or not all(re.fullmatch(r"\d{1,9}", p) for p in parts[:-1]):
        return None
    if not re.fullmatch(r"\d{1,12}(?:\.\d{1,9})?", parts[-1]):
        return None
    seconds = float(parts[-1])
    higher = [int(part) for part in parts[:-1]]
    # In "h:mm:ss" and "mm:ss", seconds (and minutes after hours) stay below 60.
    if (higher and seconds >= 60) or (len(higher) == 2 and higher[1] >= 60):
        return None
    minutes = 0
    for part in higher:  # [h, m] or [m]
        minutes = minutes * 60 + part
    seconds += minutes * 60
    return seconds if math.isfinite(seconds) and seconds > 0 else None


def _newest_first(items: list[FeedItem]) -> list[FeedItem]:
    dated = sorted((i for i in items if i.published), key=lambda i: i.published or "", reverse=True)
    return dated + [i for i in items if not i.published]
