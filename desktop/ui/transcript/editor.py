"""The in-place editor of a segment's text (double-click the text, or F2).

A segment is one line of speech, so the editor holds one paragraph: Enter (or Return)
saves, Esc cancels, Shift+Enter does nothing, and pasted line breaks become spaces. The
text wraps as the row does, and the editor grows downwards when the text needs more lines
than the row had. Leaving the editor (a click elsewhere) saves, as Qt's item views do.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QRect, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import QFrame, QPlainTextEdit, QWidget

FRAME = 3  # pixels the editor reaches beyond the text on each side


class SegmentEditor(QPlainTextEdit):
    """A plain-text editor laid over a row's text; `submitted` on Enter."""

    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loaded = False  # the row's text was put in (once: later changes are the user's)
        self._base = QRect()
        self.setAccessibleName("Segment text")
        self.setAccessibleDescription("Enter saves, Esc cancels")
        self.setToolTip("Enter saves, Esc cancels")
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # A highlight-coloured outline: in a dark palette a plain frame barely shows.
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "QPlainTextEdit { border: 1px solid palette(highlight); border-radius: 2px;"
            " background: palette(base); }"
        )
        self.ensurePolished()
        self.document().setDocumentMargin(FRAME - self.frameWidth())
        self.textChanged.connect(self._fit)

    def load(self, text: str, cursor: int | None = None) -> None:
        """Show `text`; with `cursor` (a character index) the word there is selected,
        so a double-click on a wrong word and typing replaces that word."""
        self.setPlainText(text)
        self.loaded = True
        position = QTextCursor(self.document())
        if cursor is None:
            position.movePosition(QTextCursor.MoveOperation.End)
        else:
            position.setPosition(max(0, min(cursor, len(text))))
            position.select(QTextCursor.SelectionType.WordUnderCursor)
        self.setTextCursor(position)

    def text(self) -> str:
        return self.toPlainText()

    def place(self, text_rect: QRect) -> None:
        """Lay the editor over a row's text area (viewport coordinates)."""
        self._base = text_rect.adjusted(-FRAME, -FRAME, FRAME, FRAME)
        self._fit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.submitted.emit()
            event.accept()  # never a line break: a segment is one paragraph
            return
        super().keyPressEvent(event)

    def insertFromMimeData(self, source: QMimeData) -> None:
        if source.hasText():
            self.insertPlainText(" ".join(source.text().split()))

    def _fit(self) -> None:
        """As tall as the row, or as the text once it needs more lines."""
        if self._base.isNull():
            return
        self.setGeometry(self._base)  # the width decides the wrapping
        lines = sum(
            self.document().findBlockByNumber(n).layout().lineCount()
            for n in range(self.document().blockCount())
        )
        needed = lines * self.fontMetrics().lineSpacing() + 2 * FRAME + 2
        if needed > self._base.height():
            self.setGeometry(QRect(self._base.topLeft(), QSize(self._base.width(), needed)))
