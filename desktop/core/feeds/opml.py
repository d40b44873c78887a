"""OPML: the subscription list every podcast app imports and exports.

Apps nest outlines in folders ("categories") and disagree on attribute case (xmlUrl,
xmlurl) and on whether the name goes in `text` or `title`, so reading is lenient; writing
is plain OPML 2.0 that all of them read.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from desktop.core.feeds.clean import web_url
from desktop.core.feeds.model import OpmlFeed
from desktop.core.feeds.parse import FeedError
from desktop.core.feeds.xmlsafe import UnsafeXmlError, XmlError, parse_xml
from desktop.core.text import clean_line

__all__ = ["read_opml", "write_opml"]

_ATTRIBUTE_ESCAPES = {'"': "&quot;"}
# Not allowed anywhere in XML 1.0 (clean_line has already dropped control characters).
_NOT_XML = str.maketrans("", "", "\ufffe\uffff")


def _attribute(attributes: dict[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((value for key, value in attributes.items() if key.lower() == wanted), None)


def read_opml(data: bytes, source: str) -> list[OpmlFeed]:
    """Every outline with an http(s) xmlUrl, at any depth, in file order, once per URL."""
    try:
        root = parse_xml(data)
    except UnsafeXmlError as exc:
        raise FeedError(f"{source} is not an OPML file Earmark reads: {exc}") from exc
    except XmlError as exc:
        raise FeedError(f"{source} is not an OPML file: {exc}") from exc
    if root.tag.lower() != "opml":
        raise FeedError(f"{source} is not an OPML file (it starts with <{root.tag}>)")
    feeds: list[OpmlFeed] = []
    seen: set[str] = set()
    for outline in root.iter():
        if outline.tag.lower() != "outline":
            continue
        attributes = dict(outline.attrib)
        url = web_url(_attribute(attributes, "xmlUrl"))
        if url is None or url in seen:
            continue
        seen.add(url)
        title = clean_line(_attribute(attributes, "title")) or clean_line(
            _attribute(attributes, "text")
        )
        feeds.append(OpmlFeed(title or url, url))
    return feeds


def _escaped(value: str, attribute: bool = True) -> str:
    text = clean_line(value).translate(_NOT_XML)
    return escape(text, _ATTRIBUTE_ESCAPES) if attribute else escape(text)


def write_opml(feeds: list[OpmlFeed], title: str = "Earmark subscriptions") -> str:
    """An OPML 2.0 document listing `feeds` (encode it as UTF-8, as its declaration says)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        f"    <title>{_escaped(title, attribute=False)}</title>",
        "  </head>",
        "  <body>",
    ]
    for feed in feeds:
        name = _escaped(feed.title)
        lines.append(
            f'    <outline type="rss" text="{name}" title="{name}" xmlUrl="{_escaped(feed.url)}"/>'
        )
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)
