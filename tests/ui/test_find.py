"""Find in the episode: counts, next/previous, every match marked, Esc closes."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.core.model import Segment
from desktop.ui.transcript.find import find_matches
from desktop.ui.transcript.model import SegmentListModel
from tests.ui.test_window import CORPUS_VTT


def test_find_matches_are_literal_and_case_insensitive() -> None:
    segments = [Segment(0, 1, "Self play, self-play."), Segment(1, 2, "C++ (and C)")]
    assert [(m.row, m.start, m.end) for m in find_matches(segments, "SELF")] == [
        (0, 0, 4),
        (0, 11, 15),
    ]
    assert [(m.row, m.start) for m in find_matches(segments, "c++ (")] == [(1, 0)]
    assert find_matches(segments, "   ") == []


def test_find_bar_counts_navigates_and_marks(qtbot, make_window) -> None:
    window = make_window()
    window.open_paths([CORPUS_VTT])
    qtbot.waitUntil(lambda: window.transcript.model().rowCount() > 900, timeout=20_000)
    model = window.transcript.model()
    expected = sum(s.text.lower().count("reinforcement") for s in model.segments())
    assert expected > 5
    window.actions_by_name["find"].trigger()
    bar = window.find_bar
    assert bar.isVisible() and bar.edit.hasFocus()
    qtbot.keyClicks(bar.edit, "Reinforcement")
    qtbot.waitUntil(lambda: bar.count_label.text().endswith(f"of {expected}"), timeout=3_000)
    first = bar.current
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert bar.current == (first + 1) % expected
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert bar.current == first
    window.actions_by_name["find_next"].trigger()  # F3
    assert bar.current == (first + 1) % expected
    match = bar.matches[bar.current]
    row_marks = model.index(match.row).data(SegmentListModel.FindRole)
    assert (match.start, match.end, True) in row_marks
    marked = sum(
        len(model.index(r).data(SegmentListModel.FindRole)) for r in range(model.rowCount())
    )
    assert marked == expected  # every match is marked, not only the current one
    rect = window.transcript.list_view.visualRect(model.index(match.row))
    assert window.transcript.list_view.viewport().rect().intersects(rect)
    qtbot.keyClick(bar.edit, Qt.Key.Key_Escape)
    assert not bar.isVisible()
    assert model.index(match.row).data(SegmentListModel.FindRole) == []


def test_no_matches_says_so(qtbot, make_window) -> None:
    window = make_window()
    window.open_paths([CORPUS_VTT])
    qtbot.waitUntil(lambda: window.transcript.model().rowCount() > 900, timeout=20_000)
    window.find_bar.open_bar()
    window.find_bar.edit.setText("zzzxqj")
    window.find_bar.search()
    assert window.find_bar.count_label.text() == "No matches"
    assert not window.find_bar.next_button.isEnabled()
