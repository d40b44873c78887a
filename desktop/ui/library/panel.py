"""The library panel: the episode list, or a welcome page with ways in while it is empty."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.model import Episode
from desktop.ui import icons
from desktop.ui.library.delegate import LibraryDelegate
from desktop.ui.library.model import LibraryModel

EMPTY_TITLE = "Your library is empty"
EMPTY_TEXT = (
    "Open an audio or video file to transcribe it on this computer, or a transcript "
    "(SRT, VTT, JSON, TXT, Markdown) to read it. You can also drop files here."
)


class EmptyLibrary(QWidget):
    """A centred welcome: what Earmark does with files, and two buttons to start."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Empty library")
        title = QLabel(EMPTY_TITLE)
        title.setAccessibleName(EMPTY_TITLE)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title.setWordWrap(True)
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        title.setFont(font)
        text = QLabel(EMPTY_TEXT)
        text.setAccessibleName(EMPTY_TEXT)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setWordWrap(True)
        text.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.open_button = QPushButton(icons.icon("open"), "Open a file…")
        self.open_button.setToolTip("Open an audio, video or transcript file (Ctrl+O)")
        self.open_button.setAccessibleName("Open a file")
        self.open_button.setDefault(True)
        self.sample_button = QPushButton(icons.icon("sample"), "Open the sample episode")
        self.sample_button.setToolTip("Open a short sample episode that comes with Earmark")
        self.sample_button.setAccessibleName("Open the sample episode")
        buttons = QVBoxLayout()
        buttons.setSpacing(6)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.sample_button)
        centred = QHBoxLayout()
        centred.addStretch(1)
        centred.addLayout(buttons)
        centred.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(10)
        layout.addStretch(1)
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addSpacing(6)
        layout.addLayout(centred)
        layout.addStretch(2)  # a little above centre reads better than dead centre


class LibraryPanel(QWidget):
    """Episodes, newest first; double-click or Enter opens one."""

    episode_activated = Signal(int)
    open_requested = Signal()
    sample_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Library")
        self.model = LibraryModel(self)
        self.list_view = self._make_view()
        self.empty = EmptyLibrary()
        self.empty.open_button.clicked.connect(self.open_requested)
        self.empty.sample_button.clicked.connect(self.sample_requested)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.list_view)
        self.pages.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        for signal in (self.model.rowsInserted, self.model.rowsRemoved, self.model.modelReset):
            signal.connect(self._update_page)
        self._update_page()

    def _make_view(self) -> QListView:
        view = QListView()
        view.setAccessibleName("Episodes")
        view.setModel(self.model)
        view.setItemDelegate(LibraryDelegate(view))
        # Same-height rows: layout stays instant however large the library grows.
        view.setUniformItemSizes(True)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.setFrameShape(QFrame.Shape.NoFrame)
        view.setMouseTracking(True)
        view.viewport().setAttribute(Qt.WidgetAttribute.WA_Hover)
        # `activated` is Enter, or a double-click (single click where the platform says so).
        view.activated.connect(self._on_activated)
        return view

    # -- public API ----------------------------------------------------------------

    def set_episodes(self, episodes: list[Episode]) -> None:
        """Show `episodes` (newest first), keeping the open episode selected."""
        current = self.model.current_id
        self.model.set_episodes(episodes)
        if current is not None:
            self.set_current(current)

    def set_current(self, episode_id: int | None) -> None:
        """Mark and select the episode open in the window (None: nothing is open)."""
        self.model.set_current(episode_id)
        selection = self.list_view.selectionModel()
        row = -1 if episode_id is None else self.model.row_of(episode_id)
        if row < 0:
            selection.clearSelection()
            return
        index = self.model.index(row, 0)
        selection.setCurrentIndex(index, selection.SelectionFlag.ClearAndSelect)
        self.list_view.scrollTo(index)

    def is_empty_state_shown(self) -> bool:
        return self.pages.currentWidget() is self.empty

    # -- internals -----------------------------------------------------------------

    def _update_page(self) -> None:
        empty = self.model.rowCount() == 0
        self.pages.setCurrentWidget(self.empty if empty else self.list_view)

    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.episode_activated.emit(self.model.episode_at(index.row()).id)
