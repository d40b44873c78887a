"""The transcript pane: segment rows that follow playback and seek when a time is clicked.

Following: while on, the playing row is kept in view, scrolling only when it leaves the
visible area or nears the bottom. A scroll the user makes that takes the playing row out of
view turns following off and shows a floating "Follow" button; scrolls the view makes itself
are done under a guard so they never count as the user's.

Editing: a double-click on a row's text (not its time, which seeks) or F2 opens the
in-place editor; what is saved goes out as `segment_edit_requested` and comes back, once
stored, through `replace_segments`, which lays out only the changed rows again (the
others' heights are cached) and keeps the reader's place. A right-click on a row asks the
window for its menu (`row_menu_requested`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import (
    QKeyEvent,
    QMouseEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSlider,
    QListView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.model import Chapter, Note, Segment
from desktop.ui.icons import icon
from desktop.ui.transcript.delegate import TranscriptDelegate
from desktop.ui.transcript.model import SegmentListModel, WordsLoader
from desktop.ui.transcript.rows import SegmentList

BATCH_SIZE = 200  # rows laid out per event-loop pass: 50k wrapped rows stay responsive
FOLLOW_TOP = 0.25  # where a followed row is placed, as a fraction of the viewport height
BOTTOM_ZONE = 0.2  # a playing row this close to the bottom is moved back up
SINGLE_PASS_APPEND = 20_000  # up to this many rows an append is laid out in one pass


class TranscriptView(QWidget):
    """Transcript rows with playback highlight, follow mode and click-to-seek times."""

    seek_requested = Signal(float)  # the user asked to play from a time (seconds)
    following_changed = Signal(bool)
    segment_edit_requested = Signal(int, str)  # row, its new text (from the in-place editor)
    row_menu_requested = Signal(int, QPoint)  # row, global position (a right-click)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = SegmentListModel(self)
        self._following = True
        self._auto_scrolling = 0  # > 0 while the view scrolls itself
        self._pressed_row = -1
        # (row, pixels of it above the viewport) to put back at the top after a relayout
        self._anchor: tuple[int, int] | None = None
        # (row, hint) to scroll to once that row is laid out (see _scroll_to_row)
        self._pending_scroll: tuple[int, QAbstractItemView.ScrollHint] | None = None

        self.list_view = SegmentList(self)
        self._delegate = TranscriptDelegate(self.list_view)
        self._setup_list()
        self.follow_button = self._make_follow_button()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list_view)
        self._connect()

    # Public API

    def model(self) -> SegmentListModel:
        return self._model

    def delegate(self) -> TranscriptDelegate:
        return self._delegate

    def set_segments(self, segments: list[Segment], load_words: WordsLoader | None = None) -> None:
        """Show a new episode's transcript from the top, following playback (word timings
        left out of `segments` come from `load_words(row)` when a row plays)."""
        self._anchor = None
        self._pending_scroll = None
        self.list_view.setLayoutMode(QListView.LayoutMode.Batched)
        with self._auto_scroll():
            self._model.set_segments(segments, load_words)
            self.list_view.verticalScrollBar().setValue(0)
        self.set_following(True)

    def append_segments(self, segments: list[Segment]) -> None:
        """Add rows as a transcription produces them, leaving the user's scroll position alone."""
        if not segments:
            return
        self._remember_anchor()
        if self._model.rowCount() + len(segments) <= SINGLE_PASS_APPEND:
            # QListView lays every row out again after an insert; in batches it would show the
            # top rows for a moment. Heights are cached, so one pass is quick (5k rows: 60 ms).
            self.list_view.setLayoutMode(QListView.LayoutMode.SinglePass)
        with self._auto_scroll():
            self._model.append_segments(segments)

    def set_chapters(self, chapters: list[Chapter]) -> None:
        """Chapter headings over the rows they start at (the rows are laid out again)."""
        self._remember_anchor()
        with self._auto_scroll():
            rows = self._model.set_chapters(chapters)
            self._delegate.forget_rows(rows)
            if rows:
                self.list_view.doItemsLayout()

    def replace_segments(self, changed: Iterable[tuple[int, Segment]]) -> None:
        """Rows whose segment changed (an edit, an undo, a renamed speaker), in place.

        Only these rows (and the next ones, whose speaker line may come or go) are laid out
        again; the row at the top of the view stays where it was.
        """
        changed = list(changed)
        if not changed:
            return
        rows = {row for row, _ in changed}
        self._remember_anchor()
        self._delegate.forget_rows(rows | {row + 1 for row in rows})
        if self._model.rowCount() <= SINGLE_PASS_APPEND:
            self.list_view.setLayoutMode(QListView.LayoutMode.SinglePass)
        with self._auto_scroll():
            self._model.replace_segments(changed)

    def set_speaker(self, rows: Iterable[int], speaker: str | None) -> None:
        """These rows are now spoken by `speaker` (a rename, or its undo)."""
        count = self._model.rowCount()
        self.replace_segments(
            (row, replace(self._model.segment(row), speaker=speaker))
            for row in rows
            if 0 <= row < count
        )

    def set_notes(self, notes: Sequence[Note]) -> None:
        """The open episode's notes: a marker beside each noted row."""
        self._model.set_notes(notes)

    def edit_row(self, row: int) -> bool:
        """Open the in-place editor on a row (F2, or "Edit Text" in its menu)."""
        if not 0 <= row < self._model.rowCount():
            return False
        index = self._model.index(row, 0)
        with self._auto_scroll():
            self.list_view.setCurrentIndex(index)
            self.list_view.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
        self.list_view.setFocus()
        return self.list_view.edit(
            index,
            QAbstractItemView.EditTrigger.EditKeyPressed,
            QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_F2, Qt.KeyboardModifier.NoModifier),
        )

    def editor(self) -> QWidget | None:
        """The open in-place editor, if any."""
        index = self.list_view.currentIndex()
        return self.list_view.indexWidget(index) if index.isValid() else None

    def set_position(self, seconds: float) -> None:
        """Move the playhead; while following, keep the playing row in view."""
        self._model.set_playhead(seconds)
        if self._following:
            self._keep_current_visible()

    def scroll_to_time(self, seconds: float) -> None:
        """Select the row at `seconds` and bring it near the middle (an insight was clicked)."""
        row = max(self._model.row_at_time(seconds), 0)
        if row >= self._model.rowCount():
            return
        with self._auto_scroll():
            self.list_view.setCurrentIndex(self._model.index(row, 0))
        self._scroll_to_row(row, QAbstractItemView.ScrollHint.PositionAtCenter)

    def reveal_row(self, row: int) -> None:
        """Bring a row the user looked for (a find match) into view; reading it means
        playback no longer pulls the view away."""
        if not 0 <= row < self._model.rowCount():
            return
        self.set_following(False)
        self._scroll_to_row(row, QAbstractItemView.ScrollHint.EnsureVisible)

    def _scroll_to_row(self, row: int, hint: QAbstractItemView.ScrollHint) -> None:
        """scrollTo, now or once the row is laid out: QListView drops a scroll to a row its
        batched layout has not reached (the end of a 10-hour episode for a second or two)."""
        index = self._model.index(row, 0)
        laid_out = self.list_view.visualRect(index).isValid()
        self._pending_scroll = None if laid_out else (row, hint)
        if laid_out:
            with self._auto_scroll():
                self.list_view.scrollTo(index, hint)

    def is_following(self) -> bool:
        return self._following

    def set_following(self, on: bool) -> None:
        """Turn following on (scrolling to the playing row) or off."""
        changed = on != self._following
        self._following = on
        self.follow_button.setVisible(not on)
        if on:
            self._keep_current_visible(force=True)
        if changed:
            self.following_changed.emit(on)

    def settled(self) -> bool:
        """Nothing left that moves the rows or the scroll position by itself: the last row
        is laid out, and no reader's place or scroll waits for a later layout batch (tests
        wait for this, after running any delayed layout, rather than sleep)."""
        count = self._model.rowCount()
        last = self._model.index(count - 1, 0)
        laid_out = count == 0 or self.list_view.visualRect(last).isValid()
        return laid_out and self._anchor is None and self._pending_scroll is None

    def set_empty_text(self, text: str) -> None:
        """Shown in place of rows when there are none ("No transcript yet")."""
        self.list_view.empty_text = text
        self.list_view.viewport().update()

    # Set-up

    def _setup_list(self) -> None:
        view = self.list_view
        view.setModel(self._model)
        view.setItemDelegate(self._delegate)
        view.setWordWrap(True)  # also makes a width change lay the rows out again
        view.setLayoutMode(QListView.LayoutMode.Batched)
        view.setBatchSize(BATCH_SIZE)
        view.setResizeMode(QListView.ResizeMode.Adjust)
        view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        triggers = QAbstractItemView.EditTrigger
        view.setEditTriggers(triggers.DoubleClicked | triggers.EditKeyPressed)
        view.setMouseTracking(True)
        view.setAccessibleName("Transcript")
        view.setAccessibleDescription(
            "Click a time or press Enter to play from it; F follows playback"
        )
        view.verticalScrollBar().setSingleStep(20)
        view.viewport().installEventFilter(self)

    def _make_follow_button(self) -> QToolButton:
        button = QToolButton(self)
        button.setIcon(icon("follow"))
        button.setText("Follow")
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setToolTip("Follow playback (F)")
        button.setAccessibleName("Follow playback")
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.setAutoFillBackground(True)
        button.hide()
        button.clicked.connect(lambda: self.set_following(True))
        return button

    def _connect(self) -> None:
        bar = self.list_view.verticalScrollBar()
        bar.actionTriggered.connect(self._on_scroll_action)
        self.list_view.user_navigated.connect(self._check_user_scroll)
        self.list_view.layout_updated.connect(self._on_layout_updated)
        self.list_view.activated_row.connect(self._seek_row)
        self.list_view.row_menu_requested.connect(self.row_menu_requested)
        # Playback must not scroll the row being corrected away.
        self.list_view.editing_started.connect(lambda: self.set_following(False))
        self._model.text_edit_requested.connect(self.segment_edit_requested)
        self._model.modelReset.connect(self._delegate.clear_cache)

    # Following

    @contextmanager
    def _auto_scroll(self) -> Iterator[None]:
        self._auto_scrolling += 1
        try:
            yield
        finally:
            self._auto_scrolling -= 1

    def _on_scroll_action(self, action: int) -> None:
        # Emitted for wheel, drag, arrows and page clicks before the value moves; judge after.
        if self._auto_scrolling or action == QAbstractSlider.SliderAction.SliderNoAction:
            return
        self._anchor = None  # the user moved: putting the old place back would undo that
        self._pending_scroll = None  # ...and so would a scroll asked for before
        QTimer.singleShot(0, self._check_user_scroll)

    def _check_user_scroll(self) -> None:
        if self._following and not self._anchor_visible():
            self.set_following(False)

    def _anchor_visible(self) -> bool:
        # Before playback starts the first row stands in for the playing one.
        row = max(self._model.current_row(), 0)
        if row >= self._model.rowCount():
            return True
        rect = self.list_view.visualRect(self._model.index(row, 0))
        return rect.isValid() and rect.intersects(self.list_view.viewport().rect())

    def _keep_current_visible(self, force: bool = False) -> None:
        row = self._model.current_row()
        if row < 0:
            return
        rect = self.list_view.visualRect(self._model.index(row, 0))
        if not rect.isValid():
            return  # not laid out yet; _on_layout_updated tries again
        height = self.list_view.viewport().height()
        comfortable = rect.top() >= 0 and rect.bottom() < height * (1 - BOTTOM_ZONE)
        if comfortable and not force:
            return
        if force and rect.top() >= 0 and rect.bottom() < height:
            return
        target = int(height * FOLLOW_TOP) if rect.height() < height * (1 - FOLLOW_TOP) else 0
        bar = self.list_view.verticalScrollBar()
        with self._auto_scroll():
            bar.setValue(bar.value() + rect.top() - target)

    def _on_layout_updated(self) -> None:
        if self.list_view.layoutMode() != QListView.LayoutMode.Batched:
            self.list_view.setLayoutMode(QListView.LayoutMode.Batched)
        self._restore_anchor()
        if self._pending_scroll is not None:
            self._scroll_to_row(*self._pending_scroll)
        if self._following:
            self._keep_current_visible()

    # Keeping the reader's place while rows are laid out again

    def _remember_anchor(self) -> None:
        """Note the row at the top of the viewport, unless a relayout is already pending."""
        if self._anchor is not None:
            return
        index = self.list_view.indexAt(QPoint(1, 0))
        if index.isValid():
            self._anchor = (index.row(), -self.list_view.visualRect(index).top())

    def _restore_anchor(self) -> None:
        if self._anchor is None:
            return
        row, offset = self._anchor
        rect = self.list_view.visualRect(self._model.index(row, 0))
        if not rect.isValid():
            return  # that row is not laid out yet; a later batch will be
        bar = self.list_view.verticalScrollBar()
        target = bar.value() + rect.top() + offset
        last = self.list_view.visualRect(self._model.index(self._model.rowCount() - 1, 0))
        if target > bar.maximum() and not last.isValid():
            return  # the rows below are still being laid out
        with self._auto_scroll():
            bar.setValue(target)
        self._anchor = None

    # Seeking by clicking a time

    def _seek_row(self, row: int) -> None:
        if 0 <= row < self._model.rowCount():
            self.seek_requested.emit(self._model.segment(row).start)

    def _time_row_at(self, pos: QPoint) -> int:
        """The row whose time column is under `pos` (viewport coordinates), else -1."""
        index: QModelIndex = self.list_view.indexAt(pos)
        if not index.isValid():
            return -1
        rect = self._delegate.time_rect(index, self.list_view.visualRect(index))
        return index.row() if rect.contains(pos) else -1

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.list_view.viewport():
            self._viewport_event(event)
        return super().eventFilter(watched, event)

    def _viewport_event(self, event: QEvent) -> None:
        kind = event.type()
        if kind == QEvent.Type.MouseMove and isinstance(event, QMouseEvent):
            over_time = self._time_row_at(event.position().toPoint()) >= 0
            viewport = self.list_view.viewport()
            if over_time:
                viewport.setCursor(Qt.CursorShape.PointingHandCursor)
            else:
                viewport.unsetCursor()
        elif kind == QEvent.Type.MouseButtonPress and isinstance(event, QMouseEvent):
            left = event.button() == Qt.MouseButton.LeftButton
            self._pressed_row = self._time_row_at(event.position().toPoint()) if left else -1
        elif kind == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent):
            left = event.button() == Qt.MouseButton.LeftButton
            row = self._time_row_at(event.position().toPoint()) if left else -1
            if row >= 0 and row == self._pressed_row:
                self._seek_row(row)
            self._pressed_row = -1
        elif kind == QEvent.Type.Resize and isinstance(event, QResizeEvent):
            if event.size().width() != event.oldSize().width():
                self._remember_anchor()  # rows rewrap at the new width
            self._place_follow_button()

    # Geometry and style changes

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_follow_button()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.PaletteChange):
            self._delegate.clear_cache()
            self.follow_button.setIcon(icon("follow"))
            self.list_view.scheduleDelayedItemsLayout()
        super().changeEvent(event)

    def _place_follow_button(self) -> None:
        button = self.follow_button
        button.adjustSize()
        viewport = self.list_view.viewport()
        corner = viewport.mapTo(self, QPoint(viewport.width(), viewport.height()))
        margin = 12
        button.move(corner.x() - button.width() - margin, corner.y() - button.height() - margin)
        button.raise_()
