"""A podcast feed as a real show serves it, for tests against tests/http_files.py: RSS 2.0
with iTunes tags and Podcasting 2.0 transcript and chapters elements, the JFK clip as
the episodes' mp3, a WebVTT transcript with the speaker, JSON chapters."""

from __future__ import annotations

import json
from pathlib import Path

from tests import media_fixtures as media
from tests.http_files import FileServer

JFK = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)
VTT = """WEBVTT

00:00:00.000 --> 00:00:05.500
<v John F. Kennedy>And so my fellow Americans, ask not what your country can do for you,

00:00:05.500 --> 00:00:11.000
<v John F. Kennedy>ask what you can do for your country.
"""
CHAPTERS = {
    "version": "1.2.0",
    "chapters": [{"startTime": 0, "title": "Fellow Americans"}, {"startTime": 5.5, "title": "Ask"}],
}


def item_xml(server: FileServer, n: int, title: str, extra: str = "") -> str:
    return f"""
    <item>
      <title>{title}</title>
      <guid isPermaLink="false">show-ep-{n}</guid>
      <pubDate>Tue, 0{n} Dec 2026 10:00:00 +0000</pubDate>
      <itunes:duration>0:11</itunes:duration>
      <description><![CDATA[<p>Show notes for <b>episode {n}</b> &amp; more.</p>]]></description>
      <enclosure url="{server.url(f"/media/ep{n}.mp3")}" type="audio/mpeg" length="123"/>
      {extra}
    </item>"""


def feed_xml(server: FileServer, items: list[str]) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:podcast="https://podcastindex.org/namespace/1.0">
  <channel>
    <title>Speeches &amp; Talks</title>
    <link>https://example.org/show</link>
    <description>Famous speeches, read again.</description>
    <itunes:author>Earmark Tests</itunes:author>
    <itunes:image href="{server.url("/art.jpg")}"/>
    {"".join(items)}
  </channel>
</rss>""".encode()


def jfk_mp3(cache: Path) -> Path:
    return media.convert(media.AUDIO_DATA / "jfk.flac", "mp3", cache)


def stock_show(server: FileServer, mp3: Path) -> None:
    """The show: "Ask Not" (the publisher's VTT and chapters) and "Again" (audio only)."""
    with_transcript = (
        f'<podcast:transcript url="{server.url("/t/ep1.vtt")}" type="text/vtt"/>'
        f'<podcast:chapters url="{server.url("/c/ep1.json")}" '
        'type="application/json+chapters"/>'
    )
    items = [item_xml(server, 1, "Ask Not", with_transcript), item_xml(server, 2, "Again")]
    server.add("/feed.xml", feed_xml(server, items), content_type="application/rss+xml")
    server.add("/media/ep1.mp3", mp3, content_type="audio/mpeg")
    server.add("/media/ep2.mp3", mp3, content_type="audio/mpeg")
    server.add("/t/ep1.vtt", VTT.encode(), content_type="text/vtt")
    server.add("/c/ep1.json", json.dumps(CHAPTERS).encode(), content_type="application/json")
