"""Library search in the window: results as you type, a result opens its moment."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop.ui.search.model import ResultsModel, split_marks
from tests.ui.test_window import CORPUS_VTT, DATA


def test_snippet_marks_become_ranges_not_markup() -> None:
    text, ranges = split_marks("the \x02self\x03 <b>play</b> \x02game\x03")
    assert text == "the self <b>play</b> game"
    assert ranges == [(4, 4), (21, 4)]


def test_results_as_you_type_and_a_result_opens_its_moment(qtbot, make_window) -> None:
    window = make_window()
    window.open_paths([CORPUS_VTT, DATA / "importers" / "9EN_HoEk3KY.srt"])
    qtbot.waitUntil(lambda: window.library_panel.model.rowCount() == 2, timeout=30_000)
    window.actions_by_name["search_library"].trigger()
    pane = window.search_pane
    assert window.left_tabs.currentWidget() is pane and pane.edit.hasFocus()
    qtbot.keyClicks(pane.edit, "self pla")  # the last word is a prefix while typing
    qtbot.waitUntil(lambda: pane.model.rowCount() > 0 and pane.idle(), timeout=10_000)
    hits = [pane.model.index(r).data(ResultsModel.HitRole) for r in range(pane.model.rowCount())]
    assert {h.episode_id for h in hits} == {1, 2}
    assert all("self" in h.text.lower() for h in hits)
    target = next(h for h in hits if h.episode_id == 2 and h.start > 60)
    row = hits.index(target)
    window.session.open_episode(1)
    pane.list_view.setCurrentIndex(pane.model.index(row))
    qtbot.keyClick(pane.list_view, Qt.Key.Key_Return)
    assert window.session.current.id == 2
    model = window.transcript.model()
    assert model.current_row() == target.segment_idx
    assert window.reading_position == pytest.approx(target.start)


def test_the_episode_filter_and_no_results(qtbot, make_window) -> None:
    window = make_window()
    window.open_paths([CORPUS_VTT, DATA / "importers" / "9EN_HoEk3KY.srt"])
    qtbot.waitUntil(lambda: window.library_panel.model.rowCount() == 2, timeout=30_000)
    pane = window.search_pane
    assert pane.scope.count() == 3  # all episodes, and each one

    def results() -> list:
        qtbot.waitUntil(pane.idle, timeout=10_000)
        return [
            pane.model.index(r).data(ResultsModel.HitRole) for r in range(pane.model.rowCount())
        ]

    pane.edit.setText("self play")
    pane.search_now()
    everywhere = results()
    assert {h.episode_id for h in everywhere} == {1, 2}
    # Choosing one episode in the box searches that episode only, at once.
    pane.scope.setCurrentIndex(pane.scope.findData(2))
    assert pane.scope.currentText() == window.session.library.episode(2).title
    only = results()
    assert only and {h.episode_id for h in only} == {2}
    assert {(h.segment_idx, h.text) for h in only} == {
        (h.segment_idx, h.text) for h in everywhere if h.episode_id == 2
    }
    assert pane.status.text() == f"{len(only)} results"
    # The choice stays when the library list is reloaded (a transcription adds an episode).
    window.reload_library()
    assert pane.scope.currentData() == 2
    pane.edit.setText("self play")
    pane.search_now()
    assert {h.episode_id for h in results()} == {2}

    pane.edit.setText("zzzqqxj")
    pane.search_now()
    qtbot.waitUntil(pane.idle, timeout=10_000)
    assert pane.status.text() == "No results"
    pane.edit.setText("a")  # a one-letter prefix would match most of a library
    pane.search_now()
    assert pane.status.text() == "Type at least two letters" and pane.model.rowCount() == 0
    pane.edit.setText("AND")  # a lone operator word is a word
    pane.search_now()
    qtbot.waitUntil(pane.idle, timeout=10_000)
    assert pane.model.rowCount() > 0
