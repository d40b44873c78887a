"""Keeps the Chapters tab and the seek bar's ticks on the open episode, follows playback,
and does Previous/Next Chapter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from desktop.core.chapters import chapter_at, neighbour, outline
from desktop.core.errors import EarmarkError

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow
    from desktop.ui.session import LoadedEpisode


class ChaptersController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.pane = window.chapters
        self.entries: list = []
        window.session.episode_loaded.connect(self.load)
        window.player.position_changed.connect(self.follow)
        self.pane.chapter_activated.connect(self.play_from)

    def load(self, loaded: LoadedEpisode) -> None:
        episode = loaded.episode
        try:
            chapters = self.window.session.library.chapters(episode.id)
        except EarmarkError:
            chapters = []
        duration = episode.duration or (loaded.segments[-1].end if loaded.segments else None)
        self.entries = outline(chapters, duration)
        self.pane.set_outline(self.entries)
        self.window.player_bar.set_chapters(self.entries)
        self.follow(0.0)

    def follow(self, seconds: float) -> None:
        self.pane.set_current(chapter_at(self.entries, seconds))

    def play_from(self, start: float) -> None:
        """Play from a chapter; without media, show where it starts in the transcript."""
        self.window.seek(start)
        if self.window.player.has_media():
            self.window.player.play()
        self.follow(start)

    def step(self, step: int) -> None:
        target = neighbour(self.entries, self.window.reading_position, step)
        if target is not None:
            self.window.seek(target.start)
            self.follow(target.start)
