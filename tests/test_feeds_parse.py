"""Feeds: RSS with iTunes and Podcasting 2.0 tags, Atom, recovered and hostile feeds."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from desktop.core.feeds import MAX_FEED_BYTES, Feed, FeedError, parse_feed
from tests.http_files import serve_files

DATA = Path(__file__).parent / "data" / "feeds"
SHOW_URL = "https://feeds.example.com/field-notes/rss"


def load(name: str, url: str) -> Feed:
    return parse_feed((DATA / name).read_bytes(), url)


@pytest.fixture(scope="module")
def show() -> Feed:
    return load("show.rss", SHOW_URL)


def test_channel(show: Feed) -> None:
    assert show.url == SHOW_URL
    assert show.title == "Field Notes & Margins"
    assert show.link == "https://fieldnotes.example.com/"
    assert show.description == (
        "A weekly show about paper, pens & the people who still use them.\n\nHosted by Ada & Sam."
    )
    assert show.author == "Ada Palmer & Sam Reyes"
    # itunes:image wins over <image><url>, though feedparser keeps only the later one.
    assert show.artwork_url == "https://cdn.example.com/art/field-notes-3000.jpg"


def test_items_newest_first_deduped_undated_last(show: Feed) -> None:
    assert [item.title for item in show.items] == [
        '12: Back to Paper — Why "Analog" Wins',
        "11: A Leaky Enclosure",
        "Bonus: Live Show Announcement",
        "Episode 10 final.mp3",
        "8: Ink Chemistry",
        "9: Relative Paths",
    ]
    assert [item.published for item in show.items] == [
        "2024-03-05T10:00:00+00:00",  # +0100 in the feed
        "2024-02-27T09:30:00+00:00",
        "2024-02-26T17:00:00+00:00",  # -0500 in the feed
        "2024-02-20T09:30:00+00:00",
        "2024-02-13T09:30:00+00:00",
        None,
    ]
    # The re-upload repeats episode 12's guid: the first one in the feed is kept.
    assert sum(item.guid == "fieldnotes-0012-7f3a" for item in show.items) == 1


def test_full_item(show: Feed) -> None:
    item = show.items[0]
    assert item.guid == "fieldnotes-0012-7f3a"
    assert item.duration == 3723.0  # "1:02:03"
    assert (item.season, item.number) == (2, 12)
    assert item.link == "https://fieldnotes.example.com/episodes/12-back-to-paper"
    assert item.enclosure_url == "https://media.example.com/field-notes/ep12.mp3?source=rss"
    assert (item.enclosure_type, item.enclosure_length) == ("audio/mpeg", 59571200)
    # Three transcripts listed (HTML, SRT, JSON): the JSON is the one our importer reads best.
    assert item.transcript_url == "https://media.example.com/field-notes/ep12.json"
    assert item.transcript_type == "application/json"
    assert item.chapters_url == "https://media.example.com/field-notes/ep12.chapters.json"


def test_show_notes_are_plain_text(show: Feed) -> None:
    # content:encoded (the full notes) beats the one-line <description> teaser.
    assert show.items[0].description == (
        "This week: why analog still wins & what we’ve learned.\n"
        "\n"
        "Links from the show:\n"
        "Notebook review – example.com/review\n"
        "Ink <tests>\n"
        "\n"
        "Fountain pens\n"
        "Pencils & erasers\n"
        "\n"
        "Thanks for listening!"
    )


def test_non_web_urls_are_dropped(show: Feed) -> None:
    leaky = show.items[1]
    assert leaky.guid == "fieldnotes-0011-c2d9"
    assert (leaky.enclosure_url, leaky.enclosure_type, leaky.enclosure_length) == (None,) * 3
    # javascript: ranks first by type but is not a web URL; VTT beats text/plain.
    assert (leaky.transcript_url, leaky.transcript_type) == (
        "https://media.example.com/field-notes/ep11.vtt",
        "text/vtt",
    )
    assert leaky.duration == 3723.0  # "62:03"
    relative = show.items[-1]
    assert relative.enclosure_url == "https://feeds.example.com/field-notes/ep9.m4a"
    assert relative.duration == 3723.5
    assert relative.transcript_url is None  # ftp:
    assert relative.chapters_url is None  # file:


def test_fallbacks_for_missing_guid_title_and_enclosure(show: Feed) -> None:
    by_title = {item.title: item for item in show.items}
    untitled = by_title["Episode 10 final.mp3"]  # the enclosure's file name, decoded
    assert untitled.guid == "https://media.example.com/field-notes/Episode%2010%20final.mp3"
    assert untitled.duration == 3723.0  # "3723"
    assert untitled.enclosure_length is None  # length="0"
    assert (untitled.transcript_url, untitled.transcript_type) == (
        "https://fieldnotes.example.com/episodes/10/transcript.html",
        "text/html",
    )
    bonus = by_title["Bonus: Live Show Announcement"]
    expected = hashlib.sha256(
        b"https://fieldnotes.example.com/live\nBonus: Live Show Announcement"
    ).hexdigest()
    assert bonus.guid == expected
    assert bonus.enclosure_url is None  # kept: shown as not downloadable
    assert bonus.duration is None  # "about an hour"
    ink = by_title["8: Ink Chemistry"]
    assert ink.duration == 2700.0
    # application/pdf is an unknown type: still better than nothing, but VTT comes first.
    assert ink.transcript_type == "text/vtt"


def _ranking_feed(transcripts: list[str]) -> bytes:
    items = "".join(
        f"<item><title>{n}</title><guid>g{n}</guid>{t}</item>" for n, t in enumerate(transcripts)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:p2="https://podcastindex.org/namespace/1.0"'
        ' xmlns:podcast="https://example.com/not-the-podcast-namespace">'
        f"<channel><title>Ranking</title>{items}</channel></rss>"
    ).encode()


def _transcript(url: str, mime: str, prefix: str = "p2") -> str:
    return f'<{prefix}:transcript url="https://t.example/{url}" type="{mime}"/>'


def test_transcript_ranking_and_namespace_by_uri() -> None:
    feed = parse_feed(
        _ranking_feed(
            [
                _transcript("a.html", "text/html") + _transcript("a.pdf", "application/pdf"),
                _transcript("b.html", "text/html"),
                _transcript("c.txt", "text/plain") + _transcript("c.srt", "application/srt"),
                _transcript("d.txt", "text/plain") + _transcript("d.vtt", "Text/VTT"),
                _transcript("e.pdf", "application/pdf") + _transcript("e.txt", "text/plain"),
                # The prefix "podcast" is bound to another namespace here: not a transcript.
                _transcript("f.json", "application/json", prefix="podcast"),
                _transcript("g1.srt", "text/srt") + _transcript("g2.srt", "application/x-subrip"),
            ]
        ),
        "https://t.example/feed",
    )
    assert [(i.transcript_url, i.transcript_type) for i in feed.items] == [
        ("https://t.example/a.pdf", "application/pdf"),  # unknown beats HTML
        ("https://t.example/b.html", "text/html"),  # HTML when there is nothing else
        ("https://t.example/c.srt", "application/srt"),
        ("https://t.example/d.vtt", "Text/VTT"),  # as given
        ("https://t.example/e.txt", "text/plain"),
        (None, None),
        ("https://t.example/g1.srt", "text/srt"),  # equal rank: the feed's order
    ]


def test_guid_is_stable_across_refreshes() -> None:
    first = load("show.rss", SHOW_URL)
    again = load("show.rss", SHOW_URL)
    assert [i.guid for i in first.items] == [i.guid for i in again.items]


def test_atom_feed_with_enclosure_links() -> None:
    feed = load("atom.xml", "https://bytesandbikes.example.org/feed.atom")
    assert feed.title == "Bytes & Bikes"
    assert feed.description == "Two friends talk about code and cycling."
    assert feed.author == "Lee Okafor"
    assert feed.artwork_url == "https://bytesandbikes.example.org/logo.png"
    assert [i.guid for i in feed.items] == [
        "tag:bytesandbikes.example.org,2024:ep2",
        "tag:bytesandbikes.example.org,2024:ep1",
    ]
    ep2, ep1 = feed.items
    assert ep2.title == "Episode 2: Gears & Git"  # type="html": markup stripped
    assert ep2.published == "2024-01-15T06:00:00+00:00"  # <published>, not <updated>
    assert ep2.description == "Shifting gears.\n\nRebasing & merging."
    assert (ep2.enclosure_url, ep2.enclosure_type, ep2.enclosure_length) == (
        "https://bytesandbikes.example.org/media/ep2.ogg",
        "audio/ogg",
        20480000,
    )
    # An HTML "enclosure" listed first loses to the video one; a garbage length is None.
    assert (ep1.enclosure_url, ep1.enclosure_type, ep1.enclosure_length) == (
        "https://bytesandbikes.example.org/media/ep1.webm",
        "video/webm",
        None,
    )
    assert ep1.published == "2024-01-01T12:00:00+00:00"
    assert ep1.description == "Plain text summary & no markup.\nSecond line."


def test_recoverable_feed_with_stray_ampersand() -> None:
    feed = load("bozo.rss", "https://garagetalk.example.net/feed")
    assert feed.title == "Tom & Jerry's Garage Talk"
    assert feed.author == "Tom & Jerry"
    assert feed.description == "Cars, tools & coffee. Every Friday."
    assert feed.artwork_url == "https://garagetalk.example.net/cover.jpg"
    assert [(i.title, i.duration, i.published) for i in feed.items] == [
        ("Brakes & Bearings", 2890.0, "2024-01-12T14:00:00+00:00"),
        ("Oil Changes", 3060.0, "2024-01-05T14:00:00+00:00"),
    ]
    brakes = feed.items[0]
    # Not well-formed, so only feedparser's view is left: the namespace is matched by its
    # (GitHub) URI under the prefix "pod", and only the last transcript survives.
    assert brakes.transcript_url == "https://garagetalk.example.net/audio/101.vtt"
    assert brakes.chapters_url == "https://garagetalk.example.net/audio/101-chapters.json"


def test_external_entities_are_refused_and_never_read() -> None:
    with pytest.raises(FeedError) as caught:
        load("xxe.rss", "https://normal.example.com/feed")
    assert str(caught.value) == (
        "https://normal.example.com/feed declares XML entities, which no podcast feed "
        "needs; refused as unsafe"
    )
    assert "root:" not in str(caught.value)


def test_external_dtd_and_entities_are_never_fetched() -> None:
    with serve_files() as server:
        dtd = server.add("/evil.dtd", b'<!ENTITY secret "FETCHED-DTD">')
        text = server.add("/secret.txt", b"FETCHED-ENTITY")
        data = (
            f'<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "{dtd}" [\n'
            f'<!ENTITY remote SYSTEM "{text}">\n]>\n'
            '<rss version="2.0"><channel><title>Show &remote;</title>'
            "<item><title>One &secret;</title><guid>g1</guid></item></channel></rss>"
        ).encode()
        with pytest.raises(FeedError, match="declares XML entities"):
            parse_feed(data, "https://example.com/feed")
        # Without an internal subset, the external DTD is named but never fetched.
        plain = data.replace(f'[\n<!ENTITY remote SYSTEM "{text}">\n]'.encode(), b"")
        feed = parse_feed(plain, "https://example.com/feed")
        assert server.requests() == []
    assert "FETCHED" not in repr(feed)
    assert [i.guid for i in feed.items] == ["g1"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "webpage.html",
            "https://x.example/show is a web page, not a podcast feed; look for the RSS link on it",
        ),
        ("sitemap.xml", "https://x.example/show is not a podcast feed (neither RSS nor Atom)"),
    ],
)
def test_not_a_feed(name: str, message: str) -> None:
    with pytest.raises(FeedError) as caught:
        load(name, "https://x.example/show")
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "https://x.example/f is empty, not a podcast feed"),
        (b"\n  \n", "https://x.example/f is empty, not a podcast feed"),
        (b"just some words", "https://x.example/f is not a podcast feed (neither RSS nor Atom)"),
        (
            b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
            "https://x.example/f is a web page, not a podcast feed; look for the RSS link on it",
        ),
        (
            b'<rss version="2.0"><channel><description>x</description></channel></rss>',
            "https://x.example/f is not a podcast feed: it has no title and no episodes",
        ),
        (
            b" " * (MAX_FEED_BYTES + 1),
            "https://x.example/f is larger than 16 MiB; that is not a podcast feed",
        ),
    ],
)
def test_unreadable_feeds(data: bytes, message: str) -> None:
    with pytest.raises(FeedError) as caught:
        parse_feed(data, "https://x.example/f")
    assert str(caught.value) == message


def test_new_show_without_episodes_is_accepted() -> None:
    data = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Coming Soon</title>'
        b"<link>https://soon.example/</link></channel></rss>"
    )
    feed = parse_feed(data, "https://soon.example/rss")
    assert (feed.title, feed.link, feed.items) == ("Coming Soon", "https://soon.example/", [])


def test_feed_bytes_never_name_a_local_file(tmp_path: Path) -> None:
    # feedparser treats a str or bytes argument as a URL or a file name to open.
    secret = tmp_path / "feed.xml"
    secret.write_bytes(b'<rss version="2.0"><channel><title>LOCAL</title></channel></rss>')
    with pytest.raises(FeedError, match="neither RSS nor Atom"):
        parse_feed(str(secret).encode(), "https://x.example/f")


def test_control_characters_never_get_in() -> None:
    data = (
        b'<rss version="2.0"><channel><title>Bell\x07 &#x1b;[31mRed</title><item>'
        b"<title>Tab\tand &#xD800; lone</title><guid>g</guid></item></channel></rss>"
    )
    feed = parse_feed(data, "https://x.example/f")
    assert feed.title == "Bell [31mRed"
    assert feed.items[0].title == "Tab and \ufffd lone"
