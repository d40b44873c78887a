"""What the Podcasts tab and the File menu's podcast actions do: background jobs over the
feed services, and the window kept up to date.

Subscribing and refreshing are jobs of their own (a feed is seconds of network); getting
an episode is queued with the transcriptions (it may transcribe, and the engine does one
thing at a time), so the status bar shows its download with time left, then its
transcription, and Cancel stops either. New episodes of a show set to "automatically" are
queued after each refresh.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from desktop.core.downloads import DownloadProgress
from desktop.core.errors import EarmarkError
from desktop.core.model import EpisodeStatus, QueueEntry
from desktop.services.feed_episodes import GotEpisode, media_destination
from desktop.services.feeds import Refreshed, export_opml
from desktop.services.transcription import Progress
from desktop.ui import tasks
from desktop.ui.jobs import Job

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow

FEEDS_KIND = "feeds"
FEED_QUEUE = "feed"  # its kind of queue entry (subject: the feed item's id)
OPML_FILTER = "OPML subscription lists (*.opml *.xml);;All files (*)"


class PodcastsController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.pane = window.podcasts
        self.pane.subscribe_requested.connect(self.ask_subscribe)
        self.pane.refresh_requested.connect(self.refresh)
        self.pane.open_requested.connect(self.open_item)
        self.pane.transcribe_requested.connect(lambda item: self.get(item, open_when_ready=False))
        self.pane.download_requested.connect(self.download_item)
        self.pane.auto_requested.connect(self.set_auto)
        self.pane.remove_requested.connect(self.ask_remove)
        self.session.library_changed.connect(self.reload)
        self._open_when_ready: set[int] = set()  # items to open once they are in
        self.session.queue.register(FEED_QUEUE, self._queued_job)
        self.reload()

    # -- the tab's content -----------------------------------------------------------

    def reload(self) -> None:
        library = self.session.library
        try:
            shows = [
                (show, [(item, self._state(show, item)) for item in library.show_items(show.id)])
                for show in library.shows()
            ]
        except EarmarkError as exc:
            self.session.message.emit("error", str(exc))
            return
        self.pane.set_shows(shows)

    def _state(self, show, item) -> str:  # type: ignore[no-untyped-def]
        if item.episode_id is not None:
            return "in the library"
        if item.enclosure_url is None:
            return "no media"
        if media_destination(self.session.library, show, item).is_file():
            return "downloaded"
        return "not downloaded"

    # -- subscribing -------------------------------------------------------------------

    def ask_subscribe(self) -> None:
        url, ok = QInputDialog.getText(
            self.window,
            "Subscribe to a Podcast",
            "The show's feed address (RSS or Atom), as its website or podcast app gives it:",
        )
        if ok and url.strip():
            self.subscribe(url.strip())

    def ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Import Subscriptions", "", OPML_FILTER)
        if path:
            self.subscribe(path)

    def ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Export Subscriptions", "Earmark subscriptions.opml", OPML_FILTER
        )
        if path:
            from desktop.core.exporters.files import write_atomic

            try:
                write_atomic(Path(path), export_opml(self.session.library))
            except EarmarkError as exc:
                self.session.message.emit("error", str(exc))
                return
            self.window.statusBar().showMessage(f"Subscriptions written to {path}", 8000)

    def subscribe(self, source: str) -> Job:
        """A feed URL, or an OPML file of them."""
        work = partial(tasks.subscribe_feed, library_path=self.session.library.path, source=source)
        job = Job(FEEDS_KIND, work, subject=source)
        job.progress.connect(self._reported)
        job.succeeded.connect(self._subscribed)
        job.failed.connect(lambda text: self.session.message.emit("error", text))
        self.window.job_status.show_busy(f"Reading {source}…")
        job.finished.connect(self.window.job_status.clear)
        self.window.show_podcasts()
        return self.session.runner.start(job)

    def _subscribed(self, results: list[Refreshed]) -> None:
        self.session.library_changed.emit()
        self._summarise(results)

    # -- refreshing --------------------------------------------------------------------

    def refresh(self, show_ids: list[int] | None = None) -> Job | None:
        if self.session.runner.find(FEEDS_KIND, "refresh") is not None:
            return None  # one refresh at a time
        if not self.session.library.shows():
            self.window.statusBar().showMessage("No podcasts to refresh yet.", 8000)
            return None
        work = partial(
            tasks.refresh_feeds, library_path=self.session.library.path, show_ids=show_ids
        )
        job = Job(FEEDS_KIND, work, subject="refresh")
        job.progress.connect(self._reported)
        job.succeeded.connect(self._refreshed)
        job.failed.connect(lambda text: self.session.message.emit("error", text))
        self.window.job_status.show_busy("Looking for new episodes…")
        job.finished.connect(self.window.job_status.clear)
        return self.session.runner.start(job)

    def _reported(self, result: Refreshed) -> None:
        self.window.statusBar().showMessage(result.line(with_id=False), 8000)

    def _refreshed(self, results: list[Refreshed]) -> None:
        self.session.library_changed.emit()
        self._summarise(results)
        for result in results:
            if result.show is not None and result.show.auto_download and not result.error:
                for item in reversed(result.new):  # oldest first
                    if item.enclosure_url:
                        self.get(item.id, open_when_ready=False)

    def _summarise(self, results: list[Refreshed]) -> None:
        failed = [r for r in results if r.error]
        new = sum(len(r.new) for r in results if not r.error)
        text = f"{new} new episode{'s' if new != 1 else ''}"
        if len(results) == 1 and not failed:
            text = results[0].line(with_id=False)
        if failed:
            text += "; " + "; ".join(r.line(with_id=False) for r in failed[:3])
            text += "…" if len(failed) > 3 else ""
        self.window.show_message("error" if failed else "info", text)

    # -- one episode ---------------------------------------------------------------------

    def open_item(self, item_id: int) -> None:
        item = self.session.library.show_item(item_id)
        if item.episode_id is not None:
            self.session.open_episode(item.episode_id)
        else:
            self.get(item_id, open_when_ready=True)

    def get(self, item_id: int, open_when_ready: bool) -> None:
        """Queued with the transcriptions (the engine is shared)."""
        title = self.session.library.show_item(item_id).title
        if open_when_ready:
            self._open_when_ready.add(item_id)
        self.session.queue.add(FEED_QUEUE, str(item_id), title)

    def _queued_job(self, entry: QueueEntry, slot: str | None) -> Job:
        item_id = int(entry.subject)
        return self._get_job(item_id, item_id in self._open_when_ready, slot)

    def _get_job(self, item_id: int, open_when_ready: bool, slot: str | None = None) -> Job:
        self._open_when_ready.discard(item_id)
        title = self.session.library.show_item(item_id).title
        work = partial(
            tasks.get_feed_item, library_path=self.session.library.path, item_id=item_id,
            slot=slot,
        )  # fmt: skip
        job = Job("transcribe", work, subject=("feed", item_id))
        job.episode_id = None  # type: ignore[attr-defined]
        job.progress.connect(lambda report: self._getting(job, title, report, open_when_ready))
        job.succeeded.connect(lambda got: self._got(got, open_when_ready))
        job.failed.connect(lambda text: self.session.transcription_failed(job, text))
        return job

    def _getting(self, job: Job, title: str, report: object, open_when_ready: bool) -> None:
        if isinstance(report, DownloadProgress):
            self.window.job_status.show_download(report, title)
            return
        assert isinstance(report, Progress)
        if job.episode_id is None:  # type: ignore[attr-defined]
            job.episode_id = report.episode_id  # type: ignore[attr-defined]
            self.session.library_changed.emit()
            if open_when_ready:
                self.session.open_episode(report.episode_id)
        self.session.transcription_progress.emit(report)
        if self.session.current is not None and self.session.current.id == report.episode_id:
            self.session.pull_new_segments()

    def _got(self, got: GotEpisode, open_when_ready: bool) -> None:
        self.session.library_changed.emit()
        if open_when_ready:
            self.session.open_episode(got.episode.id)
        for warning in got.warnings:
            self.session.message.emit("warning", warning)
        if not got.warnings:
            self.window.statusBar().showMessage(f"“{got.episode.title}”: {got.how}", 8000)
        if (
            got.episode.status is EpisodeStatus.DONE
            and self.session.library.insights(got.episode.id) is None
        ):
            self.session.make_insights(got.episode.id)

    def download_item(self, item_id: int) -> Job:
        title = self.session.library.show_item(item_id).title
        work = partial(
            tasks.download_feed_item, library_path=self.session.library.path, item_id=item_id
        )
        job = Job(FEEDS_KIND, work, subject=("download", item_id))
        job.progress.connect(lambda report: self.window.job_status.show_download(report, title))
        job.succeeded.connect(lambda _path: self.reload())
        job.failed.connect(lambda text: self.session.message.emit("error", text))
        job.finished.connect(self.window.job_status.clear)
        return self.session.runner.start(job)

    # -- a show's settings -----------------------------------------------------------------

    def set_auto(self, show_id: int, on: bool) -> None:
        try:
            self.session.library.set_auto_download(show_id, on)
        except EarmarkError as exc:
            self.session.message.emit("error", str(exc))
        self.reload()

    def ask_remove(self, show_id: int) -> None:
        show = self.session.library.show(show_id)
        answer = QMessageBox.question(
            self.window,
            "Unsubscribe",
            f"Unsubscribe from “{show.title}”? Episodes already in the library stay.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.remove(show_id)

    def remove(self, show_id: int) -> None:
        try:
            show = self.session.library.remove_show(show_id)
        except EarmarkError as exc:
            self.session.message.emit("error", str(exc))
            return
        self.reload()
        self.window.statusBar().showMessage(f"Unsubscribed from “{show.title}”", 8000)
