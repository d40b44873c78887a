"""Keeps the Queue tab on the transcription queue: the entries as stored, the running
one's progress, and the pane's asks (move, pause, resume, cancel, retry, clear, open)
handed to TranscriptionQueue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from desktop.core.errors import EarmarkError
from desktop.core.model import QueueState
from desktop.core.settings import load_settings, save_settings
from desktop.services.transcription import Progress
from desktop.ui.queue.pane import progress_text

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow


class QueueController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.pane = window.queue_pane
        self.queue = queue = window.session.queue
        queue.changed.connect(self.reload)
        window.session.transcription_progress.connect(self.progress)
        self.pane.move_requested.connect(self._move)
        self.pane.hold_requested.connect(queue.hold)
        self.pane.release_requested.connect(queue.release)
        self.pane.cancel_requested.connect(queue.cancel)
        self.pane.retry_requested.connect(queue.retry)
        self.pane.clear_requested.connect(queue.clear_finished)
        self.pane.open_requested.connect(self.open_entry)
        self.pane.watch_requested.connect(self.ask_watch)
        window.session.watcher.watching_changed.connect(self.pane.set_watched)
        self.reload()

    def follow_settings(self) -> None:
        """Watch the folder the settings name (none: stop)."""
        try:
            folder = load_settings().watch_folder
        except EarmarkError:  # a broken settings file was said when it was read
            folder = None
        self.window.session.watcher.watch(folder)

    def ask_watch(self, start: bool) -> None:
        """Choose a folder to watch (kept in the settings), or stop watching."""
        folder = None
        if start:
            chosen = QFileDialog.getExistingDirectory(self.window, "Watch a folder")
            if not chosen:
                return
            folder = chosen
        try:
            settings = load_settings()
            settings.watch_folder = folder
            save_settings(settings)
        except EarmarkError as exc:
            self.window.show_message("error", str(exc))
            return
        self.window.session.watcher.watch(folder)

    def reload(self) -> None:
        entries = self.queue.entries()
        self.pane.set_entries(entries)
        active = sum(e.active for e in entries)
        tabs = self.window.left_tabs
        tabs.setTabText(tabs.indexOf(self.pane), f"Queue ({active})" if active else "Queue")

    def progress(self, progress: Progress) -> None:
        for entry in self.pane.entries:
            job = self.queue.job(entry.id)
            running = entry.state is QueueState.RUNNING and job is not None
            if running and getattr(job, "episode_id", None) == progress.episode_id:
                self.pane.set_progress(entry.id, progress_text(progress.fraction, progress.eta))

    def open_entry(self, entry_id: int) -> None:
        entry = next((e for e in self.pane.entries if e.id == entry_id), None)
        job = self.queue.job(entry_id)
        episode_id = entry.episode_id if entry is not None else None
        episode_id = episode_id or getattr(job, "episode_id", None)
        if episode_id is not None:
            self.window.session.open_episode(episode_id)
        else:
            self.window.statusBar().showMessage("Its episode is made when its turn comes.", 5000)

    def _move(self, entry_id: int, step: int) -> None:
        self.queue.move(entry_id, step)
        self.pane.select(entry_id)
