"""Find in the episode (Ctrl+F): every match marked, "N of M", next and previous.

The matches are computed over the segments' plain text (case-insensitive, literal: a find
box is not a query language; library search is for that) and held by the model, so the
delegate paints them on the cached row layouts without laying anything out again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from desktop.core.model import Segment
from desktop.ui.icons import icon
from desktop.ui.widgets import search_box

DEBOUNCE_MS = 150  # typing "interview" searches once, not nine times


@dataclass(frozen=True, slots=True)
class Match:
    row: int
    start: int
    end: int


def find_matches(segments: list[Segment], query: str) -> list[Match]:
    """Every case-insensitive occurrence of `query` in the segments' text, in order."""
    needle = query.strip()
    if not needle:
        return []
    pattern = re.compile(re.escape(needle), re.IGNORECASE)
    return [
        Match(row, m.start(), m.end())
        for row, segment in enumerate(segments)
        for m in pattern.finditer(segment.text)
    ]


class FindBar(QWidget):
    """The bar under the transcript; it asks the view to mark and reveal matches."""

    closed = Signal()

    def __init__(self, view, parent: QWidget | None = None) -> None:  # view: TranscriptView
        super().__init__(parent)
        self._view = view
        self.matches: list[Match] = []
        self.current = -1
        self.edit = search_box(self, "Find in this episode", "Find in this episode")
        self.count_label = QLabel(self)
        self.count_label.setAccessibleName("Matches")
        self.previous_button = self._button("previous", "Previous match (Shift+Enter, Shift+F3)")
        self.next_button = self._button("next", "Next match (Enter, F3)")
        self.close_button = self._button("close", "Close (Esc)")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.search)
        self.edit.textChanged.connect(lambda _: self._timer.start())
        self.edit.returnPressed.connect(self._enter)
        self.previous_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))
        self.close_button.clicked.connect(self.close_bar)
        QShortcut(
            QKeySequence("Esc"),
            self,
            self.close_bar,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        for widget in (self.edit, self.count_label, self.previous_button, self.next_button,
                       self.close_button):  # fmt: skip
            layout.addWidget(widget)
        layout.setStretch(0, 1)
        self.setAccessibleName("Find bar")
        self.hide()

    def _button(self, glyph: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setIcon(icon(glyph))
        button.setAutoRaise(True)
        button.setToolTip(tip)
        button.setAccessibleName(tip.split(" (")[0])
        return button

    def open_bar(self) -> None:
        self.show()
        self.edit.setFocus()
        self.edit.selectAll()
        if self.edit.text():
            self.search()

    def close_bar(self) -> None:
        self._timer.stop()
        self.hide()
        self._view.model().set_find([], -1)
        self._view.list_view.setFocus()
        self.closed.emit()

    def search(self) -> None:
        """Find now (the box calls this after a pause in typing)."""
        self._timer.stop()
        model = self._view.model()
        self.matches = find_matches(model.segments(), self.edit.text())
        self.current = self._first_after_view() if self.matches else -1
        self._show_current()

    def step(self, delta: int) -> None:
        if self._timer.isActive():
            self.search()
        if not self.matches:
            return
        self.current = (self.current + delta) % len(self.matches)
        self._show_current()

    def refresh(self) -> None:
        """The rows changed (another episode, live rows): search them again."""
        if self.isVisible() and self.edit.text():
            self.search()

    def _enter(self) -> None:
        from PySide6.QtWidgets import QApplication

        shift = QApplication.keyboardModifiers() & Qt.KeyboardModifier.ShiftModifier
        self.step(-1 if shift else 1)

    def _first_after_view(self) -> int:
        """Start at the first match at or below the top of the view, as browsers do."""
        top = self._view.list_view.indexAt(self._view.list_view.viewport().rect().topLeft())
        first_row = top.row() if top.isValid() else 0
        return next((i for i, m in enumerate(self.matches) if m.row >= first_row), 0)

    def _show_current(self) -> None:
        total = len(self.matches)
        if not self.edit.text().strip():
            self.count_label.setText("")
        elif total == 0:
            self.count_label.setText("No matches")
        else:
            self.count_label.setText(f"{self.current + 1} of {total}")
        self.previous_button.setEnabled(total > 1)
        self.next_button.setEnabled(total > 1)
        self._view.model().set_find(self.matches, self.current)
        if self.current >= 0:
            self._view.reveal_row(self.matches[self.current].row)
