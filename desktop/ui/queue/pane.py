"""The Queue tab: every file and episode waiting, running, held or finished, in the order
they will be transcribed, with buttons (and a menu) to move, pause, cancel and retry them.
The pane only shows and asks; ui/queue/controller.py does."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.model import QueueEntry, QueueState
from desktop.core.timecode import short
from desktop.ui.display import shown_text
from desktop.ui.widgets import empty_label

EMPTY = (
    "Nothing is waiting. Open several files or a folder (Ctrl+O, or drop them here) and "
    "they are transcribed here one after another; podcast episodes and Transcribe Again "
    "wait here too."
)
STATE_TEXT = {
    QueueState.WAITING: "Waiting",
    QueueState.RUNNING: "Transcribing",
    QueueState.HELD: "Paused",
    QueueState.DONE: "Done",
    QueueState.FAILED: "Failed",
    QueueState.CANCELLED: "Cancelled",
}
KIND_TEXT = {"media": "", "again": "again", "feed": "podcast"}


class QueuePane(QWidget):
    move_requested = Signal(int, int)  # entry id, step (-1 up, 1 down)
    hold_requested = Signal(int)  # pause (a waiting or running entry)
    release_requested = Signal(int)  # go on (a paused one)
    cancel_requested = Signal(int)
    retry_requested = Signal(int)
    clear_requested = Signal()  # remove the finished entries from the list
    open_requested = Signal(int)  # the episode of an entry
    watch_requested = Signal(bool)  # True: choose a folder to watch; False: stop watching

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Transcription queue")
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Queued files and episodes")
        self.tree.setHeaderLabels(["File or episode", "State"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._menu)
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.tree.itemActivated.connect(self._activated)
        self.buttons = {
            "up": self._button("Up", "Move up: transcribed sooner (Ctrl+Up)"),
            "down": self._button("Down", "Move down: transcribed later (Ctrl+Down)"),
            "pause": self._button("Pause", "Pause this one (a running one stops, keeping "
                                  "what it transcribed); Resume goes on from there"),
            "cancel": self._button("Cancel", "Cancel this one; the others go on (Del)"),
            "retry": self._button("Retry", "Queue a failed or cancelled one again"),
            "clear": self._button("Clear Finished", "Remove done, failed and cancelled "
                                  "entries from the list (their episodes stay)"),
        }  # fmt: skip
        self.buttons["up"].clicked.connect(lambda: self._ask_move(-1))
        self.buttons["down"].clicked.connect(lambda: self._ask_move(1))
        self.buttons["pause"].clicked.connect(self._ask_pause)
        self.buttons["cancel"].clicked.connect(lambda: self._ask(self.cancel_requested))
        self.buttons["retry"].clicked.connect(lambda: self._ask(self.retry_requested))
        self.buttons["clear"].clicked.connect(self.clear_requested)
        for keys, call in (
            ("Ctrl+Up", lambda: self._ask_move(-1)),
            ("Ctrl+Down", lambda: self._ask_move(1)),
            (QKeySequence.StandardKey.Delete, lambda: self._ask(self.cancel_requested)),
        ):
            shortcut = QShortcut(QKeySequence(keys), self.tree)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(call)
        self.empty = empty_label(EMPTY)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.tree)
        self.pages.addWidget(self.empty)
        row = QGridLayout()  # two rows: the tab stays as narrow as the others
        for n, name in enumerate(("up", "down", "pause", "cancel", "retry", "clear")):
            row.addWidget(self.buttons[name], n // 3, n % 3)
        self.watch_label = QLabel()
        self.watch_label.setWordWrap(True)
        self.watch_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.watch_button = self._button(
            "Watch a Folder…", "New audio and video appearing in a folder are queued"
        )
        self.watch_button.clicked.connect(lambda: self.watch_requested.emit(self.watched is None))
        watch_row = QGridLayout()
        watch_row.addWidget(self.watch_label, 0, 0)
        watch_row.addWidget(self.watch_button, 0, 1)
        watch_row.setColumnStretch(0, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.addWidget(self.pages, 1)
        layout.addLayout(row)
        layout.addLayout(watch_row)
        self.watched: Path | None = None
        self.set_watched(None)
        self.entries: list[QueueEntry] = []
        self.progress: dict[int, str] = {}  # entry id -> "42% · 1:10 left"
        self.set_entries([])

    # --- showing ----------------------------------------------------------------------------

    def set_entries(self, entries: list[QueueEntry]) -> None:
        """Show the queue as stored; the selection stays on the same entry."""
        selected = self.selected()
        self.entries = entries
        self.tree.clear()
        for entry in entries:
            item = QTreeWidgetItem([self._title(entry), self._state(entry)])
            item.setData(0, Qt.ItemDataRole.UserRole, entry.id)
            item.setToolTip(0, entry.subject if entry.kind == "media" else entry.title)
            item.setToolTip(1, entry.error or self._state(entry))
            if not entry.active:
                for column in (0, 1):
                    item.setForeground(column, self.palette().placeholderText())
            self.tree.addTopLevelItem(item)
            if selected is not None and entry.id == selected.id:
                self.tree.setCurrentItem(item)
        self.pages.setCurrentWidget(self.tree if entries else self.empty)
        self._update_buttons()

    def set_watched(self, folder: Path | None) -> None:
        self.watched = folder
        self.watch_label.setText(f"Watching {folder}" if folder else "No folder watched")
        self.watch_label.setToolTip(str(folder) if folder else "")
        self.watch_button.setText("Stop Watching" if folder else "Watch a Folder…")

    def set_progress(self, entry_id: int, text: str) -> None:
        """The running entry's progress ("42% · 1:10 left"), shown beside its state."""
        self.progress[entry_id] = text
        for n in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(n)
            if item.data(0, Qt.ItemDataRole.UserRole) == entry_id:
                entry = next(e for e in self.entries if e.id == entry_id)
                item.setText(1, self._state(entry))

    def selected(self) -> QueueEntry | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        entry_id = item.data(0, Qt.ItemDataRole.UserRole)
        return next((e for e in self.entries if e.id == entry_id), None)

    def select(self, entry_id: int) -> None:
        for n in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(n)
            if item.data(0, Qt.ItemDataRole.UserRole) == entry_id:
                self.tree.setCurrentItem(item)

    def _title(self, entry: QueueEntry) -> str:
        kind = KIND_TEXT.get(entry.kind, "")
        return shown_text(f"{entry.title}  ({kind})" if kind else entry.title)

    def _state(self, entry: QueueEntry) -> str:
        text = STATE_TEXT[entry.state]
        if entry.state is QueueState.RUNNING and self.progress.get(entry.id):
            text = f"{text} {self.progress[entry.id]}"
        if entry.state is QueueState.RUNNING and entry.engine:
            text = f"{text} on {entry.engine}"
        if entry.state is QueueState.DONE and entry.engine:
            text = f"{text} ({entry.engine})"
        if entry.state is QueueState.FAILED and entry.error:
            text = f"{text}: {entry.error}"
        return text

    # --- asking -----------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        entry = self.selected()
        active = entry is not None and entry.active
        ids = [e.id for e in self.entries if e.active]
        at = ids.index(entry.id) if entry is not None and entry.id in ids else -1
        self.buttons["up"].setEnabled(at > 0)
        self.buttons["down"].setEnabled(0 <= at < len(ids) - 1)
        paused = entry is not None and entry.state is QueueState.HELD
        self.buttons["pause"].setText("Resume" if paused else "Pause")
        self.buttons["pause"].setEnabled(active)
        self.buttons["cancel"].setEnabled(active)
        self.buttons["retry"].setEnabled(entry is not None and not entry.active)
        self.buttons["clear"].setEnabled(any(not e.active for e in self.entries))

    def _ask(self, signal: Signal) -> None:  # type: ignore[type-arg]
        entry = self.selected()
        if entry is not None:
            signal.emit(entry.id)

    def _ask_move(self, step: int) -> None:
        entry = self.selected()
        if entry is not None and entry.active:
            self.move_requested.emit(entry.id, step)

    def _ask_pause(self) -> None:
        entry = self.selected()
        if entry is None or not entry.active:
            return
        if entry.state is QueueState.HELD:
            self.release_requested.emit(entry.id)
        else:
            self.hold_requested.emit(entry.id)

    def _activated(self, item: QTreeWidgetItem) -> None:
        entry_id = item.data(0, Qt.ItemDataRole.UserRole)
        self.open_requested.emit(entry_id)

    def _menu(self, pos) -> None:  # type: ignore[no-untyped-def]
        item = self.tree.itemAt(pos)
        if item is None:
            return
        self.tree.setCurrentItem(item)
        menu = QMenu(self)
        for name in ("up", "down", "pause", "cancel", "retry"):
            button = self.buttons[name]
            action = menu.addAction(button.text(), button.click)
            action.setEnabled(button.isEnabled())
        menu.addSeparator()
        menu.addAction("Open the Episode", lambda: self._activated(item))
        menu.popup(self.tree.viewport().mapToGlobal(pos))
        self._last_menu = menu

    def _button(self, text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.setAutoDefault(False)
        return button


def progress_text(fraction: float, eta: float | None) -> str:
    left = f" · {short(eta)} left" if eta is not None else ""
    return f"{fraction:.0%}{left}"
