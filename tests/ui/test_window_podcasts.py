"""The Podcasts tab in the real window, against a real HTTP server on 127.0.0.1 serving a
Podcasting 2.0 feed (tests/test_feeds_service.py builds it): subscribe, see the show's
episodes newest first, open one (downloaded with progress in the status bar, the
publisher's transcript imported, the episode shown), get new episodes automatically at a
refresh (transcribed by the real tiny.en), and unsubscribe keeping the episodes."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.core.store import Library
from tests import media_fixtures as media
from tests.feed_server import feed_xml, item_xml
from tests.http_files import Fault, FileServer

pytestmark = pytest.mark.timeout(180)


def tree_rows(window) -> list[tuple[str, list[tuple[str, str]]]]:
    tree = window.podcasts.tree
    shows = []
    for n in range(tree.topLevelItemCount()):
        top = tree.topLevelItem(n)
        children = [top.child(m) for m in range(top.childCount())]
        shows.append((top.text(0), [tuple(c.text(0).split("\n")) for c in children]))
    return shows


def wait_for_jobs(qtbot, window) -> None:
    qtbot.waitUntil(lambda: not window.session.runner.jobs(), timeout=120_000)


def test_subscribe_open_an_episode_and_get_new_ones_automatically(
    make_window,
    qtbot,
    feed_server: FileServer,
    feed_mp3: Path,
    tmp_path: Path,
) -> None:
    window = make_window(tmp_path / "lib" / "library.sqlite3")
    assert window.podcasts.pages.currentWidget() is window.podcasts.empty
    window.actions_by_name["show_podcasts"].trigger()
    assert window.left_tabs.currentWidget() is window.podcasts

    window.podcast_control.subscribe(feed_server.url("/feed.xml"))
    wait_for_jobs(qtbot, window)
    assert tree_rows(window) == [
        (
            "Speeches & Talks\n2 episodes",
            [
                ("Again", "2026-12-02 · 0:11 · not downloaded"),
                ("Ask Not", "2026-12-01 · 0:11 · not downloaded"),
            ],
        )
    ]
    assert "Speeches & Talks: subscribed, 2 episodes, 2 new episodes" in window.banner.text()

    # Enter on "Ask Not": downloaded (progress in the status bar), its transcript read.
    feed_server.set_fault("/media/ep1.mp3", Fault(chunk_size=16 * 1024, chunk_delay=0.02))
    shown: list[str] = []
    show_download = window.job_status.show_download

    def watch(progress, title) -> None:
        show_download(progress, title)
        shown.append(window.job_status.label.text())

    window.job_status.show_download = watch
    row = window.podcasts.item_row(window.session.library.show_items(1)[1].id)
    assert row is not None and row.text(0).startswith("Ask Not\n")
    window.podcasts.tree.itemActivated.emit(row, 0)
    wait_for_jobs(qtbot, window)
    assert shown and shown[0].startswith("Downloading “Ask Not”: ")
    assert window.session.current is not None and window.session.current.title == "Ask Not"
    model = window.transcript.model()
    assert model.rowCount() == 2 and model.segment(0).speaker == "John F. Kennedy"
    assert ("Ask Not", "2026-12-01 · 0:11 · in the library") in tree_rows(window)[0][1]

    # "Again" has no transcript: transcribed, and read while it is being transcribed.
    head = media.sample_head(feed_mp3.parent, 90)
    feed_server.add("/media/ep2.mp3", head, content_type="audio/mpeg")
    seen: list[tuple[int, float]] = []

    def rows_then(progress) -> None:
        seen.append((window.transcript.model().rowCount(), progress.fraction))

    window.session.transcription_progress.connect(rows_then)
    again = window.podcasts.item_row(window.session.library.show_items(1)[0].id)
    window.podcasts.tree.itemActivated.emit(again, 0)
    wait_for_jobs(qtbot, window)
    window.session.transcription_progress.disconnect(rows_then)
    assert window.session.current.title == "Again"
    assert any(rows > 0 and fraction < 0.9 for rows, fraction in seen), seen
    assert window.transcript.model().rowCount() > 10

    # At the next refresh, a show set to "automatically" gets its new episode by itself.
    window.podcast_control.set_auto(1, True)
    other = media.convert(media.AUDIO_DATA / "jfk.flac", "m4a", feed_mp3.parent)
    feed_server.add("/media/ep3.mp3", other, content_type="audio/mp4")
    feed = [item_xml(feed_server, 3, "Third"), item_xml(feed_server, 1, "Ask Not")]
    feed_server.change(
        "/feed.xml", feed_xml(feed_server, [*feed, item_xml(feed_server, 2, "Again")])
    )
    window.actions_by_name["refresh_feeds"].trigger()
    qtbot.waitUntil(lambda: len(window.session.episodes()) == 3, timeout=120_000)
    wait_for_jobs(qtbot, window)
    third = next(r for r in tree_rows(window)[0][1] if r[0] == "Third")
    assert third == ("Third", "2026-12-03 · 0:11 · in the library")
    assert window.session.current.title == "Again"  # not taken away from the reader

    window.podcast_control.remove(1)
    assert tree_rows(window) == []
    with Library.open(tmp_path / "lib" / "library.sqlite3") as library:
        assert sorted(e.title for e in library.episodes()) == ["Again", "Ask Not", "Third"]


def test_a_dead_feed_says_why_and_adds_nothing(
    make_window,
    qtbot,
    feed_server: FileServer,
    tmp_path: Path,
) -> None:
    window = make_window(tmp_path / "library.sqlite3")
    window.podcast_control.subscribe(feed_server.url("/nothing-here.xml"))
    wait_for_jobs(qtbot, window)
    assert window.banner.level == "error"
    assert "not found (HTTP 404)" in window.banner.text()
    assert tree_rows(window) == []


def test_cancel_stops_a_download_and_the_next_try_resumes_it(
    make_window, qtbot, feed_server: FileServer, feed_mp3: Path, tmp_path: Path
) -> None:
    window = make_window(tmp_path / "library.sqlite3")
    window.podcast_control.subscribe(feed_server.url("/feed.xml"))
    wait_for_jobs(qtbot, window)
    size = feed_mp3.stat().st_size
    feed_server.set_fault("/media/ep2.mp3", Fault(chunk_size=8 * 1024, chunk_delay=0.05))
    cancelled: list[bool] = []

    def cancel_once(progress, title) -> None:
        if progress.done > size // 4 and not cancelled:
            cancelled.append(True)
            window.job_status.cancel_button.click()

    window.job_status.show_download = cancel_once
    again = window.session.library.show_items(1)[0]
    window.podcast_control.get(again.id, open_when_ready=True)
    wait_for_jobs(qtbot, window)
    assert cancelled and window.banner.level == "info"
    assert "cancelled" in window.banner.text() and "kept to resume later" in window.banner.text()
    assert window.session.library.show_item(again.id).episode_id is None

    feed_server.set_fault("/media/ep2.mp3", None)
    window.podcast_control.get(again.id, open_when_ready=True)
    wait_for_jobs(qtbot, window)
    assert window.session.current is not None and window.session.current.title == "Again"
    last = feed_server.requests("/media/ep2.mp3")[-1]
    assert last.range is not None and int(last.range[6:-1]) > size // 4
