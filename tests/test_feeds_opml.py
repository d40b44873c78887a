"""OPML subscription lists: reading what podcast apps export, writing what they import."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.core.feeds import FeedError, OpmlFeed, read_opml, write_opml
from tests.http_files import serve_files

DATA = Path(__file__).parent / "data" / "feeds"


def test_read_nested_opml() -> None:
    feeds = read_opml((DATA / "subscriptions.opml").read_bytes(), "subscriptions.opml")
    assert feeds == [
        OpmlFeed("Field Notes & Margins", "https://feeds.example.com/field-notes/rss"),
        OpmlFeed("Bytes & Bikes", "https://bytesandbikes.example.org/feed.atom"),
        OpmlFeed("Garage Talk (lower-case xmlurl)", "http://garagetalk.example.net/feed"),
        # No title or text: the URL names it.
        OpmlFeed("https://untitled.example.com/rss", "https://untitled.example.com/rss"),
    ]


def test_write_then_read_round_trips() -> None:
    feeds = [
        OpmlFeed('Tom & Jerry\'s "Garage" <Talk>', "https://garagetalk.example.net/feed?a=1&b=2"),
        OpmlFeed("Émissions en français — ünïcödé 🎙️", "https://radio.example.fr/flux.xml"),
        OpmlFeed("Line\nbreak\x07 bell", "http://plain.example.com/rss"),
    ]
    text = write_opml(feeds, title="My <shows> & more")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">\n')
    assert "    <title>My &lt;shows&gt; &amp; more</title>\n" in text
    assert (
        '    <outline type="rss" text="Tom &amp; Jerry\'s &quot;Garage&quot; &lt;Talk&gt;" '
        'title="Tom &amp; Jerry\'s &quot;Garage&quot; &lt;Talk&gt;" '
        'xmlUrl="https://garagetalk.example.net/feed?a=1&amp;b=2"/>\n'
    ) in text
    again = read_opml(text.encode("utf-8"), "exported.opml")
    assert again == [
        feeds[0],
        feeds[1],
        OpmlFeed("Line break bell", "http://plain.example.com/rss"),
    ]


def test_write_empty_list() -> None:
    text = write_opml([])
    assert "<title>Earmark subscriptions</title>" in text
    assert read_opml(text.encode(), "empty.opml") == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>',
            "feeds.opml is not an OPML file (it starts with <rss>)",
        ),
        (b"", "feeds.opml is not an OPML file: no element found: line 1, column 0"),
        (
            b"<opml><body><outline></body></opml>",
            "feeds.opml is not an OPML file: mismatched tag: line 1, column 23",
        ),
        (
            b'<!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]><opml>&x;</opml>',
            "feeds.opml is not an OPML file Earmark reads: "
            "the document declares entities (refused: no feed needs them)",
        ),
        (
            b'<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            b"<opml><body><outline text='&b;' xmlUrl='https://x.example/rss'/></body></opml>",
            "feeds.opml is not an OPML file Earmark reads: "
            "the document declares entities (refused: no feed needs them)",
        ),
    ],
)
def test_not_opml(data: bytes, message: str) -> None:
    with pytest.raises(FeedError) as caught:
        read_opml(data, "feeds.opml")
    assert str(caught.value) == message


def test_external_dtd_is_never_fetched() -> None:
    with serve_files() as server:
        dtd = server.add("/opml.dtd", b"<!ENTITY x 'FETCHED'>")
        data = (
            f'<?xml version="1.0"?><!DOCTYPE opml SYSTEM "{dtd}">'
            '<opml version="2.0"><body><outline text="Show" xmlUrl="https://s.example/rss"/>'
            "</body></opml>"
        ).encode()
        assert read_opml(data, "dtd.opml") == [OpmlFeed("Show", "https://s.example/rss")]
        assert server.requests() == []
