"""Podcasts by feed, end to end against a real HTTP server on 127.0.0.1 (tests/http_files.py)
serving an RSS feed shaped like a real Podcasting 2.0 show, real audio (the JFK clip as
mp3), the publisher's WebVTT transcript and JSON chapters; the real library file; the real
tiny.en where an episode has no transcript. Failures leave the library as it was."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.core.downloads import DownloadError
from desktop.core.errors import EarmarkError, ModelNeededError
from desktop.core.feeds import FeedError
from desktop.core.model import EpisodeSource, EpisodeStatus
from desktop.core.store import Library
from desktop.services import feeds
from desktop.services.feed_episodes import get_item, media_destination
from desktop.services.opening import EngineChoice, engine_choice
from tests import media_fixtures as media
from tests.feed_server import JFK, feed_xml, item_xml
from tests.http_files import Fault, FileServer, closed_port
from tests.test_whisper_models import GERMAN
from tests.wer import word_error_rate

pytestmark = pytest.mark.timeout(180)


def never() -> EngineChoice:
    raise AssertionError("nothing is transcribed when the publisher's transcript is used")


def tiny() -> EngineChoice:
    return engine_choice()


def test_subscribe_then_refresh_finds_only_the_new_episode(
    library: Library, feed_server: FileServer
) -> None:
    result = feeds.subscribe(library, feed_server.url("/feed.xml"))
    assert result.added and result.error is None
    show = result.show
    assert show is not None and show.title == "Speeches & Talks" and show.item_count == 2
    assert show.artwork_url == feed_server.url("/art.jpg") and show.author == "Earmark Tests"
    items = library.show_items(show.id)
    assert [i.title for i in items] == ["Again", "Ask Not"]  # newest first
    ask = items[1]
    assert ask.duration == 11 and ask.transcript_type == "text/vtt"
    assert "Show notes for episode 1 & more." in ask.description and "<b>" not in ask.description

    extra = item_xml(feed_server, 3, "Third")
    feed_server.change(
        "/feed.xml",
        feed_xml(
            feed_server,
            [extra, item_xml(feed_server, 1, "Ask Not"), item_xml(feed_server, 2, "Again")],
        ),
    )
    (again,) = feeds.refresh(library)
    assert again.error is None and [i.title for i in again.new] == ["Third"]
    assert library.show(show.id).item_count == 3
    assert feeds.subscribe(library, feed_server.url("/feed.xml")).added is False  # known: refreshed


def test_get_uses_the_publishers_transcript_and_chapters(
    library: Library, feed_server: FileServer
) -> None:
    show = feeds.subscribe(library, feed_server.url("/feed.xml")).show
    assert show is not None
    ask = next(i for i in library.show_items(show.id) if i.title == "Ask Not")
    got = get_item(library, ask.id, never)
    episode = got.episode
    assert got.how == "the publisher's transcript" and got.warnings == []
    assert episode.title == "Ask Not" and episode.status is EpisodeStatus.DONE
    assert episode.source is EpisodeSource.IMPORTED
    assert Path(episode.media_path or "").is_file()  # it plays
    assert Path(episode.media_path or "").parent.name == "Speeches & Talks"
    segments = library.segments(episode.id)
    assert {s.speaker for s in segments} == {"John F. Kennedy"}
    assert word_error_rate(JFK, " ".join(s.text for s in segments)) == 0
    assert [c.title for c in library.chapters(episode.id)] == ["Fellow Americans", "Ask"]
    assert library.show_item(ask.id).episode_id == episode.id
    # Asked again: the episode, nothing fetched again.
    before = len(feed_server.requests("/media/ep1.mp3"))
    assert get_item(library, ask.id, never).how == "already in the library"
    assert len(feed_server.requests("/media/ep1.mp3")) == before


def test_get_transcribes_when_there_is_no_transcript_and_resumes_a_dropped_download(
    library: Library, feed_server: FileServer, feed_mp3: Path
) -> None:
    feed_server.set_fault(
        "/media/ep2.mp3", Fault(drop_after=feed_mp3.stat().st_size // 2, drop_how="reset")
    )
    show = feeds.subscribe(library, feed_server.url("/feed.xml")).show
    assert show is not None
    again = next(i for i in library.show_items(show.id) if i.title == "Again")
    got = get_item(library, again.id, tiny)
    assert got.how == "transcribed" and got.episode.title == "Again"
    assert word_error_rate(JFK, " ".join(s.text for s in library.segments(got.episode.id))) < 0.1
    requests = feed_server.requests("/media/ep2.mp3")
    assert len(requests) == 2 and requests[1].range is not None  # resumed, not restarted


def test_a_broken_publisher_transcript_falls_back_to_transcribing(
    library: Library, feed_server: FileServer
) -> None:
    feed_server.change("/t/ep1.vtt", b"<html><body>Sign in to read</body></html>")
    show = feeds.subscribe(library, feed_server.url("/feed.xml")).show
    assert show is not None
    ask = next(i for i in library.show_items(show.id) if i.title == "Ask Not")
    got = get_item(library, ask.id, tiny)
    assert got.how == "transcribed"
    assert len(got.warnings) == 1 and "was not used" in got.warnings[0]


@pytest.mark.parametrize(
    ("path", "setup", "words"),
    [
        ("/missing.xml", None, "404"),
        (
            "/page.html",
            b"<!DOCTYPE html><html><head><title>Shop</title></head><body>Hi</body></html>",
            "web page",
        ),
        ("/data.xml", b"<?xml version='1.0'?><config><a>1</a></config>", "feed"),
    ],
)
def test_a_bad_feed_is_one_line_and_changes_nothing(
    library: Library, feed_server: FileServer, path: str, setup: bytes | None, words: str
) -> None:
    if setup is not None:
        feed_server.add(
            path, setup, content_type="text/html" if path.endswith("html") else "text/xml"
        )
    before = library.row_counts()
    with pytest.raises((FeedError, DownloadError)) as caught:
        feeds.subscribe(library, feed_server.url(path))
    message = str(caught.value)
    assert "\n" not in message and feed_server.url(path) in message and words in message
    assert library.row_counts() == before


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/feed", "javascript:alert(1)"]
)
def test_only_http_feeds(library: Library, url: str) -> None:
    with pytest.raises(EarmarkError, match="give an http or https URL"):
        feeds.subscribe(library, url)
    assert library.shows() == []


def test_a_web_page_instead_of_audio_is_refused_and_nothing_is_left(
    library: Library, feed_server: FileServer
) -> None:
    feed_server.add("/media/ep2.mp3", b"<html>Please log in</html>", content_type="text/html")
    show = feeds.subscribe(library, feed_server.url("/feed.xml")).show
    assert show is not None
    again = next(i for i in library.show_items(show.id) if i.title == "Again")
    before = library.row_counts()
    with pytest.raises(DownloadError) as caught:
        get_item(library, again.id, tiny)
    assert "\n" not in str(caught.value)
    assert library.row_counts() == before
    dest = media_destination(library, show, again)
    assert not dest.exists() and library.show_item(again.id).episode_id is None


def test_opml_import_reports_each_feed_and_export_lists_them(
    library: Library, feed_server: FileServer, tmp_path: Path
) -> None:
    opml = tmp_path / "subs.opml"
    opml.write_text(
        f"""<?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>
        <outline text="Talks">
          <outline type="rss" text="Speeches" xmlUrl="{feed_server.url("/feed.xml")}"/>
        </outline>
        <outline type="rss" text="Gone" xmlUrl="{feed_server.url("/gone.xml")}"/>
        </body></opml>"""
    )
    results = feeds.import_opml(library, opml)
    assert [r.error is None for r in results] == [True, False]
    assert "404" in (results[1].error or "")
    exported = feeds.export_opml(library)
    assert feed_server.url("/feed.xml") in exported and "Speeches &amp; Talks" in exported


def test_the_command_line(
    feed_server: FileServer, feed_mp3: Path, earmark_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["feed", "add", feed_server.url("/feed.xml"), "--json"]) == 0
    (added,) = json.loads(capsys.readouterr().out)
    show_id = added["show"]["id"]
    assert main(["feed", "list", str(show_id), "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert [(i["title"], i["state"]) for i in items] == [
        ("Again", "not downloaded"),
        ("Ask Not", "not downloaded"),
    ]
    ask = next(i["id"] for i in items if i["title"] == "Ask Not")
    assert main(["feed", "get", str(ask)]) == 0
    out = capsys.readouterr().out
    assert out.strip().endswith("Ask Not: 2 segments (the publisher's transcript)")
    assert main(["feed", "auto", "Speeches", "on"]) == 0
    capsys.readouterr()
    feed_server.change(
        "/feed.xml",
        feed_xml(
            feed_server, [item_xml(feed_server, 3, "Third"), item_xml(feed_server, 1, "Ask Not")]
        ),
    )
    other = media.convert(media.AUDIO_DATA / "jfk.flac", "m4a", feed_mp3.parent)  # other bytes
    feed_server.add("/media/ep3.mp3", other, content_type="audio/mp4")
    assert main(["feed", "refresh", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [g["title"] for g in report["got"]] == ["Third"] and report["got"][0][
        "how"
    ] == "transcribed"
    assert main(["feed", "remove", str(show_id)]) == 0
    assert "its episodes in the library stay" in capsys.readouterr().out
    with Library.open() as library:
        assert library.shows() == [] and len(library.episodes()) == 2


def test_the_same_audio_under_two_items_is_one_episode(
    library: Library, feed_server: FileServer
) -> None:
    """A re-run episode: another item, the same enclosure bytes. Linked, not renamed."""
    show = feeds.subscribe(library, feed_server.url("/feed.xml")).show
    assert show is not None
    again, ask = sorted(library.show_items(show.id), key=lambda i: i.title)
    first = get_item(library, ask.id, never).episode
    got = get_item(library, again.id, tiny)
    assert got.episode.id == first.id and got.how == "already in the library, as “Ask Not”"
    assert library.episode(first.id).title == "Ask Not"
    assert library.show_item(again.id).episode_id == first.id


def test_no_server_there_is_one_line(library: Library) -> None:
    url = f"http://127.0.0.1:{closed_port()}/feed.xml"
    with pytest.raises(DownloadError) as caught:
        feeds.subscribe(library, url)
    assert "\n" not in str(caught.value) and "127.0.0.1" in str(caught.value)
    assert library.shows() == []


def test_a_german_show_is_transcribed_in_german_or_refused_naming_the_model(
    library: Library, feed_server: FileServer, tmp_path: Path, base_model: Path
) -> None:
    """The feed's <language> tells Whisper what to expect: the English-only tiny.en refuses
    up front (naming the model to fetch) instead of writing English-sounding nonsense; the
    multilingual base transcribes it as German."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        pytest.skip("espeak-ng is not installed")
    clip = tmp_path / "folge1.wav"
    subprocess.run([espeak, "-v", "de", "-w", str(clip), GERMAN], check=True, timeout=60)
    item = item_xml(feed_server, 1, "Folge 1").replace("/media/ep1.mp3", "/media/folge1.wav")
    german = feed_xml(feed_server, [item]).replace(
        b"<title>Speeches", b"<language>de-DE</language><title>Speeches"
    )
    feed_server.add("/de.xml", german, content_type="application/rss+xml")
    feed_server.add("/media/folge1.wav", clip, content_type="audio/wav")
    show = feeds.subscribe(library, feed_server.url("/de.xml")).show
    assert show is not None and show.language == "de"
    (folge,) = library.show_items(show.id)
    before = library.row_counts()
    with pytest.raises(ModelNeededError, match="earmark model pull base") as caught:
        get_item(library, folge.id, tiny)
    assert caught.value.model == "base" and library.row_counts() == before
    got = get_item(library, folge.id, lambda: engine_choice(str(base_model)))
    assert got.episode.language == "de"
    text = " ".join(s.text for s in library.segments(got.episode.id)).lower()
    assert "podcast" in text and "berlin" in text


def test_feed_add_lists_the_episodes_with_their_ids(
    feed_server: FileServer, earmark_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["feed", "add", feed_server.url("/feed.xml")]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "#1 Speeches & Talks: subscribed, 2 episodes, 2 new episodes"
    assert lines[1].split() == ["1", "2026-12-02", "0:11", "Again", "[not", "downloaded]"]
    assert lines[2].split()[:4] == ["2", "2026-12-01", "0:11", "Ask"]
    assert lines[2].endswith("[not downloaded · transcript]")
