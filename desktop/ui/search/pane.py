"""Search every transcript and note in the library (Ctrl+Shift+F), as you type.

Each query runs on a worker thread with its own connection, after a short pause in
typing; a result that arrives for an older query is dropped, so the list always shows
what the box says.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QVBoxLayout,
    QWidget,
)

from desktop.core.model import Episode
from desktop.core.search import SearchHit, search
from desktop.core.store import Library
from desktop.ui.jobs import Job, JobRunner
from desktop.ui.search.model import ResultDelegate, ResultsModel
from desktop.ui.widgets import search_box

DEBOUNCE_MS = 40  # coalesces a burst of keys; the results still come within 100 ms
MIN_CHARS = 2  # a one-letter prefix matches most of a library and takes ~0.3 s
MIN_PREFIX = 3  # a shorter last word is searched whole: "ab*" costs ~0.3 s, "abc*" ~20 ms
LIMIT = 200


def run_search(library_path: Path, text: str, episode_id: int | None) -> list[SearchHit]:
    with Library.open(library_path) as library:
        return search(library.conn, text, episode_id=episode_id, limit=LIMIT, min_prefix=MIN_PREFIX)


class SearchPane(QWidget):
    result_activated = Signal(int, float, bool)  # episode id, time, play from there

    def __init__(self, library_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library_path = library_path
        self.runner = JobRunner(self)
        self._generation = 0
        self.edit = search_box(self, "Search every transcript and note", "Search the library")
        self.edit.setToolTip('Words, "a phrase", OR, -exclude; the last word matches as a prefix')
        self.scope = QComboBox(self)
        self.scope.setAccessibleName("Search in")
        self.scope.addItem("All episodes", None)
        self.play_box = QCheckBox("Play from the result", self)
        self.status = QLabel(self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setAccessibleName("Search status")
        self.model = ResultsModel(self)
        self.list_view = QListView(self)
        self.list_view.setModel(self.model)
        self.list_view.setItemDelegate(ResultDelegate(self.list_view))
        self.list_view.setWordWrap(True)
        self.list_view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.list_view.setAccessibleName("Search results")
        self.list_view.activated.connect(self._activate)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.search_now)
        self.edit.textChanged.connect(lambda _: self._timer.start())
        self.edit.returnPressed.connect(self._enter)
        self.scope.currentIndexChanged.connect(lambda _: self.search_now())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.edit)
        row = QHBoxLayout()
        row.addWidget(self.scope, 1)
        row.addWidget(self.play_box)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.list_view, 1)

    def set_episodes(self, episodes: list[Episode]) -> None:
        """The episode filter's choices; the chosen one is kept when it still exists."""
        chosen = self.scope.currentData()
        self.scope.blockSignals(True)
        self.scope.clear()
        self.scope.addItem("All episodes", None)
        for episode in episodes:
            self.scope.addItem(episode.title, episode.id)
        index = self.scope.findData(chosen)
        self.scope.setCurrentIndex(max(0, index))
        self.scope.blockSignals(False)

    def focus(self) -> None:
        self.edit.setFocus()
        self.edit.selectAll()

    def search_now(self) -> None:
        self._timer.stop()
        self._generation += 1
        generation, text = self._generation, self.edit.text()
        if len(text.strip()) < MIN_CHARS:
            self.model.set_hits([])
            self.status.setText("Type at least two letters" if text.strip() else "")
            return
        episode_id = self.scope.currentData()
        job = Job("search", lambda _ctx: run_search(self.library_path, text, episode_id))
        job.succeeded.connect(lambda hits: self._show(generation, hits))
        job.failed.connect(lambda message: self._failed(generation, message))
        self.runner.start(job)

    def _show(self, generation: int, hits: list[SearchHit]) -> None:
        if generation != self._generation:
            return  # an older query: the box says something else now
        self.model.set_hits(hits)
        more = "+" if len(hits) >= LIMIT else ""
        self.status.setText(f"{len(hits)}{more} results" if hits else "No results")

    def _failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.model.set_hits([])
            self.status.setText(message)

    def _enter(self) -> None:
        if self._timer.isActive():
            self.search_now()
        elif self.model.rowCount():
            self.list_view.setFocus()
            self.list_view.setCurrentIndex(self.model.index(0))

    def _activate(self, index: QModelIndex) -> None:
        hit: SearchHit = index.data(ResultsModel.HitRole)
        self.result_activated.emit(hit.episode_id, hit.start, self.play_box.isChecked())

    def idle(self) -> bool:
        """No query waiting or running (for tests and benchmarks)."""
        return not self._timer.isActive() and not self.runner.jobs()
