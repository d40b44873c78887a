"""Keeps the Chapters tab and the seek bar's ticks on the open episode, follows playback,
does Previous/Next Chapter, and hands edits to ChapterEditor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from desktop.core.chapters import chapter_at, neighbour, outline
from desktop.core.errors import EarmarkError
from desktop.ui import tasks
from desktop.ui.chapters.editing import ChapterEditor
from desktop.ui.jobs import Job, ProcessJob

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
        self.pane.make_requested.connect(self.make)
        self.episode_id: int | None = None
        self.duration: float | None = None
        self.editor = ChapterEditor(self, window.undo_stack)

    def load(self, loaded: LoadedEpisode) -> None:
        episode = loaded.episode
        self.episode_id = episode.id
        self.duration = episode.duration or (loaded.segments[-1].end if loaded.segments else None)
        self.show_chapters()
        self.follow(0.0)

    def show_chapters(self) -> None:
        """The open episode's chapters as stored now, in the tab and on the seek bar."""
        if self.episode_id is None:
            return
        try:
            chapters = self.window.session.library.chapters(self.episode_id)
        except EarmarkError:
            chapters = []
        self.entries = outline(chapters, self.duration)
        self.pane.set_outline(self.entries)
        self.window.player_bar.set_chapters(self.entries)
        self.window.transcript.set_chapters(chapters)

    def make(self) -> Job | None:
        """Chapters made from the open episode's transcript, in a child process (the
        cohesion maths holds the GIL); shown when ready."""
        if self.episode_id is None:
            return None
        episode_id = self.episode_id
        session = self.window.session
        job = ProcessJob(
            "chapters", tasks.make_chapters, (session.library.path, episode_id), episode_id
        )
        self.pane.make_button.setEnabled(False)
        job.progress.connect(self._progress)
        job.succeeded.connect(lambda told: self._made(episode_id, told))
        job.failed.connect(lambda text: session.message.emit("error", text))
        job.finished.connect(lambda: self.pane.make_button.setEnabled(True))
        return session.runner.start(job)

    def _progress(self, update: object) -> None:
        """A model titling the chapters: which one, and how far (InsightProgress)."""
        stage, fraction = getattr(update, "stage", ""), getattr(update, "fraction", None)
        if stage and fraction is not None:
            self.window.statusBar().showMessage(f"Chapters: {stage} ({fraction:.0%})")

    def _made(self, episode_id: int, told: list[str]) -> None:
        self.changed(episode_id)
        # The insights' sections and Summary follow the chapters: extracted ones are
        # made again at once (seconds); a model's answer stays until Regenerate.
        session = self.window.session
        try:
            shown = session.library.insights(episode_id)
        except EarmarkError:
            shown = None
        if shown is None or shown.engine == "extractive":
            session.make_insights(episode_id, "extractive")
        else:
            told = [*told, "Regenerate Insights (Ctrl+R) to follow the new chapters"]
        for line in told:  # who titled them, or why keyphrases did
            self.window.statusBar().showMessage(line, 10_000)

    def changed(self, episode_id: int, select: float | None = None) -> None:
        """The episode's chapters changed (made, edited, undone): shown where the reader
        is, when it is open; `select` marks the chapter starting there in the tab."""
        if self.episode_id != episode_id:
            return
        self.show_chapters()
        self.follow(self.window.reading_position)
        if select is not None:
            row = next((e.index for e in self.entries if abs(e.start - select) < 1e-6), None)
            if row is not None:
                self.pane.list.setCurrentRow(row)

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
