"""One window per library: a second `earmark FILE...` (a real process) hands its files to
the running window and exits 0; `--new-window` opts out; a stale socket does not block."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.store import Library
from desktop.ui import single_instance as si
from desktop.ui.app import serve_window
from tests.ui.conftest import ROOT

VTT = """WEBVTT

00:00:00.000 --> 00:00:04.000
{text} opens the episode.

00:00:04.000 --> 00:00:09.000
Then {text} says something else entirely.
"""


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    # Short, in /tmp: a socket's path must fit 108 bytes, and pytest's tmp_path may not.
    folder = Path(tempfile.mkdtemp(prefix="em-run-", dir="/tmp"))
    folder.chmod(0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))  # the second process inherits it
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def library_path(earmark_home: Path) -> Path:
    """The library `python -m desktop` opens with this EARMARK_HOME."""
    earmark_home.mkdir(parents=True, exist_ok=True)
    return earmark_home / "library.sqlite3"


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen]]:
    started: list[subprocess.Popen] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def served_window(qtbot, make_window, library_path: Path, runtime: Path):
    """A window that listens, as `earmark` alone would start it."""
    claimed = si.claim(library_path, [])
    assert not claimed.handed_over and claimed.server is not None
    window = make_window(library_path)
    serve_window(claimed.server, window)
    yield window, claimed.server
    claimed.server.close()


def earmark(args: list[str], processes: list[subprocess.Popen], cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    processes.append(process)
    return process


def transcript(folder: Path, name: str) -> Path:
    path = folder / f"{name}.vtt"
    path.write_text(VTT.format(text=name.capitalize()), encoding="utf-8")
    return path


def test_second_process_hands_files_to_the_running_window(
    qtbot, served_window, processes, tmp_path: Path
) -> None:
    window, server = served_window
    transcript(tmp_path, "first")
    transcript(tmp_path, "second")
    received: list[list[Path]] = []
    server.paths_received.connect(received.append)

    # Relative paths, as a shell passes them: made absolute against the sender's folder.
    second = earmark(["first.vtt", "second.vtt"], processes, cwd=tmp_path)
    qtbot.waitUntil(lambda: second.poll() is not None, timeout=60_000)
    output = second.stdout.read().decode()
    assert second.returncode == 0, output
    assert received == [[tmp_path / "first.vtt", tmp_path / "second.vtt"]]

    # Both open in this window; the last one is shown.
    qtbot.waitUntil(lambda: window.library_panel.model.rowCount() == 2, timeout=30_000)
    qtbot.waitUntil(
        lambda: window.session.current is not None and window.session.current.title == "second",
        timeout=30_000,
    )
    assert window.isVisible()


def test_a_malformed_message_changes_nothing(
    qtbot, served_window, processes, tmp_path: Path
) -> None:
    window, server = served_window
    from PySide6.QtNetwork import QLocalSocket

    client = QLocalSocket()
    client.connectToServer(server.name)
    with qtbot.waitSignal(server.ignored, timeout=10_000):
        client.write(b'{"version": 1, "paths": "/etc/passwd"}\n')
    assert window.library_panel.model.rowCount() == 0 and window.session.current is None

    transcript(tmp_path, "after")  # the server still answers a good one
    second = earmark([str(tmp_path / "after.vtt")], processes, cwd=tmp_path)
    qtbot.waitUntil(lambda: second.poll() is not None, timeout=60_000)
    assert second.returncode == 0
    qtbot.waitUntil(lambda: window.library_panel.model.rowCount() == 1, timeout=30_000)


def test_new_window_does_not_hand_over(
    qtbot, served_window, processes, tmp_path: Path, library_path: Path
) -> None:
    window, server = served_window
    received: list[list[Path]] = []
    server.paths_received.connect(received.append)
    own = transcript(tmp_path, "own")

    other = earmark(["--new-window", str(own)], processes, cwd=tmp_path)

    def imported_by_the_other_window() -> bool:
        with Library.open(library_path) as library:
            return any(e.title == "own" for e in library.episodes())

    # The other process opened its own window: it imported the file into the shared library.
    qtbot.waitUntil(imported_by_the_other_window, timeout=60_000)
    assert other.poll() is None, other.stdout.read().decode()  # and it stays up
    assert received == []
    assert window.session.current is None


def test_start_up_over_a_stale_socket(
    qtbot, processes, library_path: Path, runtime: Path, tmp_path: Path
) -> None:
    name = si.server_name(library_path)
    assert name is not None
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(name)  # left by a window that crashed
    dead.close()

    first = earmark([], processes, cwd=tmp_path)
    # The new window removes the stale file and listens: a hand-over reaches it.
    qtbot.waitUntil(
        lambda: first.poll() is not None or si.send_paths(name, []) is si.Delivery.DELIVERED,
        timeout=60_000,
    )
    assert first.poll() is None, first.stdout.read().decode()


def test_a_file_opened_from_the_finder_opens_in_the_window(
    qtbot, make_window, tmp_path: Path
) -> None:
    """macOS delivers double-clicked files as QFileOpenEvents; the window opens them."""
    from PySide6.QtGui import QFileOpenEvent
    from PySide6.QtWidgets import QApplication

    from desktop.ui.app import FileOpenFilter

    window = make_window()
    app = QApplication.instance()
    watcher = FileOpenFilter(window)
    app.installEventFilter(watcher)
    try:
        QApplication.sendEvent(app, QFileOpenEvent(str(transcript(tmp_path, "finder"))))
        qtbot.waitUntil(
            lambda: window.session.current is not None and window.session.current.title == "finder",
            timeout=30_000,
        )
    finally:
        app.removeEventFilter(watcher)
