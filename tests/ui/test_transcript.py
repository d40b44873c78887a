"""The transcript view: model playhead, word marks, follow mode, seeking, literal text, scale."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QPoint, QPointF, Qt
from PySide6.QtGui import QHelpEvent, QKeySequence, QWheelEvent
from PySide6.QtWidgets import QAbstractSlider, QApplication, QListView, QToolTip

from desktop.core.importers import load_transcript
from desktop.core.model import Segment, Word
from desktop.core.timecode import short
from desktop.ui.transcript import view as view_module
from desktop.ui.transcript.delegate import PAD_X, PAD_Y
from desktop.ui.transcript.model import SegmentListModel, word_ranges
from desktop.ui.transcript.view import TranscriptView

VTT = Path(__file__).resolve().parents[1] / "data" / "importers" / "9EN_HoEk3KY.vtt"
MARKUP = '<b>bold</b> <img src=x> <a href="y">z</a>'


@pytest.fixture(scope="module")
def real_segments() -> list[Segment]:
    segments = load_transcript(VTT).segments
    assert len(segments) > 500  # the tests below scroll through a long episode
    return segments


def words_of(text: str, start: float, step: float = 0.5, length: float = 0.4) -> list[Word]:
    """Words as Whisper gives them: a leading space, back to back with small gaps."""
    return [
        Word(start + i * step, start + i * step + length, f" {token}")
        for i, token in enumerate(text.split())
    ]


def small_segments() -> list[Segment]:
    return [
        Segment(
            1.0, 2.0, "Hello there world", "Ann", words_of("Hello there world", 1.0, 0.3, 0.25)
        ),
        Segment(3.0, 4.0, "Second row", "Bob", words_of("Second row", 3.0)),
        Segment(5.0, 9.0, "No word timings here", "Ann", None),
    ]


@pytest.fixture
def view(qtbot) -> TranscriptView:
    widget = TranscriptView()
    qtbot.addWidget(widget)
    widget.resize(600, 400)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def laid_out(view: TranscriptView) -> bool:
    """True once the batched layout reached the last row."""
    model = view.model()
    last = model.index(model.rowCount() - 1, 0)
    return view.list_view.visualRect(last).isValid()


def settle(qtbot, view: TranscriptView) -> None:
    """Run now the layout the view has scheduled, if any, and wait until it has finished
    and the view has put the reader's place back. A later change could only come from a
    layout scheduled after this, which nothing does: so an assert that nothing moved, made
    after this, cannot pass merely because the move was late (as after a sleep)."""
    qtbot.waitUntil(lambda: laid_out(view))
    view.list_view.executeDelayedItemsLayout()  # a relayout still pending happens now
    qtbot.waitUntil(view.settled)


def row_visible(view: TranscriptView, row: int) -> bool:
    rect = view.list_view.visualRect(view.model().index(row, 0))
    return rect.isValid() and rect.intersects(view.list_view.viewport().rect())


def top_row(view: TranscriptView) -> int:
    return view.list_view.indexAt(QPoint(1, 0)).row()


# Model


def test_row_at_time_bisects_on_starts() -> None:
    model = SegmentListModel()
    assert model.row_at_time(3.0) == -1  # no rows at all
    model.set_segments(small_segments())
    assert model.row_at_time(0.0) == -1  # before the first segment
    assert model.row_at_time(0.999) == -1
    assert model.row_at_time(1.0) == 0  # a start belongs to its own segment
    assert model.row_at_time(2.5) == 0  # in the gap, the last segment started keeps playing
    assert model.row_at_time(3.0) == 1
    assert model.row_at_time(4.99) == 1
    assert model.row_at_time(5.0) == 2
    assert model.row_at_time(10_000.0) == 2


def test_playhead_moves_row_and_word_across_words_and_gaps() -> None:
    model = SegmentListModel()
    model.set_segments(small_segments())
    assert (model.current_row(), model.current_word()) == (-1, -1)
    steps = [
        (1.1, 0, 0),  # "Hello" spans 1.0-1.25
        (1.27, 0, -1),  # between "Hello" and "there"
        (1.35, 0, 1),
        (1.65, 0, 2),
        (2.5, 0, -1),  # after the last word, before the next segment
        (3.1, 1, 0),
        (6.0, 2, -1),  # a segment without word timings
        (0.5, -1, -1),  # sought back before the first segment
    ]
    for seconds, row, word in steps:
        model.set_playhead(seconds)
        assert (model.current_row(), model.current_word()) == (row, word), seconds
        if row >= 0:
            assert model.index(row, 0).data(SegmentListModel.IsCurrentRole) is True
            assert model.index(row, 0).data(SegmentListModel.CurrentWordRole) == word
    assert not any(model.index(r, 0).data(SegmentListModel.IsCurrentRole) for r in range(3))


def test_playhead_reports_only_rows_whose_highlight_changed() -> None:
    model = SegmentListModel()
    model.set_segments(small_segments())
    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda top, bottom, _roles: changed.append((top.row(), bottom.row())))
    model.set_playhead(1.1)
    assert changed == [(0, 0)]
    changed.clear()
    model.set_playhead(1.12)  # same word: nothing to repaint
    assert changed == []
    model.set_playhead(1.35)  # next word, same row
    assert changed == [(0, 0)]
    changed.clear()
    model.set_playhead(6.0)  # a seek past row 1: rows 0 and 2 only, not a range over row 1
    assert changed == [(0, 0), (2, 2)]
    changed.clear()
    model.set_playhead(7.0)  # same row, no words
    assert changed == []
    assert model.index(0, 0).data(SegmentListModel.CurrentWordRole) == -1
    assert model.index(2, 0).data(SegmentListModel.IsCurrentRole) is True


def test_word_ranges_follow_the_text_and_skip_what_does_not_match() -> None:
    text = "The cat, the Cat and the dog."
    words = [
        Word(0, 1, t) for t in [" The", " cat,", " the", " cat", " zebra", " and", "", " dog."]
    ]
    ranges = word_ranges(text, words)
    pieces = [text[r[0] : r[1]] if r else None for r in ranges]
    # Sequential search: the second "the" is found after the first; "cat" matches "Cat"
    # ignoring case; words not in the text are skipped without losing the rest.
    assert pieces == ["The", "cat,", "the", "Cat", None, "and", None, "dog."]
    assert word_ranges(text, None) == []
    assert word_ranges("", [Word(0, 1, " x")]) == [None]


def test_rows_expose_text_accessible_text_and_segment() -> None:
    model = SegmentListModel()
    model.set_segments([Segment(65.0, 70.0, MARKUP, "Ann"), Segment(70.0, 71.0, "plain")])
    first, second = model.index(0, 0), model.index(1, 0)
    assert first.data(Qt.ItemDataRole.DisplayRole) == MARKUP
    assert first.data(Qt.ItemDataRole.AccessibleTextRole) == f"1:05, Ann: {MARKUP}"
    assert second.data(Qt.ItemDataRole.AccessibleTextRole) == "1:10, plain"
    assert second.data(SegmentListModel.SegmentRole).text == "plain"
    assert model.data(QModelIndex()) is None


def test_append_inserts_one_batch() -> None:
    model = SegmentListModel()
    model.set_segments(small_segments())
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    model.append_segments([Segment(10.0 + i, 10.5 + i, f"row {i}") for i in range(5)])
    model.append_segments([])
    assert inserted == [(3, 7)]
    assert model.row_at_time(12.2) == 5


# View


def test_markup_in_text_is_laid_out_literally(view: TranscriptView) -> None:
    view.set_segments([Segment(1.0, 2.0, MARKUP, "<i>Ann</i>")])
    index = view.model().index(0, 0)
    assert index.data() == MARKUP
    assert view.delegate().layout_text(index) == MARKUP


def test_measured_and_painted_heights_agree_and_follow_width(view: TranscriptView) -> None:
    long_text = " ".join(["wrapping"] * 60)
    view.set_segments([Segment(1.0, 2.0, long_text, "Ann")])
    index = view.model().index(0, 0)
    delegate = view.delegate()
    narrow = delegate.layout_for(index, 250).height
    wide = delegate.layout_for(index, 900).height
    assert narrow > wide  # the cache is keyed by width, not reused across widths
    assert view.list_view.visualRect(index).height() == delegate.layout_for(index).height


@pytest.mark.parametrize("single_pass_rows", [view_module.SINGLE_PASS_APPEND, 0])
def test_append_keeps_the_readers_place(
    qtbot,
    view: TranscriptView,
    real_segments: list[Segment],
    monkeypatch: pytest.MonkeyPatch,
    single_pass_rows: int,
) -> None:
    # 0: the long-episode path, where rows are laid out again in batches after the insert.
    monkeypatch.setattr(view_module, "SINGLE_PASS_APPEND", single_pass_rows)
    view.set_segments(real_segments[:600])
    qtbot.waitUntil(lambda: laid_out(view))
    bar = view.list_view.verticalScrollBar()
    # Far down: past the rows a first layout batch covers, where a relayout would clamp.
    bar.triggerAction(QAbstractSlider.SliderAction.SliderToMaximum)
    bar.triggerAction(QAbstractSlider.SliderAction.SliderPageStepSub)
    value, top = bar.value(), top_row(view)
    assert top > 300
    inserted: list[tuple[int, int]] = []
    view.model().rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    view.append_segments(real_segments[600:])
    settle(qtbot, view)
    assert inserted == [(600, len(real_segments) - 1)]
    assert bar.value() == value
    assert top_row(view) == top


def test_resizing_keeps_the_row_being_read_at_the_top(
    qtbot, view: TranscriptView, real_segments: list[Segment]
) -> None:
    view.set_segments(real_segments)
    qtbot.waitUntil(lambda: laid_out(view))
    bar = view.list_view.verticalScrollBar()
    for _ in range(30):
        bar.triggerAction(QAbstractSlider.SliderAction.SliderPageStepAdd)
    top = top_row(view)
    assert top > 200
    index = view.model().index(top, 0)
    wide = view.list_view.visualRect(index).width()
    view.resize(330, 400)  # rows rewrap and grow taller above the one being read
    qtbot.waitUntil(lambda: view.list_view.visualRect(index).width() < wide)
    settle(qtbot, view)
    assert top_row(view) == top


def test_following_keeps_the_playing_row_in_view_without_scrolling_every_tick(
    qtbot, view: TranscriptView, real_segments: list[Segment]
) -> None:
    view.set_segments(real_segments)
    qtbot.waitUntil(lambda: laid_out(view))
    assert view.is_following()
    row = 400
    view.set_position(real_segments[row].start + 0.01)
    assert view.model().current_row() == row
    assert row_visible(view, row)
    bar = view.list_view.verticalScrollBar()
    value = bar.value()
    view.set_position(real_segments[row + 1].start + 0.01)  # the next row is still well in view
    assert row_visible(view, row + 1)
    assert bar.value() == value
    for later in range(row + 2, row + 60):  # play on: the view keeps up
        view.set_position(real_segments[later].start + 0.01)
        assert row_visible(view, later)
    assert bar.value() > value
    assert view.is_following()
    assert not view.follow_button.isVisible()


def test_playhead_ticks_repaint_without_laying_rows_out_again(
    qtbot, view: TranscriptView, real_segments: list[Segment]
) -> None:
    view.set_segments(real_segments)
    qtbot.waitUntil(lambda: laid_out(view))
    heights: list[int] = []
    view.list_view.layout_updated.connect(lambda: heights.append(0))
    for row in range(100, 110):
        view.set_position(real_segments[row].start + 0.01)
        QApplication.processEvents()  # a repaint between ticks, as in playback
    # QListView would discard its layout on each dataChanged (a delayed relayout, which
    # runs here and now if one was scheduled); a tick must not cause that.
    view.list_view.executeDelayedItemsLayout()
    assert laid_out(view)
    assert heights == []
    assert row_visible(view, 109)


def test_user_scroll_stops_following_and_the_button_resumes_it(
    qtbot, view: TranscriptView, real_segments: list[Segment]
) -> None:
    view.set_segments(real_segments)
    qtbot.waitUntil(lambda: laid_out(view))
    row = 300
    view.set_position(real_segments[row].start + 0.01)
    changes: list[bool] = []
    view.following_changed.connect(changes.append)
    bar = view.list_view.verticalScrollBar()
    bar.triggerAction(QAbstractSlider.SliderAction.SliderToMinimum)  # as a scrollbar drag would
    qtbot.waitUntil(lambda: not view.is_following())
    assert not row_visible(view, row)
    assert view.follow_button.isVisible()
    assert view.follow_button.text() == "Follow"
    assert view.follow_button.toolTip() == "Follow playback (F)"
    assert view.follow_button.accessibleName()
    view.set_position(real_segments[row + 1].start + 0.01)  # playback goes on; view stays put
    assert bar.value() == 0
    qtbot.mouseClick(view.follow_button, Qt.MouseButton.LeftButton)
    assert view.is_following()
    assert row_visible(view, row + 1)
    assert not view.follow_button.isVisible()
    assert changes == [False, True]


def test_wheel_away_from_the_playing_row_stops_following(
    qtbot, view: TranscriptView, real_segments: list[Segment]
) -> None:
    view.set_segments(real_segments)
    qtbot.waitUntil(lambda: laid_out(view))
    view.set_position(real_segments[2].start)
    viewport = view.list_view.viewport()
    for _ in range(10):
        wheel = QWheelEvent(
            QPointF(100, 100),
            QPointF(viewport.mapToGlobal(QPoint(100, 100))),
            QPoint(0, 0),
            QPoint(0, -120),
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        QApplication.sendEvent(viewport, wheel)
    qtbot.waitUntil(lambda: not view.is_following())
    assert view.follow_button.isVisible()


def test_scrolls_the_view_makes_itself_keep_following(
    qtbot, view: TranscriptView, real_segments: list[Segment]
) -> None:
    view.set_segments(real_segments)
    qtbot.waitUntil(lambda: laid_out(view))
    target = real_segments[500]
    view.scroll_to_time(target.start + 0.01)
    settle(qtbot, view)
    assert view.list_view.currentIndex().row() == 500
    assert row_visible(view, 500)
    assert view.is_following()
    view.set_following(False)
    view.set_segments(real_segments[:50])  # a new episode starts at the top, following
    assert view.is_following()
    assert view.list_view.verticalScrollBar().value() == 0


def test_clicking_the_time_seeks_and_the_text_does_not(
    qtbot, view: TranscriptView, real_segments: list[Segment]
) -> None:
    view.set_segments(real_segments[:40])
    qtbot.waitUntil(lambda: laid_out(view))
    row = 5
    rect = view.list_view.visualRect(view.model().index(row, 0))
    viewport = view.list_view.viewport()
    seeks: list[float] = []
    view.seek_requested.connect(seeks.append)
    text_pos = QPoint(rect.right() - 40, rect.top() + PAD_Y + 4)
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=text_pos)
    assert seeks == []
    time_pos = QPoint(rect.left() + PAD_X + 4, rect.top() + PAD_Y + 4)
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=time_pos)
    assert seeks == [real_segments[row].start]


def test_enter_on_a_selected_row_seeks(
    qtbot, view: TranscriptView, real_segments: list[Segment]
) -> None:
    view.set_segments(real_segments[:40])
    view.list_view.setCurrentIndex(view.model().index(7, 0))
    view.list_view.setFocus()
    with qtbot.waitSignal(view.seek_requested) as blocker:
        qtbot.keyClick(view.list_view, Qt.Key.Key_Return)
    assert blocker.args == [real_segments[7].start]


def test_empty_text_is_painted_when_there_are_no_rows(qtbot, view: TranscriptView) -> None:
    view.set_segments([])
    view.set_empty_text("")
    blank = view.list_view.viewport().grab().toImage()
    view.set_empty_text("No transcript yet")
    assert view.list_view.viewport().grab().toImage() != blank
    view.set_segments(small_segments())  # rows replace the placeholder
    qtbot.waitUntil(lambda: laid_out(view))
    assert view.list_view.accessibleName() == "Transcript"


def test_fifty_thousand_rows_load_in_batches(
    qtbot, view: TranscriptView, real_segments: list[Segment]
) -> None:
    count = 50_000
    rows = [real_segments[i % len(real_segments)] for i in range(count)]
    segments = [Segment(i * 2.0, i * 2.0 + 1.5, s.text, s.speaker) for i, s in enumerate(rows)]
    view.set_segments(segments)
    # The first batches are laid out; the rest follow between events.
    qtbot.waitUntil(lambda: row_visible(view, 0))
    assert view.list_view.layoutMode() == QListView.LayoutMode.Batched
    assert view.model().rowCount() == count
    view.set_position(10.0)
    assert view.model().current_row() == 5


def test_time_column_widens_for_every_row_when_times_pass_ten_minutes(
    qtbot, view: TranscriptView
) -> None:
    view.set_segments([Segment(5.0, 9.0, "early"), Segment(65.0, 70.0, "later")])
    first = view.model().index(0, 0)
    before = view.delegate().layout_for(first).text_origin.x()
    view.append_segments([Segment(610.0, 615.0, "past ten minutes")])
    after = view.delegate().layout_for(first).text_origin.x()
    assert after > before  # old rows re-laid out, so all text still starts in one column
    last = view.model().index(2, 0)
    assert view.delegate().layout_for(last).text_origin.x() == after


def test_time_column_has_tooltip_and_pointing_hand(
    qtbot, view: TranscriptView, real_segments: list[Segment]
) -> None:
    view.set_segments(real_segments[:20])
    qtbot.waitUntil(lambda: laid_out(view))
    viewport = view.list_view.viewport()
    rect = view.list_view.visualRect(view.model().index(3, 0))
    on_time = QPoint(rect.left() + PAD_X + 4, rect.top() + PAD_Y + 4)
    on_text = QPoint(rect.right() - 30, rect.top() + PAD_Y + 4)
    qtbot.mouseMove(viewport, on_time)
    qtbot.waitUntil(lambda: viewport.cursor().shape() == Qt.CursorShape.PointingHandCursor)
    qtbot.mouseMove(viewport, on_text)
    qtbot.waitUntil(lambda: viewport.cursor().shape() != Qt.CursorShape.PointingHandCursor)
    help_event = QHelpEvent(QEvent.Type.ToolTip, on_time, viewport.mapToGlobal(on_time))
    QApplication.sendEvent(viewport, help_event)
    assert QToolTip.text() == f"Play from {short(real_segments[3].start)} (Enter)"
    QToolTip.hideText()


def test_copy_puts_the_selected_rows_text_on_the_clipboard(qtbot, view: TranscriptView) -> None:
    view.set_segments(small_segments())
    selection = view.list_view.selectionModel()
    for row in (2, 0):
        selection.select(view.model().index(row, 0), QItemSelectionModel.SelectionFlag.Select)
    view.list_view.setFocus()
    qtbot.keySequence(view.list_view, QKeySequence.StandardKey.Copy)
    assert QApplication.clipboard().text() == "Hello there world\nNo word timings here"


def test_a_bigger_font_lays_rows_out_taller(qtbot, view: TranscriptView) -> None:
    view.set_segments(small_segments())
    qtbot.waitUntil(lambda: laid_out(view))
    index = view.model().index(0, 0)
    before = view.list_view.visualRect(index).height()
    time_width = view.delegate().layout_for(index).time_rect.width()
    font = view.font()
    font.setPointSizeF(font.pointSizeF() * 2)
    view.setFont(font)
    qtbot.waitUntil(lambda: view.list_view.visualRect(index).height() > before * 1.5)
    layout = view.delegate().layout_for(index)
    assert layout.height == view.list_view.visualRect(index).height()
    assert layout.time_rect.width() > time_width * 1.5  # measured again in the new font
