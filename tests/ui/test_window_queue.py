"""The Queue tab over real files and the real engine: a folder becomes a queue in name
order; the user moves, pauses, cancels and retries entries; a file that is not media fails
alone with its reason; and the queue, kept in the library, goes on after a restart (an
entry a killed Earmark left running included)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from desktop.core.model import QueueState
from desktop.core.store import Library
from tests import media_fixtures as media

pytestmark = pytest.mark.timeout(240)


def states(window) -> dict[str, QueueState]:  # type: ignore[no-untyped-def]
    return {e.title: e.state for e in window.session.queue.entries()}


def pick(window, title: str) -> int:  # type: ignore[no-untyped-def]
    """Select the entry in the pane, as a click does; its id."""
    entry = next(e for e in window.queue_pane.entries if e.title == title)
    window.queue_pane.select(entry.id)
    return entry.id


def idle(window) -> bool:  # type: ignore[no-untyped-def]
    return not any(s in (QueueState.WAITING, QueueState.RUNNING) for s in states(window).values())


def test_a_folder_is_a_queue_the_user_orders(
    make_window, qtbot, tmp_path: Path, feed_mp3: Path
) -> None:
    folder = tmp_path / "backlog"
    folder.mkdir()
    shutil.copy(media.AUDIO_DATA / "joinly_OSR_us_000_0034_8k.wav", folder / "1-harvard.wav")
    shutil.copy(feed_mp3, folder / "2-jfk.mp3")
    shutil.copy(media.AUDIO_DATA / "jfk.flac", folder / "3-jfk.flac")
    (folder / "4-broken.mp3").write_text("these are not the sounds you are looking for")
    window = make_window()
    window.actions_by_name["show_queue"].trigger()
    pane = window.queue_pane
    assert window.left_tabs.currentWidget() is pane
    window.open_paths([folder])
    assert [e.title for e in pane.entries] == [
        "1-harvard.wav", "2-jfk.mp3", "3-jfk.flac", "4-broken.mp3"
    ]  # fmt: skip
    assert window.left_tabs.tabText(window.left_tabs.indexOf(pane)) == "Queue (4)"

    # While the first runs: pause it, move 3 before 2, cancel the broken one.
    qtbot.waitUntil(lambda: states(window)["1-harvard.wav"] is QueueState.RUNNING)
    pick(window, "1-harvard.wav")
    pane.buttons["pause"].click()
    pick(window, "3-jfk.flac")
    assert pane.buttons["up"].isEnabled()
    pane.buttons["up"].click()
    assert [e.title for e in pane.entries if e.active][:3] == [
        "1-harvard.wav", "3-jfk.flac", "2-jfk.mp3"
    ]  # fmt: skip
    pick(window, "4-broken.mp3")
    pane.buttons["cancel"].click()
    qtbot.waitUntil(lambda: idle(window), timeout=180_000)
    assert states(window) == {
        "1-harvard.wav": QueueState.HELD,
        "3-jfk.flac": QueueState.DONE,
        "2-jfk.mp3": QueueState.DONE,
        "4-broken.mp3": QueueState.CANCELLED,
    }
    with Library.open(window.session.library.path) as library:
        done = [e for e in library.queue_entries() if e.state is QueueState.DONE]
        assert done[0].ended <= done[1].ended and done[0].title == "3-jfk.flac"  # moved up
        assert all(e.engine == "tiny.en" and e.episode_id for e in done)
        texts = " ".join(s.text for s in library.segments(done[0].episode_id))
        assert "ask not what your country can do for you" in texts.lower()

    # Resume the paused one (it goes on from what it kept) and retry the cancelled one:
    # it is not media, so it fails, alone, saying why.
    pick(window, "1-harvard.wav")
    assert pane.buttons["pause"].text() == "Resume"
    pane.buttons["pause"].click()
    pick(window, "4-broken.mp3")
    pane.buttons["retry"].click()
    qtbot.waitUntil(lambda: idle(window), timeout=180_000)
    assert states(window)["1-harvard.wav"] is QueueState.DONE
    assert states(window)["4-broken.mp3"] is QueueState.FAILED
    failed = next(e for e in pane.entries if e.title == "4-broken.mp3")
    assert failed.error and "4-broken.mp3" in failed.error
    assert window.left_tabs.tabText(window.left_tabs.indexOf(pane)) == "Queue"
    pane.buttons["clear"].click()
    assert pane.entries == [] and pane.pages.currentWidget() is pane.empty


def test_the_queue_goes_on_after_a_restart(make_window, qtbot, tmp_path: Path) -> None:
    """As after a kill -9: one entry still marked running, one waiting, one paused."""
    files = []
    for name in ("jfk.flac", "joinly_OSR_us_000_0034_8k.wav"):
        files.append(tmp_path / name)
        shutil.copy(media.AUDIO_DATA / name, files[-1])
    path = tmp_path / "library.sqlite3"
    with Library.open(path) as library:
        killed, _ = library.queue_add("media", str(files[0]), files[0].name)
        library.queue_set(killed.id, QueueState.RUNNING)
        library.queue_add("media", str(files[1]), files[1].name)
        held, _ = library.queue_add("media", str(tmp_path / "later.mp3"), "later.mp3")
        library.queue_set(held.id, QueueState.HELD)
    window = make_window(path)
    qtbot.waitUntil(
        lambda: states(window)["joinly_OSR_us_000_0034_8k.wav"] is QueueState.DONE,
        timeout=180_000,
    )
    assert states(window) == {
        "jfk.flac": QueueState.DONE,
        "joinly_OSR_us_000_0034_8k.wav": QueueState.DONE,
        "later.mp3": QueueState.HELD,
    }
    assert [e.title for e in window.session.episodes()] and len(window.session.episodes()) == 2
    # Asked for again (Resume, or opened again), a paused entry goes on: this one is gone.
    window.session.queue.add("media", str(tmp_path / "later.mp3"), "later.mp3")
    qtbot.waitUntil(lambda: states(window)["later.mp3"] is QueueState.FAILED, timeout=30_000)


def test_with_a_whisper_server_two_files_run_at_once(
    make_window, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real faster-whisper-server configured: this computer and the server each take
    a file; the status bar adds them up; each entry says which engine made it."""
    from tests.whisper_server import whisper_server

    folder = tmp_path / "two"
    folder.mkdir()
    shutil.copy(media.AUDIO_DATA / "joinly_OSR_us_000_0034_8k.wav", folder / "1-harvard.wav")
    shutil.copy(media.AUDIO_DATA / "jfk.flac", folder / "2-jfk.flac")
    with whisper_server() as (url, _process):
        monkeypatch.setenv("EARMARK_STT_SERVERS", url)
        window = make_window()
        assert window.session.queue.slots() == ["local", url]
        together: list[int] = []
        said: list[str] = []

        def watch() -> None:
            together.append(sum(s is QueueState.RUNNING for s in states(window).values()))
            said.append(window.job_status.label.text())

        window.session.queue.changed.connect(watch)
        window.session.transcription_progress.connect(lambda _p: watch())
        window.open_paths([folder])
        qtbot.waitUntil(lambda: idle(window), timeout=120_000)
    entries = {e.title: e for e in window.session.queue.entries()}
    assert {e.state for e in entries.values()} == {QueueState.DONE}
    assert max(together) == 2  # at once, one on each engine
    assert {entries["1-harvard.wav"].engine, entries["2-jfk.flac"].engine} == {
        "tiny.en", url.split("://")[1]
    }  # fmt: skip
    assert any(text.startswith("Transcribing 2 files: ") for text in said), said
    with Library.open(window.session.library.path) as library:
        jfk = entries["2-jfk.flac"].episode_id
        text = " ".join(s.text for s in library.segments(jfk)).lower()
        assert "ask not what your country can do for you" in text


