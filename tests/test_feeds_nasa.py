"""Issue 17's acceptance, against a real HTTP server on 127.0.0.1: an RSS 2.0 feed with
iTunes tags whose first episode is the NASA interview (resources/sample, public domain)
with the publisher's SRT (made from NASA's own transcript, tests/data/audio) and JSON
chapters, and whose second is the interview's first 90 s, cut off half-way on the first
try; an Atom feed; and hostile feeds. Each hostile case is one line and leaves the library
as it was."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.downloads import DownloadError
from desktop.core.feeds import Feed, FeedError, FeedItem
from desktop.core.model import EpisodeSource
from desktop.core.store import Library
from desktop.core.timecode import clock
from desktop.services import feeds
from desktop.services.feed_episodes import download_item, get_item
from desktop.services.opening import EngineChoice, engine_choice
from desktop.ui.opening import sample_path
from tests import media_fixtures as media
from tests.conftest import DATA
from tests.http_files import Fault, FileServer, serve_files
from tests.wer import word_error_rate

pytestmark = pytest.mark.timeout(240)

NASA_TURNS = DATA / "audio" / "nasa_hwhap414_science_in_space.reference.txt"
DURATION = 294.0
CHAPTERS = {
    "version": "1.2.0",
    "chapters": [
        {"startTime": 0, "title": "Growing up in Iowa"},
        {"startTime": 95, "title": "Old Dominion and engineering"},
        {"startTime": 200, "title": "Coming to NASA"},
    ],
}


def nasa_srt() -> tuple[str, str]:
    """(SRT, reference text): NASA's transcript turns as cues, timed by their length."""
    turns = [line.strip() for line in NASA_TURNS.read_text().splitlines() if line.strip()]
    words = [len(t.split(":", 1)[1].split()) for t in turns]
    total, at, cues = sum(words), 0.0, []
    for n, (turn, count) in enumerate(zip(turns, words, strict=True), 1):
        end = at + DURATION * count / total
        cues.append(f"{n}\n{clock(at, ',')} --> {clock(end, ',')}\n{turn}\n")
        at = end
    return "\n".join(cues), " ".join(t.split(":", 1)[1] for t in turns)


def rss(server: FileServer) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel>
  <title>Houston We Have a Podcast</title>
  <link>https://www.nasa.gov/podcasts/houston-we-have-a-podcast/</link>
  <description>The official podcast of the NASA Johnson Space Center.</description>
  <itunes:author>NASA</itunes:author>
  <item>
    <title>Science in Space</title>
    <guid>hwhap-414</guid>
    <pubDate>Fri, 10 Nov 2023 10:00:00 +0000</pubDate>
    <itunes:duration>4:54</itunes:duration>
    <enclosure url="{server.url("/media/414.mp3")}" type="audio/mpeg" length="3529201"/>
    <podcast:transcript url="{server.url("/414.srt")}" type="application/x-subrip"/>
    <podcast:chapters url="{server.url("/414.json")}" type="application/json+chapters"/>
  </item>
  <item>
    <title>Science in Space, the first minutes</title>
    <guid>hwhap-414-head</guid>
    <pubDate>Sat, 11 Nov 2023 10:00:00 +0000</pubDate>
    <enclosure url="{server.url("/media/head.mp3")}" type="audio/mpeg"/>
  </item>
</channel>
</rss>""".encode()


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>An Atom Show</title>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2026-12-01T10:00:00Z</updated>
  <entry>
    <title>Atom episode</title>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <updated>2026-12-01T10:00:00Z</updated>
    <link rel="enclosure" type="audio/mpeg" href="/media/head.mp3" length="1000"/>
  </entry>
</feed>"""

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
]>
<rss version="2.0"><channel><title>&f;</title>
<item><title>&f;</title><guid>x</guid></item></channel></rss>"""


def external_entity(server: FileServer) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY leak SYSTEM "file:///etc/passwd">
 <!ENTITY remote SYSTEM "{server.url("/dtd-fetched")}">]>
<rss version="2.0"><channel><title>Leak &leak; &remote;</title>
<item><title>x &leak;</title><guid>x</guid></item></channel></rss>""".encode()


@pytest.fixture(scope="module")
def head(pytestconfig: pytest.Config) -> Path:
    return media.sample_head(pytestconfig.cache.mkdir("earmark-media"), 90)


