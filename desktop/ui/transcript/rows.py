"""The transcript's list widget: an empty-state text, Enter to seek, Copy, row menus,
edits that start only on a row's text, and reports of scrolls the user made."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import QAbstractItemView, QApplication, QListView, QWidget

from desktop.core.model import Segment
from desktop.ui.transcript.delegate import MAX_ROW_CHARS
from desktop.ui.transcript.model import SegmentListModel

_HIGHLIGHT_ROLES = {
    SegmentListModel.IsCurrentRole,
    SegmentListModel.CurrentWordRole,
    SegmentListModel.FindRole,
    SegmentListModel.NotesRole,  # the marker's lane is always there: no height changes
}
_REPAINT_ALL_ROWS = 64  # past this many changed rows, repaint the viewport once
_NAVIGATION_KEYS = {
    Qt.Key.Key_PageUp,
    Qt.Key.Key_PageDown,
    Qt.Key.Key_Up,
    Qt.Key.Key_Down,
    Qt.Key.Key_Home,
    Qt.Key.Key_End,
}


class SegmentList(QListView):
    """The list itself: empty placeholder, Enter to seek, Copy, and user-scroll reports."""

    activated_row = Signal(int)  # Enter/Return on a row
    user_navigated = Signal()  # a key moved the view
    layout_updated = Signal()  # rows were (re)laid out; positions may have moved
    row_menu_requested = Signal(int, QPoint)  # row, global position of a right-click
    editing_started = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.empty_text = ""

    def edit(self, index: QModelIndex, trigger=None, event: QEvent | None = None) -> bool:  # type: ignore[override]
        segment: Segment | None = index.data(SegmentListModel.SegmentRole)
        if segment is not None and len(segment.text) > MAX_ROW_CHARS:
            # Shown cut short, and an editor would take minutes to wrap it: `earmark edit`.
            return False
        if trigger is None:  # edit(index): the slot
            return super().edit(index)
        if trigger == QAbstractItemView.EditTrigger.DoubleClicked and isinstance(
            event, QMouseEvent
        ):
            delegate = self.itemDelegate()
            pos = event.position().toPoint()
            text_rect = delegate.text_rect(index, self.visualRect(index))
            if pos.x() < text_rect.left():
                return False  # the time column: a click there plays, it never edits
            delegate.pending_cursor = delegate.char_at(index, self.visualRect(index), pos)
        started = super().edit(index, trigger, event)
        self.itemDelegate().pending_cursor = None  # used by the editor just made, if any
        if started:
            self.editing_started.emit()
        return started

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        index = self.indexAt(event.pos())
        if index.isValid():
            self.setCurrentIndex(index)
            self.row_menu_requested.emit(index.row(), event.globalPos())
            event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_row.emit(self.currentIndex().row())
            return
        if event.matches(QKeySequence.StandardKey.Copy):
            self._copy_selection()
            return
        super().keyPressEvent(event)
        if event.key() in _NAVIGATION_KEYS:
            self.user_navigated.emit()

    def dataChanged(
        self,
        top_left: QModelIndex,
        bottom_right: QModelIndex,
        roles: Sequence[int] = (),
    ) -> None:
        # QListView lays every row out again on any dataChanged (Qt 6 list mode): 4 s of
        # batches at 50k rows on each word of playback. A highlight never changes a height,
        # so those rows are only repainted.
        if roles and set(roles) <= _HIGHLIGHT_ROLES:
            if bottom_right.row() - top_left.row() > _REPAINT_ALL_ROWS:
                self.viewport().update()
                return
            for row in range(top_left.row(), bottom_right.row() + 1):
                self.update(top_left.siblingAtRow(row))
            return
        super().dataChanged(top_left, bottom_right, list(roles))

    def updateGeometries(self) -> None:
        super().updateGeometries()
        self.layout_updated.emit()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.model() is None or self.model().rowCount() or not self.empty_text:
            return
        painter = QPainter(self.viewport())
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(
            self.viewport().rect().adjusted(12, 12, -12, -12),
            int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
            self.empty_text,
        )

    def _copy_selection(self) -> None:
        rows = sorted(index.row() for index in self.selectionModel().selectedIndexes())
        if rows:
            texts = (self.model().index(r, 0).data() for r in rows)
            QApplication.clipboard().setText("\n".join(texts))
