"""Export from the window: the save dialog asks before replacing; Copy as Markdown."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication, QFileDialog

from desktop.core.importers import load_transcript
from desktop.ui import export
from tests.ui.test_window import CORPUS_VTT


def open_corpus(qtbot, make_window):
    window = make_window()
    window.open_paths([CORPUS_VTT])
    qtbot.waitUntil(lambda: window.transcript.model().rowCount() > 900, timeout=20_000)
    return window


def test_the_save_dialog_confirms_overwrites_and_offers_every_format(qtbot, make_window) -> None:
    window = open_corpus(qtbot, make_window)
    dialog = export.save_dialog(window, window.session.library, 1, window.state)
    assert dialog.acceptMode() == QFileDialog.AcceptMode.AcceptSave
    assert not dialog.testOption(QFileDialog.Option.DontConfirmOverwrite)
    assert dialog.nameFilters() == list(export.FILTERS.values())
    assert dialog.defaultSuffix() == "md"
    assert export.format_of(export.FILTERS["srt"]) == "srt"


def test_export_writes_the_chosen_file_and_remembers_the_folder(
    qtbot, make_window, tmp_path: Path
) -> None:
    window = open_corpus(qtbot, make_window)
    target = tmp_path / "out" / "talk.srt"
    target.parent.mkdir()
    target.write_text("old")
    written = export.export_chosen(window.session.library, 1, target, "srt", window.state)
    assert written == target
    assert len(load_transcript(target).segments) == window.transcript.model().rowCount()
    assert window.state.value("export_folder") == str(target.parent)


def test_copy_as_markdown(qtbot, make_window) -> None:
    window = open_corpus(qtbot, make_window)
    window.actions_by_name["copy_markdown"].trigger()
    text = QApplication.clipboard().text()
    assert text.startswith("---\n")
    assert window.transcript.model().segment(5).text.split()[0] in text
    assert "Copied the episode as Markdown" in window.statusBar().currentMessage()


def test_export_actions_need_an_episode(make_window) -> None:
    window = make_window()
    assert not window.actions_by_name["export"].isEnabled()
    assert not window.actions_by_name["copy_markdown"].isEnabled()