@pytest.fixture
def server(head: Path) -> Iterator[FileServer]:
    srt, _ = nasa_srt()
    with serve_files() as server:
        server.add("/feed.xml", rss(server), content_type="application/rss+xml")
        server.add("/media/414.mp3", sample_path(), content_type="audio/mpeg")
        server.add("/media/head.mp3", head, content_type="audio/mpeg")
        server.add("/414.srt", srt.encode(), content_type="application/x-subrip")
        server.add("/414.json", json.dumps(CHAPTERS).encode(), content_type="application/json")
        server.add("/atom.xml", ATOM, content_type="application/atom+xml")
        yield server


def never() -> EngineChoice:
    raise AssertionError("the item with the publisher's transcript must not be transcribed")


def test_the_publishers_transcript_is_imported_and_the_other_episode_transcribed(
    library: Library, server: FileServer, head: Path
) -> None:
    server.set_fault("/media/head.mp3", Fault(drop_after=head.stat().st_size // 2))
    show = feeds.subscribe(library, server.url("/feed.xml")).show
    assert show is not None and show.title == "Houston We Have a Podcast" and show.author == "NASA"
    newest, interview = library.show_items(show.id)
    assert interview.title == "Science in Space" and interview.duration == DURATION

    got = get_item(library, interview.id, never)
    episode = got.episode
    assert got.how == "the publisher's transcript" and episode.engine == "publisher"
    assert episode.source is EpisodeSource.IMPORTED and Path(episode.media_path or "").is_file()
    segments = library.segments(episode.id)
    assert {s.speaker for s in segments} == {"Kenna", "Lisa"}
    _, reference = nasa_srt()
    assert word_error_rate(reference, " ".join(s.text for s in segments)) == 0
    assert [c.title for c in library.chapters(episode.id)] == [
        "Growing up in Iowa",
        "Old Dominion and engineering",
        "Coming to NASA",
    ]

    got = get_item(library, newest.id, engine_choice)
    assert got.how == "transcribed" and got.episode.segment_count > 10
    requests = server.requests("/media/head.mp3")
    assert len(requests) == 2 and requests[1].range == f"bytes={head.stat().st_size // 2}-"
    text = " ".join(s.text for s in library.segments(got.episode.id))
    assert "Fort Dodge, Iowa" in text


def test_an_atom_feed(library: Library, server: FileServer) -> None:
    show = feeds.subscribe(library, server.url("/atom.xml")).show
    assert show is not None and show.title == "An Atom Show"
    (item,) = library.show_items(show.id)
    assert item.title == "Atom episode" and item.enclosure_url == server.url("/media/head.mp3")


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("page", "web page"),
        ("missing", "404"),
        ("loop", "redirect"),
        ("bomb", "declares xml entities"),
        ("leak", "declares xml entities"),
    ],
)
def test_hostile_feeds_are_one_line_and_change_nothing(
    library: Library, server: FileServer, name: str, words: str
) -> None:
    server.add(
        "/page", b"<!doctype html><html><body><h1>Shop</h1></body></html>", content_type="text/html"
    )
    server.redirect("/loop", "/loop")
    server.add("/bomb", BOMB, content_type="application/rss+xml")
    server.add("/leak", external_entity(server), content_type="application/rss+xml")
    before = library.row_counts()
    with pytest.raises((FeedError, DownloadError)) as caught:
        feeds.subscribe(library, server.url(f"/{name}"))
    message = str(caught.value)
    assert "\n" not in message and words in message.lower()
    assert library.row_counts() == before
    assert server.requests("/dtd-fetched") == [] and "root:" not in message


def test_a_feed_from_the_internet_cannot_reach_into_this_machine(
    library: Library, server: FileServer
) -> None:
    """A feed served from a public address naming a loopback enclosure: refused before
    connecting (the feed is stored directly: this test reaches no public address)."""
    feed = Feed(
        url="http://8.8.8.8/feed.xml",
        title="Far away",
        link=None,
        description="",
        author=None,
        artwork_url=None,
        items=[
            FeedItem(
                guid="g", title="Local", published=None, duration=None, description="",
                enclosure_url=server.url("/media/head.mp3"), enclosure_type="audio/mpeg",
                enclosure_length=None, transcript_url=None, transcript_type=None,
                chapters_url=None, link=None,
            )
        ],
    )  # fmt: skip
    show, _ = library.save_feed(feed)
    (item,) = library.show_items(show.id)
    with pytest.raises(DownloadError, match="local or private address"):
        download_item(library, item)
    assert server.requests("/media/head.mp3") == []
