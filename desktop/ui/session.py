"""The window's state: the open episode, and the background work that feeds it.

Views never touch the library: they listen to these signals and call these methods. Reads
for the open episode happen here on the UI thread (a few ms); anything that can take
longer (transcription, import, insights) runs as a Job with its own connection.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from desktop.core.downloads import DownloadCancelled
from desktop.core.errors import ChangedElsewhereError, EarmarkError, ModelNeededError
from desktop.core.insights.payload import Insights
from desktop.core.model import Episode, EpisodeStatus, Note, QueueEntry, Segment, Word
from desktop.core.store import Library
from desktop.services import editing, retranscription
from desktop.services import notes as notes_service
from desktop.services.opening import is_transcript_file, known_episode
from desktop.services.queue import media_files
from desktop.services.transcription import Progress, check_storable_name
from desktop.ui import tasks
from desktop.ui.insights.runs import MAKING, EngineOption, InsightRuns, engine_options
from desktop.ui.jobs import Job, JobRunner
from desktop.ui.queue.runner import TranscriptionQueue
from desktop.ui.queue.watch import FolderWatcher

T = TypeVar("T")
UNFINISHED = (EpisodeStatus.TRANSCRIBING, EpisodeStatus.FAILED, EpisodeStatus.PENDING)


@dataclass(frozen=True, slots=True)
class LoadedEpisode:
    episode: Episode
    segments: list[Segment]  # without word timings: `words(row)` reads a row's
    insights: Insights | None
    words: Callable[[int], list[Word] | None]


class Session(QObject):
    library_changed = Signal()  # the episode list changed: reload it
    episode_loaded = Signal(object)  # LoadedEpisode: a (different) episode is now open
    episode_updated = Signal(object)  # Episode: the open one's status or fields changed
    segments_added = Signal(list)  # new rows of the open episode, from a running transcription
    insights_changed = Signal(object)  # Insights | None for the open episode
    insights_busy = Signal(object, object)  # text | None, fraction | None (open episode)
    insights_notice = Signal(object)  # str | None: why the insights are not what was asked
    insights_partial = Signal(object)  # Insights: sections an LLM has written so far
    transcription_progress = Signal(object)  # Progress, any episode
    transcription_ended = Signal(int)  # episode id: finished, cancelled or failed
    message = Signal(str, str)  # level ("error", "warning", "info"), text
    model_needed = Signal(str, str)  # a Whisper model to fetch, and why (an error line)
    notes_changed = Signal(list)  # list[Note]: the open episode's notes, after any change
    segments_changed = Signal(list)  # [(idx, Segment)]: rows of the open episode, changed
    speaker_changed = Signal(list, object)  # indices, speaker (str | None): open episode
    jobs_changed = Signal()

    def __init__(self, library: Library, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.runner = JobRunner(self)
        self.runner.changed.connect(self.jobs_changed)
        self.current: Episode | None = None
        self._rows = 0  # rows of the open episode the views hold
        self._show_next: Path | None = None  # the path whose episode to open once known
        # Work for the transcriber, which runs one job at a time, kept in the library:
        # media to open here; other kinds (again, a podcast episode) are registered by
        # the window's controllers. The window starts it once all are registered.
        self.queue = TranscriptionQueue(self)
        self.queue.register("media", self._media_job)
        self.queue.ended = self._transcription_finished
        self.watcher = FolderWatcher(self)  # off until the window applies the settings
        self.insight_runs = InsightRuns(self)

    # --- reading ----------------------------------------------------------------------------

    def episodes(self) -> list[Episode]:
        return self.library.episodes()

    def open_episode(self, episode_id: int) -> bool:
        """Show an episode; False (and a message) when it cannot be read."""
        try:
            with self.library.transaction(write=False):
                episode = self.library.episode(episode_id)
                segments = self.library.segments(episode_id, words=False)
                insights = self._stored_insights(episode_id)
        except EarmarkError as exc:
            self.message.emit("error", str(exc))
            return False
        self.current = episode
        self._rows = len(segments)
        words = partial(self.library.segment_words, episode_id)
        self.episode_loaded.emit(LoadedEpisode(episode, segments, insights, words))
        self._notes_changed(episode_id)
        job = self.runner.find("insights", episode_id)
        self.insights_busy.emit(MAKING if job else None, None)
        if episode.status is EpisodeStatus.DONE and insights is None and segments:
            self.make_insights(episode_id)
        return True

    def needs_resume(self, episode: Episode | None = None) -> bool:
        episode = episode or self.current
        return (
            episode is not None
            and episode.media_path is not None
            and episode.status in UNFINISHED
            and self.transcription_job(episode.id) is None
        )

    def transcription_job(self, episode_id: int | None = None) -> Job | None:
        for job in self.runner.jobs("transcribe"):
            if episode_id is None or getattr(job, "episode_id", None) == episode_id:
                return job
        return None

    def engine_options(self) -> list[EngineOption]:
        """The insight engines to offer: extraction, and each LLM the user set up."""
        return engine_options()

    # --- opening files ----------------------------------------------------------------------

    def open_paths(self, paths: list[Path]) -> None:
        """Open what the user pointed at; the last one is shown when it is ready."""
        for path in map(Path, paths):
            if path.is_dir():  # its media, queued in name order (shown as they come)
                for media in media_files([path]):
                    self.queue_media(media)
                continue
            self._show_next = path
            known = known_episode(self.library, path)
            if known is not None:
                self.open_episode(known.id)  # at once, with what is stored
                if self.needs_resume(known):
                    self.queue_media(path)
            elif is_transcript_file(path):
                self._start_import(path)
            else:
                self.queue_media(path)

    def resume(self, episode_id: int) -> None:
        episode = self.library.episode(episode_id)
        if episode.media_path:
            self._show_next = Path(episode.media_path)
            self.queue_media(Path(episode.media_path))

    def cancel_transcription(self) -> None:
        """Stop the transcription running now; the files waiting after it go on."""
        self.queue.cancel_running()
        waiting = self.queue.waiting()
        if waiting:
            self.message.emit(
                "info",
                f"Cancelled; {waiting} more waiting to be transcribed "
                "(Episode → Cancel All Transcriptions stops them too).",
            )

    def cancel_all_transcriptions(self) -> None:
        """Stop the running transcription and cancel every one waiting."""
        self.queue.cancel_all()

    def waiting_transcriptions(self) -> int:
        return self.queue.waiting()

    def relink_media(self, episode_id: int, path: Path) -> None:
        """Point an episode at its media file's new place."""
        episode = self.library.update_episode(episode_id, media_path=str(Path(path).resolve()))
        if self._is_current(episode_id):
            self.current = episode
            self.episode_updated.emit(episode)

    def _start_import(self, path: Path) -> None:
        job = self._open_job("import", path)
        job.succeeded.connect(lambda episode: self._opened(path, episode))
        job.failed.connect(lambda text: self.message.emit("error", text))
        self.runner.start(job)

    def _open_job(self, kind: str, path: Path, slot: str | None = None) -> Job:
        """A job that imports or transcribes `path` (services.opening decides which)."""
        work = partial(tasks.open_file, library_path=self.library.path, path=path, slot=slot)
        return Job(kind, work, subject=path)

    def queue_media(self, path: Path) -> None:
        """Queue a media file to transcribe (opened, resumed, or new in a watched folder)."""
        try:
            check_storable_name(path)  # the queue keeps the path as text, as the episode does
        except EarmarkError as exc:
            self.message.emit("error", str(exc))
            return
        self.queue.add("media", str(path), path.name)

    def _media_job(self, entry: QueueEntry, slot: str | None = None) -> Job:
        """A queued file's turn: transcribe it (or resume it) on the engine of `slot`."""
        path = Path(entry.subject)
        job = self._open_job("transcribe", path, slot)
        job.episode_id = None  # known from the first progress report
        job.progress.connect(lambda progress: self._transcribing(job, path, progress))
        job.succeeded.connect(lambda episode: self._opened(path, episode))
        job.failed.connect(lambda text: self.transcription_failed(job, text))
        return job

    def transcription_failed(self, job: Job, text: str) -> None:
        """One line; when another model would do (an English-only model and a German
        episode), the window is told which, to offer fetching it."""
        if isinstance(job.error, ModelNeededError):
            self.model_needed.emit(job.error.model, text)
        elif isinstance(job.error, DownloadCancelled):  # asked for: what came is kept
            self.message.emit("info", text)
        else:
            self.message.emit("error", text)

    def _transcribing(self, job: Job, path: Path, progress: Progress) -> None:
        if job.episode_id is None:  # the episode was just created or resumed
            job.episode_id = progress.episode_id
            self.library_changed.emit()
            if self._show_next == path:
                self.open_episode(progress.episode_id)
        self.transcription_progress.emit(progress)
        if progress.warning:  # the audio seems not English: offer the multilingual model
            self.model_needed.emit("base", progress.warning)
        if self._is_current(progress.episode_id):
            self.pull_new_segments()

    def pull_new_segments(self) -> None:
        assert self.current is not None
        rows = self.library.segments(self.current.id, first=self._rows)
        if rows:
            self._rows += len(rows)
            self.segments_added.emit(rows)

    def _opened(self, path: Path, episode: Episode) -> None:
        self.library_changed.emit()
        if self._is_current(episode.id):
            self.pull_new_segments()
            self.current = self.library.episode(episode.id)
            self.episode_updated.emit(self.current)
        elif self._show_next == path:
            self.open_episode(episode.id)
            return  # opening makes the insights when they are missing
        if episode.status is EpisodeStatus.DONE and self.library.insights(episode.id) is None:
            self.make_insights(episode.id)

    def _transcription_finished(self, job: Job) -> None:
        self.runner.forget(job)  # so that needs_resume() sees it gone
        if job.episode_id is not None:
            if self._is_current(job.episode_id):
                self.current = self.library.episode(job.episode_id)
                self.episode_updated.emit(self.current)
            self.transcription_ended.emit(job.episode_id)
            self.library_changed.emit()

    # --- insights (desktop/ui/insights/runs.py) ---------------------------------------------

    def make_insights(self, episode_id: int, engine: str | None = None) -> None:
        """Insights in a child process; `engine` None means the one chosen in Settings."""
        self.insight_runs.make(episode_id, engine)

    def cancel_insights(self) -> None:
        self.insight_runs.cancel()

    def _stored_insights(self, episode_id: int) -> Insights | None:
        try:
            return self.library.insights(episode_id)
        except EarmarkError as exc:  # unreadable payload: say so, make new ones
            self.message.emit("warning", str(exc))
            return None

    def _is_current(self, episode_id: int) -> bool:
        return self.current is not None and self.current.id == episode_id

    # --- notes and corrections --------------------------------------------------------------
    #
    # Each call writes at once through the services and hands back what an undo needs
    # (None, with an error message, when it could not); the views of the open episode hear
    # of the change through notes_changed and segments_changed. The episode need not be
    # open: undoing in one episode what was done in another only writes the library.

    def add_note(
        self,
        episode_id: int,
        text: str,
        at: float | None = None,
        segment_idx: int | None = None,
    ) -> Note | None:
        note = self.attempt(notes_service.add_note, self.library, episode_id, text, at, segment_idx)
        self._notes_changed(episode_id)
        return note

    def edit_note(self, note_id: int, text: str) -> tuple[Note, Note] | None:
        changed = self.attempt(notes_service.edit_note, self.library, note_id, text)
        if changed is not None:
            self._notes_changed(changed[1].episode_id)
        return changed

    def delete_note(
        self, note_id: int, expected: Note | None = None, step: str = "done"
    ) -> Note | None:
        """Delete a note; an undo or redo names the note it `expected` to find."""
        note = self.attempt(
            partial(notes_service.delete_note, expected=expected), self.library, note_id, step=step
        )
        if note is not None:
            self._notes_changed(note.episode_id)
        elif expected is not None:
            self._notes_changed(expected.episode_id)  # show what the library holds now
        return note

    def restore_note(self, note: Note, expected: Note | None, step: str) -> Note | None:
        """A deleted note back under its id (`expected` None), or a note's earlier or later
        text back over `expected` (undo, redo); None when the note changed elsewhere."""
        restored = self.attempt(
            partial(notes_service.restore_note, expected=expected), self.library, note, step=step
        )
        self._notes_changed(note.episode_id)
        return restored

    def edit_segment(self, episode_id: int, idx: int, text: str) -> tuple[Segment, Segment] | None:
        changed = self.attempt(editing.edit_segment, self.library, episode_id, idx, text)
        if changed is not None and changed[1] is not changed[0]:
            self._segments_changed(episode_id, [(idx, changed[1])])
        return changed

    def restore_segment(
        self, episode_id: int, idx: int, segment: Segment, expected: Segment, step: str
    ) -> Segment | None:
        """Write a segment's earlier (undo) or later (redo) value back, over `expected` (what
        the step left there); None when the row changed elsewhere since, or is gone."""
        restored = self.attempt(
            partial(editing.restore_segment, expected=expected),
            self.library,
            episode_id,
            idx,
            segment,
            step=step,
        )
        if restored is not None:
            self._segments_changed(episode_id, [(idx, restored)])
        else:
            self._refresh_segments(episode_id, [idx])  # show what the library holds now
        return restored

    def speaker_segments(self, episode_id: int, speaker: str) -> list[int]:
        return self.attempt(editing.speaker_segments, self.library, episode_id, speaker) or []

    def rename_speaker(
        self, episode_id: int, old: str, new: str, step: str = "done"
    ) -> list[int] | None:
        """Rename a speaker throughout an episode; the renamed segments' indices, read in
        the transaction that renamed them (an undo gives exactly those their old name back
        with set_speaker), or None when nothing changed."""
        indices = self.attempt(
            editing.rename_speaker, self.library, episode_id, old, new, step=step
        )
        if not indices:
            return None
        self._speaker_changed(episode_id, indices)
        return indices

    def set_speaker(
        self,
        episode_id: int,
        indices: Sequence[int],
        speaker: str | None,
        expected: str | None,
        step: str,
    ) -> bool:
        """Give these segments `speaker` back, when all are still spoken by `expected`."""
        done = self.attempt(
            partial(editing.set_speaker, expected=expected),
            self.library,
            episode_id,
            indices,
            speaker,
            step=step,
        )
        if done is None:
            self._refresh_segments(episode_id, indices)
            return False
        self._speaker_changed(episode_id, indices)
        return True

    def swap_transcript(self, episode_id: int, step: str) -> bool:
        """Show the transcript a re-transcription replaced (undo), or the one that replaced
        it (redo): one swap either way; refused when the shown one changed since."""
        episode = self.attempt(
            retranscription.restore_previous, self.library, episode_id, step=step
        )
        if episode is None:
            return False
        self.library_changed.emit()
        if self._is_current(episode_id):
            self.open_episode(episode_id)  # the other transcript, its insights, the notes
        return True

    def attempt(self, call: Callable[..., T], *args: object, step: str = "done") -> T | None:
        try:
            return call(*args)
        except ChangedElsewhereError as exc:
            # An undo or redo that would overwrite someone else's change: one line.
            self.message.emit("warning", f"Not {step}: {exc}")
            return None
        except EarmarkError as exc:
            self.message.emit("error", str(exc))
            return None

    def _refresh_segments(self, episode_id: int, indices: Sequence[int]) -> None:
        """Show these rows as the library holds them now (another program changed them)."""
        if not self._is_current(episode_id) or not indices:
            return
        wanted = set(indices)
        try:
            segments = self.library.segments(episode_id, words=False)
        except EarmarkError:
            return
        self.segments_changed.emit([(i, s) for i, s in enumerate(segments) if i in wanted])

    def _notes_changed(self, episode_id: int) -> None:
        if self._is_current(episode_id):
            self.notes_changed.emit(self.library.notes(episode_id))

    def _segments_changed(self, episode_id: int, rows: list[tuple[int, Segment]]) -> None:
        if self._is_current(episode_id):
            self.segments_changed.emit(rows)

    def _speaker_changed(self, episode_id: int, indices: Sequence[int]) -> None:
        if not self._is_current(episode_id) or not indices:
            return
        # One row tells the stored name (the service tidies its spaces); the rest follow.
        name = self.library.segment(episode_id, indices[0]).speaker
        self.speaker_changed.emit(list(indices), name)

    # --- closing ----------------------------------------------------------------------------

    def shutdown(self, timeout: float = 10.0) -> bool:
        """Stop background work at its next step; what was stored stays stored."""
        self.queue.stop()
        self.runner.cancel_all()
        return self.runner.wait_all(timeout)
