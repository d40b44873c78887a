"""Episode → Transcribe Again With: another Whisper model's transcript, undoable.

The run is a transcription job like any other (status bar progress, time left, Cancel,
one at a time with the files being opened), but the new text is not streamed into the
view: the old transcript stays readable and searchable until the new one is complete, then
one swap in the library shows it (desktop/services/retranscription.py). The swap is an
undo step; undo and redo are each one more swap.
"""

from __future__ import annotations

import json
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QMenu

from desktop.core.model import EpisodeStatus, QueueEntry
from desktop.services.retranscription import Retranscribed
from desktop.services.whisper_models import model_states
from desktop.ui import tasks
from desktop.ui.jobs import Job
from desktop.ui.undo import SessionCommand

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow
    from desktop.ui.session import Session

AGAIN_KIND = "transcribe"  # the same queue, status bar and Cancel as any transcription
AGAIN_QUEUE = "again"  # its kind of queue entry (subject: episode id and model, JSON)


class RetranscribeCommand(SessionCommand):
    """The swap a finished re-transcription made; undo and redo swap again."""

    def __init__(self, session: Session, episode_id: int, model: str) -> None:
        super().__init__(session, episode_id, f"Transcribe Again With {model}")

    def apply(self) -> bool:
        return self.session.swap_transcript(self.episode_id, "redone")

    def revert(self) -> bool:
        return self.session.swap_transcript(self.episode_id, "undone")


class Retranscriber(QObject):
    def __init__(self, window: MainWindow, stack: QUndoStack) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.stack = stack
        self.menu = QMenu("Transcribe &Again With", window)
        self.menu.setToolTip("Transcribe this episode again with another Whisper model")
        self.menu.aboutToShow.connect(self.fill_menu)
        self.session.queue.register(AGAIN_QUEUE, self._queued_job, anywhere=False)

    def can_start(self) -> bool:
        episode = self.session.current
        return (
            episode is not None
            and episode.media_path is not None
            and episode.status in (EpisodeStatus.DONE, EpisodeStatus.FAILED)
            and self.session.transcription_job(episode.id) is None
        )

    def fill_menu(self) -> None:
        """The installed models, the one that made this transcript checked and greyed out;
        a way to get more."""
        self.menu.clear()
        current = self.session.current
        enabled = self.can_start()
        for state in (s for s in model_states() if s.installed):
            name = state.model.name
            action = self.menu.addAction(state.model.label)
            action.setToolTip(state.model.note)
            made_it = current is not None and current.model in (name, state.path.name)
            action.setCheckable(True)
            action.setChecked(made_it)
            action.setEnabled(enabled and not made_it)
            action.triggered.connect(partial(self.start_current, name))
        self.menu.addSeparator()
        more = self.menu.addAction("Get More Models…")
        more.triggered.connect(lambda: self.window.show_settings())

    def start_current(self, model: str) -> None:
        if self.session.current is not None and self.can_start():
            self.start(self.session.current.id, model)

    def start(self, episode_id: int, model: str) -> None:
        """Queued behind any transcription running: the engine does one at a time."""
        title = self.session.library.episode(episode_id).title
        subject = json.dumps({"episode_id": episode_id, "model": model}, sort_keys=True)
        self.session.queue.add(AGAIN_QUEUE, subject, f"{title} (again with {model})")
        self.window.statusBar().showMessage(f"Transcribing again with {model}…")

    def _queued_job(self, entry: QueueEntry, _slot: str | None) -> Job:
        asked = json.loads(entry.subject)
        self.session.library.episode(int(asked["episode_id"]))  # gone: the entry fails
        return self._job(int(asked["episode_id"]), str(asked["model"]))

    def _job(self, episode_id: int, model: str) -> Job:
        work = partial(
            tasks.retranscribe_episode,
            library_path=self.session.library.path,
            episode_id=episode_id,
            model=model,
        )
        job = Job(AGAIN_KIND, work, subject=("again", episode_id))
        job.episode_id = episode_id  # type: ignore[attr-defined]
        job.progress.connect(self.session.transcription_progress)
        job.succeeded.connect(lambda result: self._done(result, model))
        job.failed.connect(lambda text: self.session.transcription_failed(job, text))
        return job

    def _done(self, result: Retranscribed, model: str) -> None:
        episode_id = result.episode.id
        if result.cancelled:
            self.session.message.emit(
                "info", "Transcribing again was cancelled; the transcript is as it was."
            )
            return
        self.stack.push(RetranscribeCommand(self.session, episode_id, model))
        self.session.library_changed.emit()
        if self.session.current is not None and self.session.current.id == episode_id:
            self.session.open_episode(episode_id)  # the new text; insights are made anew
        text = f"{result.summary()} Undo brings the earlier transcript back."
        self.window.show_message("info", text, "Undo", self.window.notes.undo)
