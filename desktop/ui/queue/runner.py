"""The window's transcription queue, in the order the user chose, kept in the library
(core/store/queue.py) so that it survives a restart.

Entries run at once on every engine the user has, one each: this machine and each
Whisper server configured; with no server, one at a time on this machine. Each entry has
a kind; a maker registered for the kind turns it into a job for an engine when its turn
comes ("media": the Session's open-file job; "again": Transcribe Again With, on this
machine only; "feed": a podcast episode). How a job ends decides its entry's state: done,
failed (with the reason), cancelled, or held when the user paused it while it ran (its
transcription resumes from its stored segments when released). Nothing runs before
`start()`: the window registers every maker first, then entries left waiting (or
running, by an Earmark that was killed) go on.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.core.errors import EarmarkError, ModelNeededError
from desktop.core.media import MediaError
from desktop.core.model import QueueEntry, QueueState
from desktop.core.transcribe.remote import RemoteServer
from desktop.services.opening import LOCAL_SLOT, stt_server_urls
from desktop.services.queue import MAX_ATTEMPTS, SET_ASIDE_SECONDS
from desktop.ui.jobs import Job

if TYPE_CHECKING:
    from desktop.ui.session import Session

FILE_ERRORS = (MediaError, ModelNeededError, OSError)  # the file or the asking: no engine helps
Maker = Callable[[QueueEntry, str | None], Job]  # an entry and its engine slot -> its job


class TranscriptionQueue(QObject):
    changed = Signal()  # entries were added, moved, or changed state

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.session = session
        self.library = session.library
        self._makers: dict[str, Maker] = {}
        self._here_only: set[str] = set()  # kinds that run on this machine only
        self._running: dict[int, tuple[Job, str | None]] = {}  # entry id -> job, engine
        self._aside: dict[str, float] = {}  # a failing server -> when to try it again
        self._tried: dict[int, list[str]] = {}  # entry id -> "server: why" it failed there
        self._holding: set[int] = set()  # running entries the user paused
        self._started = False
        self.ended: Callable[[Job], None] | None = None  # the Session's after-job step

    # --- setting up -------------------------------------------------------------------------

    def register(self, kind: str, maker: Maker, anywhere: bool = True) -> None:
        """`maker` builds the job of `kind`'s entries; `anywhere` False: only on this
        machine (a model named for Transcribe Again is one of this machine's)."""
        self._makers[kind] = maker
        if not anywhere:
            self._here_only.add(kind)

    def slots(self) -> list[str | None]:
        """The engines entries run on at once: this machine and each Whisper server the
        user configured; one default engine when none is."""
        try:
            servers = stt_server_urls()
        except EarmarkError:  # a broken settings file: this machine, as by default
            servers = []
        if not servers:
            return [None]
        now = time.monotonic()
        return [LOCAL_SLOT, *(u for u in servers if self._aside.get(u, 0.0) <= now)]

    def start(self) -> None:
        """Go on with what was left waiting (or running, when Earmark was killed)."""
        if self._started:
            return
        self._started = True
        try:
            if self.library.recover_queue():
                self.changed.emit()
        except EarmarkError as exc:  # a read-only library: the queue is read, not run
            self.session.message.emit("warning", str(exc))
        self._next()

    def stop(self) -> None:
        """Closing: nothing more starts; what runs is cancelled by the Session and found
        running at the next start, which resumes it."""
        self._started = False

    # --- reading ----------------------------------------------------------------------------

    def entries(self) -> list[QueueEntry]:
        """The queue as stored; empty when the library cannot be read (it is closing)."""
        try:
            return self.library.queue_entries()
        except (EarmarkError, sqlite3.Error):
            return []

    def waiting(self) -> int:
        return sum(e.state is QueueState.WAITING for e in self.entries())

    def job(self, entry_id: int) -> Job | None:
        running = self._running.get(entry_id)
        return running[0] if running is not None else None

    # --- changing ---------------------------------------------------------------------------

    def add(self, kind: str, subject: str, title: str) -> QueueEntry | None:
        """Queue work (once: the same work unfinished is not queued again; asked for
        again while paused, it goes on: Resume, or opening the file again)."""
        try:
            entry, new = self.library.queue_add(kind, subject, title)
        except EarmarkError as exc:
            self.session.message.emit("error", str(exc))
            return None
        if not new and entry.state is QueueState.HELD:
            self._set(entry.id, QueueState.WAITING)
        self.changed.emit()
        if self._started:
            self._next()
        else:
            self.start()
        return entry

    def move(self, entry_id: int, step: int) -> bool:
        moved = self.session.attempt(self.library.queue_move, entry_id, step)
        self.changed.emit()
        return bool(moved)

    def hold(self, entry_id: int) -> None:
        """Pause: a waiting entry is skipped until released; a running one stops after
        the segment being decoded, keeping what it stored."""
        job = self.job(entry_id)
        if job is not None:
            self._holding.add(entry_id)
            job.cancel()
        else:
            self._set(entry_id, QueueState.HELD)

    def release(self, entry_id: int) -> None:
        self._set(entry_id, QueueState.WAITING)
        self._next()

    def cancel(self, entry_id: int) -> None:
        """Cancel one entry: its job stops (what it stored stays); others go on."""
        job = self.job(entry_id)
        if job is not None:
            job.cancel()
        else:
            self._set(entry_id, QueueState.CANCELLED)

    def cancel_running(self) -> None:
        for job, _slot in list(self._running.values()):
            job.cancel()

    def cancel_all(self) -> None:
        for entry in self.entries():
            if entry.state in (QueueState.WAITING, QueueState.HELD):
                self._set(entry.id, QueueState.CANCELLED)
        self.cancel_running()

    def retry(self, entry_id: int) -> None:
        """A failed or cancelled entry queued again, at the end."""
        entry = self.session.attempt(self.library.queue_entry, entry_id)
        if entry is None or entry.active:
            return
        self.session.attempt(self.library.queue_remove, [entry_id])
        self.add(entry.kind, entry.subject, entry.title)

    def clear_finished(self) -> None:
        finished = [e.id for e in self.entries() if not e.active]
        self.session.attempt(self.library.queue_remove, finished)
        self.changed.emit()

    # --- running ----------------------------------------------------------------------------

    def _next(self) -> None:
        """Start waiting entries, in order, on every free engine (an entry of a kind
        whose maker is not registered yet stays waiting for it)."""
        if not self._started:
            return
        busy = {slot for _job, slot in self._running.values()}
        free = [s for s in self.slots() if s not in busy]
        if not free:
            return
        entries = self.session.attempt(self.library.queue_entries) or []
        for entry in entries:
            if not free:
                return
            if entry.state is not QueueState.WAITING or entry.kind not in self._makers:
                continue
            here = entry.kind in self._here_only
            slot = next((s for s in free if not here or s in (None, LOCAL_SLOT)), "none")
            if slot != "none":
                free.remove(slot)
                self._start(entry, slot)

    def _start(self, entry: QueueEntry, slot: str | None) -> None:
        try:
            job = self._makers[entry.kind](entry, slot)
        except EarmarkError as exc:  # its episode or feed item is gone
            self._set(entry.id, QueueState.FAILED, str(exc))
            return
        job.queue_id = entry.id  # type: ignore[attr-defined]
        self._running[entry.id] = (job, slot)
        failure: list[str] = []
        job.failed.connect(failure.append)
        job.finished.connect(lambda: self._finished(entry.id, job, failure))
        self._set(entry.id, QueueState.RUNNING, engine=slot_label(slot))
        self.session.runner.start(job)

    def _finished(self, entry_id: int, job: Job, failure: list[str]) -> None:
        _job, slot = self._running.pop(entry_id, (job, None))
        episode_id = getattr(job, "episode_id", None)
        if entry_id in self._holding:
            self._holding.discard(entry_id)
            state, error = QueueState.HELD, None
        elif job.cancelled:
            state, error = QueueState.CANCELLED, None
        elif failure and self._set_aside(entry_id, slot, job, failure[-1]):
            state, error = QueueState.WAITING, None  # first in line for another engine
        elif failure:
            tried = "; ".join(self._tried.pop(entry_id, []))
            before = f" (before: {tried})" if tried else ""
            state, error = QueueState.FAILED, f"{failure[-1]}{before}"
        else:
            state, error = QueueState.DONE, None
        engine = slot_label(slot) if slot not in (None, LOCAL_SLOT) else None
        self._set(entry_id, state, error, episode_id, engine=engine or self._model(episode_id))
        if self.ended is not None:
            self.ended(job)
        self._next()

    def _set_aside(self, entry_id: int, slot: str | None, job: Job, reason: str) -> bool:
        """A server failed on an entry (not the file: it is not media, or the library):
        the server is set aside for a while and the entry goes to another engine, which
        resumes it; False when the entry has failed on MAX_ATTEMPTS servers already."""
        if slot in (None, LOCAL_SLOT) or isinstance(job.error, FILE_ERRORS):
            return False
        tried = self._tried.setdefault(entry_id, [])
        label = slot_label(slot)
        tried.append(f"{label}: {reason}")
        self._aside[slot] = time.monotonic() + SET_ASIDE_SECONDS
        QTimer.singleShot(int(SET_ASIDE_SECONDS * 1000) + 50, self._next)
        if len(tried) >= MAX_ATTEMPTS:
            return False
        self.session.message.emit(
            "warning",
            f"{label} is set aside for {SET_ASIDE_SECONDS:.0f} s ({reason}); what it was "
            "transcribing goes on on another engine, from where it stopped",
        )
        return True

    def _model(self, episode_id: int | None) -> str | None:
        if episode_id is None:
            return None
        try:
            return self.library.episode(episode_id).model
        except EarmarkError:
            return None

    def _set(
        self,
        entry_id: int,
        state: QueueState,
        error: str | None = None,
        episode_id: int | None = None,
        engine: str | None = None,
    ) -> None:
        options = {"error": error, "episode_id": episode_id, "engine": engine}
        self.session.attempt(partial(self.library.queue_set, **options), entry_id, state)
        self.changed.emit()


def slot_label(slot: str | None) -> str | None:
    """How an engine is named in the queue: "this computer", or the server's host."""
    if slot is None:
        return None
    if slot == LOCAL_SLOT:
        return "this computer"
    return RemoteServer(slot).name  # as `earmark transcribe DIR` names it
