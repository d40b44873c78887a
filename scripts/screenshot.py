"""Screenshots of the window's main states, for the README and for looking at changes.

Runs the real window on a virtual screen (it starts Xvfb itself when no DISPLAY is set)
with a fresh temporary library, drives it as a user would, and saves PNGs:

    docs/screenshots/empty.png         the empty library
    docs/screenshots/transcribing.png  the sample being transcribed: live rows, time left
    docs/screenshots/playing.png       the sample with insights, playing (segment + word)
    docs/screenshots/find.png          find in the episode, every match marked
    docs/screenshots/search.png        library search results
    docs/screenshots/podcasts.png      a show by its feed (served on 127.0.0.1), its episodes
    docs/screenshots/queue.png         a folder queued: done, transcribing, moved, paused
    docs/screenshots/notes.png         a note, an edited row, the in-place editor open
    docs/screenshots/settings.png      the settings dialog
    docs/screenshots/dark.png          the same in the dark palette

    .venv/bin/python scripts/screenshot.py [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def ensure_display() -> subprocess.Popen | None:
    if os.environ.get("DISPLAY") or os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        return None
    if shutil.which("Xvfb") is None:
        sys.exit("screenshot: needs Xvfb (apt-get install xvfb) or a DISPLAY")
    server = subprocess.Popen(
        ["Xvfb", ":97", "-screen", "0", "1440x900x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.environ["DISPLAY"] = ":97"
    time.sleep(1.0)
    return server


def wait_until(app, condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("screenshot: timed out waiting for the window")
        app.processEvents()
        time.sleep(0.02)


def settle(app, seconds: float = 0.4) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def shoot(window, path: Path) -> None:
    window.grab().save(str(path))
    print(f"screenshot: {path}")


def build_window(app, home: Path):
    from desktop.core.store import Library
    from desktop.ui.main_window import MainWindow
    from desktop.ui.session import Session

    library = Library.open(home / "library.sqlite3")
    window = MainWindow(Session(library))
    window.resize(1360, 840)
    window.show()
    settle(app)
    return window


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    server = ensure_display()
    home = Path(tempfile.mkdtemp(prefix="earmark-shots-"))
    os.environ["EARMARK_HOME"] = str(home)
    try:
        return take(args.out, home)
    finally:
        if server is not None:
            server.terminate()
        shutil.rmtree(home, ignore_errors=True)


def take(out: Path, home: Path) -> int:
    from desktop.ui.app import apply_theme, make_application
    from desktop.ui.opening import sample_path

    app = make_application()
    window = build_window(app, home)
    shoot(window, out / "empty.png")

    window.open_paths([sample_path()])
    model = window.transcript.model()
    wait_until(app, lambda: model.rowCount() >= 12, timeout=120)
    shoot(window, out / "transcribing.png")

    wait_until(app, lambda: bool(window.insights.section_texts().get("key_insights")), 240)
    wait_until(app, lambda: window.player.duration() > 0, timeout=30)
    row = min(8, model.rowCount() - 1)
    segment = model.segment(row)
    words = model.words(row) or []
    moment = (words[len(words) // 2].start + 0.05) if words else segment.start
    window.seek(moment)
    settle(app, 0.8)
    shoot(window, out / "playing.png")

    window.find_bar.open_bar()
    window.find_bar.edit.setText("engineering")
    window.find_bar.search()
    settle(app, 0.5)
    shoot(window, out / "find.png")
    window.find_bar.close_bar()

    window.show_search()
    window.search_pane.edit.setText("NASA")
    window.search_pane.search_now()
    wait_until(app, window.search_pane.idle, timeout=30)
    settle(app, 0.5)
    shoot(window, out / "search.png")

    shoot_podcasts(app, window, out / "podcasts.png")
    shoot_queue(app, window, home, out / "queue.png")

    window.left_tabs.setCurrentIndex(0)
    episode = window.session.current.id
    window.session.add_note(
        episode, "Ask about the <MDL> experiments for the next episode.", at=model.segment(20).start
    )
    window.session.edit_segment(
        episode, 14, "So I did my undergraduate at Old Dominion University."
    )
    window.seek(model.segment(12).start + 0.1)
    window.transcript.edit_row(17)
    settle(app, 0.8)
    shoot(window, out / "notes.png")
    window.transcript.list_view.setFocus()  # closes the editor, keeping the text
    settle(app, 0.3)

    from desktop.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(window)
    dialog.show()
    settle(app, 0.5)
    shoot(dialog, out / "settings.png")
    dialog.close()
    window.left_tabs.setCurrentIndex(0)

    os.environ["EARMARK_THEME"] = "dark"
    apply_theme(app)
    window.close()
    window.session.shutdown()
    dark = build_window(app, home)
    dark.restore_last_episode()
    wait_until(app, lambda: dark.player.duration() > 0, timeout=30)
    dark.seek(moment)
    settle(app, 0.8)
    shoot(dark, out / "dark.png")
    dark.close()
    dark.session.shutdown()
    return 0


def shoot_queue(app, window, home: Path, path: Path) -> None:
    """A folder of recordings queued: one done, one transcribing with its time left (in
    the tab and the status bar), one moved up, one paused; then everything cancelled."""
    from desktop.core.model import QueueState

    folder = home / "backlog"
    folder.mkdir()
    audio = ROOT / "tests" / "data" / "audio"
    shutil.copy(audio / "jfk.flac", folder / "01 Inaugural address (excerpt).flac")
    # The sample's first three minutes: another file than the sample already opened.
    subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(sample_media()), "-t", "180", "-c", "copy",
         str(folder / "02 Science in Space (part 1).mp3")],
        check=True,
    )  # fmt: skip
    shutil.copy(audio / "joinly_OSR_us_000_0034_8k.wav", folder / "03 Harvard sentences.wav")
    shutil.copy(audio / "jfk.flac", folder / "04 Inaugural address (again).flac")
    window.open_paths([folder])
    window.show_left(window.queue_pane)
    queue, pane = window.session.queue, window.queue_pane

    def entry(prefix: str):
        return next(e for e in queue.entries() if e.title.startswith(prefix))

    wait_until(app, lambda: entry("01").state is QueueState.RUNNING, timeout=120)
    pane.select(entry("04").id)
    pane.buttons["up"].click()  # before 03
    pane.select(entry("03").id)
    pane.buttons["pause"].click()
    wait_until(app, lambda: entry("02").state is QueueState.RUNNING, timeout=120)
    wait_until(app, lambda: "left" in pane.progress.get(entry("02").id, ""), timeout=60)
    pane.select(entry("02").id)
    settle(app, 1.0)
    shoot(window, path)
    window.session.cancel_all_transcriptions()
    wait_until(app, lambda: not window.session.runner.jobs("transcribe"), timeout=60)


def sample_media() -> Path:
    from desktop.ui.opening import sample_path

    return sample_path()


def shoot_podcasts(app, window, path: Path) -> None:
    """The Podcasts tab with a show from a feed served here (the test suite's feed: two
    episodes, one with the publisher's transcript), nothing fetched from elsewhere."""
    from tests.feed_server import jfk_mp3, stock_show
    from tests.http_files import serve_files

    audio = jfk_mp3(ROOT / "bench" / ".cache" / "media")
    with serve_files() as server:
        stock_show(server, audio)
        window.podcast_control.subscribe(server.url("/feed.xml"))
        wait_until(app, lambda: not window.session.runner.jobs("feeds"), timeout=30)
        settle(app, 0.5)
    shoot(window, path)


if __name__ == "__main__":
    sys.exit(main())
