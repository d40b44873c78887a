"""The Chapters tab: every chapter of the open episode with its time and length; the one
playing is marked; Enter or a click plays from it (or shows it, when nothing can play);
its menu, Del and Insert edit them (ui/chapters/editing.py)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.chapters import OutlineEntry
from desktop.core.timecode import short
from desktop.ui.display import shown_text
from desktop.ui.widgets import empty_label

NO_CHAPTERS = "This episode has no chapters."
NO_EPISODE = "Open an episode to see its chapters."


class ChaptersPane(QWidget):
    chapter_activated = Signal(float)  # the chapter's start, seconds
    make_requested = Signal()  # make chapters for the open episode, which has none
    delete_requested = Signal()  # Del on the selected chapter
    add_requested = Signal()  # Insert: a chapter at the reading position

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Chapters")
        self.list = QListWidget()
        self.list.setAccessibleName("Chapters of the episode")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setWordWrap(True)
        self.list.itemActivated.connect(self._activated)
        self.list.itemClicked.connect(self._activated)
        for key, signal in ((QKeySequence.StandardKey.Delete, self.delete_requested),
                            (QKeySequence(Qt.Key.Key_Insert), self.add_requested)):  # fmt: skip
            shortcut = QShortcut(key, self.list, context=Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(signal)
        self.empty = empty_label(NO_EPISODE)
        self.make_button = QPushButton("Make Chapters")
        self.make_button.setToolTip(
            "Cut the transcript into chapters at its topic shifts, each titled by its topic"
        )
        self.make_button.clicked.connect(self.make_requested)
        empty_page = QWidget()
        column = QVBoxLayout(empty_page)
        column.addStretch(1)
        column.addWidget(self.empty)
        column.addWidget(self.make_button, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(2)
        self.empty_page = empty_page
        self.pages = QStackedWidget()
        self.pages.addWidget(self.list)
        self.pages.addWidget(empty_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self.entries: list[OutlineEntry] = []
        self.current: int | None = None
        self.set_outline([], episode_open=False)

    def set_outline(self, entries: list[OutlineEntry], episode_open: bool = True) -> None:
        self.entries = entries
        self.current = None
        self.list.clear()
        for entry in entries:
            length = f" · {short(entry.length)}" if entry.length is not None else ""
            item = QListWidgetItem(f"{short(entry.start)}  {shown_text(entry.title)}{length}")
            made = "\nMade by Earmark from the transcript" if entry.made else ""
            item.setToolTip(entry.title + made)
            item.setData(Qt.ItemDataRole.UserRole, entry.start)
            self.list.addItem(item)
        self.empty.setText(NO_CHAPTERS if episode_open else NO_EPISODE)
        self.make_button.setVisible(episode_open and not entries)
        self.make_button.setEnabled(True)
        self.pages.setCurrentWidget(self.list if entries else self.empty_page)

    def set_current(self, index: int | None) -> None:
        """Mark the chapter playing (bold, and selected so the keyboard starts there)."""
        if index == self.current:
            return
        for n in (self.current, index):
            if n is not None and 0 <= n < self.list.count():
                font = QFont(self.list.font())
                font.setBold(n == index)
                self.list.item(n).setFont(font)
        self.current = index
        if index is not None:
            self.list.setCurrentRow(index)
            self.list.scrollToItem(self.list.item(index))

    def _activated(self, item: QListWidgetItem) -> None:
        self.chapter_activated.emit(float(item.data(Qt.ItemDataRole.UserRole)))
