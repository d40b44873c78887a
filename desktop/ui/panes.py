"""The main window's panes: library and search at the left, the transcript (with video,
messages and the find bar) in the middle, insights at the right, the player below."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget

from desktop.ui.banner import MessageBanner
from desktop.ui.chapters.pane import ChaptersPane
from desktop.ui.insights.panel import InsightsPanel
from desktop.ui.jobstatus import JobStatus
from desktop.ui.library.panel import LibraryPanel
from desktop.ui.player.bar import PlayerBar
from desktop.ui.player.video import VideoArea
from desktop.ui.podcasts.pane import PodcastsPane
from desktop.ui.queue.pane import QueuePane
from desktop.ui.search.pane import SearchPane
from desktop.ui.transcript.find import FindBar
from desktop.ui.transcript.view import TranscriptView

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow

NO_EPISODE = "Open an episode from the library, or drop a file here."


def build_panes(window: MainWindow) -> None:
    """Create the panes as attributes of `window` (tests and handlers reach them there)."""
    window.library_panel = LibraryPanel(window)
    window.transcript = TranscriptView(window)
    window.transcript.set_empty_text(NO_EPISODE)
    window.insights = InsightsPanel(window)
    window.video = VideoArea(window)
    window.video.hide()
    window.player.set_video_output(window.video.video_widget)
    window.banner = MessageBanner(window)
    window.find_bar = FindBar(window.transcript, window)
    window.player_bar = PlayerBar(window.player, window)

    window.center_split = QSplitter(Qt.Orientation.Vertical, window)
    window.center_split.setObjectName("centerSplit")
    window.center_split.addWidget(window.video)
    window.center_split.addWidget(window.transcript)
    window.center_split.setStretchFactor(1, 1)
    center = QWidget(window)
    column = QVBoxLayout(center)
    column.setContentsMargins(0, 0, 0, 0)
    column.addWidget(window.banner)
    column.addWidget(window.center_split, 1)
    column.addWidget(window.find_bar)

    window.main_split = QSplitter(Qt.Orientation.Horizontal, window)
    window.main_split.setObjectName("mainSplit")
    window.search_pane = SearchPane(window.session.library.path, window)
    window.left_tabs = QTabWidget(window)
    window.left_tabs.setDocumentMode(True)
    window.left_tabs.setAccessibleName("Library, search, chapters, podcasts and queue")
    window.left_tabs.addTab(window.library_panel, "Library")
    window.left_tabs.addTab(window.search_pane, "Search")
    window.chapters = ChaptersPane(window)
    window.left_tabs.addTab(window.chapters, "Chapters")
    window.podcasts = PodcastsPane(window)
    window.left_tabs.addTab(window.podcasts, "Podcasts")
    window.queue_pane = QueuePane(window)
    window.left_tabs.addTab(window.queue_pane, "Queue")
    window.main_split.addWidget(window.left_tabs)
    window.main_split.addWidget(center)
    window.main_split.addWidget(window.insights)
    window.main_split.setStretchFactor(1, 1)
    window.main_split.setSizes([390, 510, 380])  # five tabs at the left fit in 390
    root = QWidget(window)
    layout = QVBoxLayout(root)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(window.main_split, 1)
    layout.addWidget(window.player_bar)
    window.setCentralWidget(root)

    window.job_status = JobStatus(window)
    window.statusBar().addPermanentWidget(window.job_status)
