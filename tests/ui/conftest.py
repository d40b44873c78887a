"""Fixtures for driving the real window: a library file, a Session and a MainWindow.

The sample episode (the real NASA interview) is transcribed once per test session into a
library file that each test copies, so tests that need a transcribed episode with media
and word timings do not each pay for the transcription.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop.core.store import Library
from desktop.services.opening import engine_choice
from desktop.services.transcription import transcribe_media
from desktop.ui.app import make_application
from desktop.ui.main_window import MainWindow
from desktop.ui.opening import sample_path
from desktop.ui.session import Session

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


@pytest.fixture(scope="session")
def sample_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library holding the transcribed sample episode (id 1) and its insights."""
    from desktop.services.insights import generate_insights

    path = tmp_path_factory.mktemp("sample") / "library.sqlite3"
    with Library.open(path) as library:
        choice = engine_choice()
        result = transcribe_media(library, sample_path(), choice.loader(), choice.options)
        generate_insights(library, result.episode.id)
    return path


@pytest.fixture
def make_window(qtbot, tmp_path: Path) -> Iterator[Callable[..., MainWindow]]:
    """Build windows over a library file; each is closed (and its jobs stopped) after."""
    make_application()
    windows: list[MainWindow] = []
    libraries: list[Library] = []

    def build(library_path: Path | None = None) -> MainWindow:
        library = Library.open(library_path or tmp_path / "library.sqlite3")
        libraries.append(library)
        window = MainWindow(Session(library))
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield build
    for window in windows:
        window.session.shutdown(timeout=30)
    for library in libraries:
        library.close()


@pytest.fixture
def sample_copy(sample_library: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy" / "library.sqlite3"
    target.parent.mkdir()
    with Library.open(sample_library) as source:  # checkpoint the WAL into the main file
        source.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(sample_library, target)
    return target