def test_a_server_that_cannot_be_reached_is_set_aside_and_its_file_goes_on_here(
    make_window, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on: a server that is down
        probe.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{probe.getsockname()[1]}"
    monkeypatch.setenv("EARMARK_STT_SERVERS", down)
    folder = tmp_path / "two"
    folder.mkdir()
    shutil.copy(media.AUDIO_DATA / "joinly_OSR_us_000_0034_8k.wav", folder / "1-harvard.wav")
    shutil.copy(media.AUDIO_DATA / "jfk.flac", folder / "2-jfk.flac")
    window = make_window()
    window.open_paths([folder])
    qtbot.waitUntil(lambda: idle(window), timeout=120_000)
    entries = {e.title: e for e in window.session.queue.entries()}
    assert {e.state for e in entries.values()} == {QueueState.DONE}
    assert {e.engine for e in entries.values()} == {"tiny.en"}  # both made here
    assert window.session.queue.slots() == ["local"]  # the server rests for 30 s
    assert window.banner.level == "warning" and "is set aside for 30 s" in window.banner.text()
    assert "cannot reach the transcription server" in window.banner.text()


def test_a_watched_folder_queues_new_media_once_it_has_settled(
    make_window, qtbot, tmp_path: Path
) -> None:
    """Settings name a folder: a file Earmark never transcribed that is already there is
    queued at start; a file copied in later is queued once its size holds; a file that
    is not media, a hidden one and one queued before are left alone."""
    from desktop.core.settings import Settings, load_settings, save_settings

    inbox = tmp_path / "inbox"
    (inbox / "later").mkdir(parents=True)
    shutil.copy(media.AUDIO_DATA / "jfk.flac", inbox / "there-before.flac")
    (inbox / "notes.txt").write_text("not media")
    (inbox / ".hidden.mp3").write_text("not looked at")
    save_settings(Settings(watch_folder=str(inbox)))
    window = make_window()
    pane = window.queue_pane
    assert pane.watched == inbox and pane.watch_label.text() == f"Watching {inbox}"
    qtbot.waitUntil(
        lambda: states(window).get("there-before.flac") is QueueState.DONE, timeout=60_000
    )
    # A file arriving in a subfolder, written in two steps as a download is.
    arriving = inbox / "later" / "harvard.wav"
    data = (media.AUDIO_DATA / "joinly_OSR_us_000_0034_8k.wav").read_bytes()
    arriving.write_bytes(data[: len(data) // 2])
    qtbot.wait(500)
    with arriving.open("ab") as rest:
        rest.write(data[len(data) // 2 :])
    qtbot.waitUntil(lambda: states(window).get("harvard.wav") is QueueState.DONE, timeout=60_000)
    assert set(states(window)) == {"there-before.flac", "harvard.wav"}
    with Library.open(window.session.library.path) as library:
        (episode,) = [e for e in library.episodes() if e.title.lower().startswith("harvard")]
        assert abs(episode.duration - 33.6) < 2  # the whole file, not the half first seen
    # Stop watching: kept in the settings; the folder is no longer looked at.
    pane.watch_button.click()
    assert pane.watched is None and load_settings().watch_folder is None
