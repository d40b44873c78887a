"""The main window: assembles the panes, menus and actions; the Session holds the logic."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtMultimedia import QAudioOutput
from PySide6.QtWidgets import (
    QFileDialog,
    QMainWindow,
    QMenu,
    QSplitter,
    QTabWidget,
    QWidget,
)

from desktop import __version__
from desktop.core.model import Episode
from desktop.services.transcription import Progress
from desktop.ui import dialogs
from desktop.ui.actions import build_actions, build_menus
from desktop.ui.chapters.controller import ChaptersController
from desktop.ui.notes.controller import NotesController
from desktop.ui.opening import Opener
from desktop.ui.panes import build_panes
from desktop.ui.player.player import Player
from desktop.ui.podcasts.controller import PodcastsController
from desktop.ui.queue.controller import QueueController
from desktop.ui.retranscribe import Retranscriber
from desktop.ui.session import LoadedEpisode, Session
from desktop.ui.settings_dialog import SettingsDialog
from desktop.ui.state import (
    default_size,
    last_episode,
    remember_episode,
    restore_layout,
    save_layout,
    window_state,
)
from desktop.ui.undo import bind_actions, make_stack
from desktop.ui.window_actions import window_handlers
from desktop.ui.window_text import empty_text, read_only_notice, window_title

if TYPE_CHECKING:
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


class MainWindow(QMainWindow):
    # The panes, made by build_panes (desktop/ui/panes.py).
    library_panel: LibraryPanel
    search_pane: SearchPane
    podcasts: PodcastsPane
    queue_pane: QueuePane
    chapters: ChaptersPane
    left_tabs: QTabWidget
    transcript: TranscriptView
    find_bar: FindBar
    video: VideoArea
    banner: MessageBanner
    insights: InsightsPanel
    player_bar: PlayerBar
    job_status: JobStatus
    main_split: QSplitter
    center_split: QSplitter

    def __init__(
        self,
        session: Session,
        audio_output: QAudioOutput | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.state = window_state()
        self.setWindowTitle("Earmark")
        self.setAcceptDrops(True)
        self.player = Player(audio_output, self)
        self.reading_position = 0.0  # the player's, or a clicked time without media
        self._video_height = 0  # the video area's height before it was collapsed
        build_panes(self)
        self.opener = Opener(self)
        self.undo_stack = make_stack(self)
        self.notes = NotesController(self, self.undo_stack)
        self.again = Retranscriber(self, self.undo_stack)
        self.podcast_control = PodcastsController(self)
        self.queue_control = QueueController(self)
        self.actions_by_name = build_actions(self, window_handlers(self))
        bind_actions(self.undo_stack, self.actions_by_name["undo"], self.actions_by_name["redo"])
        self._build_menus()
        self._connect()
        # After _connect: an episode's chapters go over the rows _show_episode has just set.
        self.chapter_control = ChaptersController(self)
        self._restore_layout()
        self.reload_library()
        self._update_actions()
        self._say_if_read_only()
        self.session.queue.start()  # every kind of queued work can now be made

    # --- construction -----------------------------------------------------------------------

    def _build_menus(self) -> None:
        self.recent_menu = QMenu("Open &Recent", self)
        self.recent_menu.aboutToShow.connect(lambda: self.opener.fill_recent_menu(self.recent_menu))
        submenus = {"recent": self.recent_menu, "again": self.again.menu}
        build_menus(self.menuBar(), self.actions_by_name, submenus)
        for name in ("show_library", "show_insights", "show_video"):
            self.actions_by_name[name].setChecked(True)

    def _connect(self) -> None:
        s = self.session
        s.library_changed.connect(self.reload_library)
        s.episode_loaded.connect(self._show_episode)
        s.episode_updated.connect(self._episode_updated)
        s.segments_added.connect(self.transcript.append_segments)
        s.segments_added.connect(lambda _rows: self.find_bar.refresh())
        s.insights_changed.connect(self.insights.set_insights)
        s.insights_busy.connect(self.insights.set_busy)
        # Also in the status bar, where time left is shown for all background work.
        s.insights_busy.connect(lambda text, _f: self.statusBar().showMessage(text or ""))
        s.insights_notice.connect(self.insights.set_notice)
        s.transcription_progress.connect(self._transcription_progress)
        s.transcription_ended.connect(self._transcription_ended)
        s.message.connect(self.show_message)
        s.model_needed.connect(self._offer_model)
        self.library_panel.episode_activated.connect(s.open_episode)
        self.search_pane.result_activated.connect(self.open_at)
        self.library_panel.open_requested.connect(self.opener.choose_files)
        self.library_panel.sample_requested.connect(self.opener.open_sample)
        self.transcript.seek_requested.connect(self.seek)
        self.insights.seek_requested.connect(self.seek)
        self.insights.play_requested.connect(self.play_from)
        s.insights_partial.connect(self.insights.show_partial)
        self.insights.regenerate_requested.connect(self.regenerate)
        self.insights.cancel_requested.connect(s.cancel_insights)
        self.job_status.cancel_requested.connect(s.cancel_transcription)
        self.player.position_changed.connect(self.transcript.set_position)
        self.player.position_changed.connect(self._remember_position)
        self.player.has_video_changed.connect(self.video.setVisible)
        self.video.collapsed_changed.connect(self._video_collapsed)
        self.player.error.connect(lambda text: self.show_message("error", text))
        s.jobs_changed.connect(self._update_actions)
        s.jobs_changed.connect(self._update_empty_text)
        self.apply_settings()

    # --- opening (desktop/ui/opening.py) ---------------------------------------------------

    def open_paths(self, paths: list[Path]) -> None:
        self.opener.open_paths(paths)

    def choose_files(self) -> None:
        self.opener.choose_files()

    def reload_library(self) -> None:
        episodes = self.session.episodes()
        self.library_panel.set_episodes(episodes)
        self.search_pane.set_episodes(episodes)
        if self.session.current is not None:
            self.library_panel.set_current(self.session.current.id)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.opener.open_paths(paths)

    # --- the open episode -------------------------------------------------------------------

    def _show_episode(self, loaded: LoadedEpisode) -> None:
        episode = loaded.episode
        self.setWindowTitle(window_title(episode))
        self.transcript.set_segments(loaded.segments, loaded.words)
        self.find_bar.refresh()
        self.insights.set_notice(None)
        self.insights.set_insights(loaded.insights)
        self.library_panel.set_current(episode.id)
        self.banner.hide()
        self._say_if_read_only()
        self.reading_position = 0.0
        self._load_media(episode)
        self._offer_resume(episode)
        self._update_actions()
        self._update_empty_text()

    def _update_empty_text(self) -> None:
        """What the transcript pane says while it has no rows: what is going on."""
        self.transcript.set_empty_text(empty_text(self.session))

    def _say_if_read_only(self) -> None:
        """Before any edit fails: this library can be read but not changed."""
        if self.session.library.read_only:
            self.show_message("warning", read_only_notice(self.session.library.path))

    def _update_actions(self) -> None:
        """Actions that would do nothing are greyed out, not silently ignored."""
        a = self.actions_by_name
        has_episode = self.session.current is not None
        for name in ("regenerate", "export", "copy_markdown", "add_note", "edit_segment",
                     "add_chapter", "rename_chapter", "delete_chapter"):  # fmt: skip
            a[name].setEnabled(has_episode)
        self.insights.regenerate_button.setEnabled(has_episode)
        a["cancel_job"].setEnabled(self.session.transcription_job() is not None)
        a["cancel_all"].setEnabled(
            self.session.transcription_job() is not None
            or self.session.waiting_transcriptions() > 0
        )
        a["resume"].setEnabled(self.session.needs_resume())
        self.again.menu.menuAction().setEnabled(self.again.can_start())

    def _load_media(self, episode: Episode, start: float = 0.0) -> None:
        if episode.media_path is None:
            self.player.load(None)
            self.player_bar.set_message("No media for this episode: it was imported as text")
            self.video.hide()
        elif not self.player.load(episode.media_path, start):
            self.player_bar.set_message(f"Media file not found: {episode.media_path}")
            self.show_message(
                "warning",
                f"The media file of “{episode.title}” is not at {episode.media_path}.",
                "Locate…",
                lambda: self._relink(episode),
            )

    def _offer_resume(self, episode: Episode, error: str | None = None) -> None:
        """Offer to go on with an unfinished transcript; `error`, why it stopped, is shown
        instead of the usual words (it is what the user needs to act on)."""
        if self.session.needs_resume(episode):
            stored = self.transcript.model().rowCount()
            self.show_message(
                "error" if error else "info",
                error or f"This transcript is unfinished ({stored} segments so far).",
                "Resume",
                lambda: self.session.resume(episode.id),
            )

    def _episode_updated(self, episode: Episode) -> None:
        self.setWindowTitle(window_title(episode))
        self._update_empty_text()
        if self.player.source_path() != episode.media_path and episode.media_path:
            self._load_media(episode, self.player.position())

    def _relink(self, episode: Episode) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, f"Where is the media of “{episode.title}”?", "", dialogs.MEDIA_FILTER
        )
        if path:
            self.session.relink_media(episode.id, Path(path))

    def resume_current(self) -> None:
        if self.session.current is not None and self.session.needs_resume():
            self.session.resume(self.session.current.id)

    def regenerate(self, engine: str | None) -> None:
        if self.session.current is not None:
            self.session.make_insights(self.session.current.id, engine)

    def _video_collapsed(self, collapsed: bool) -> None:
        """Collapsed by View → Video or by the area's own header: the transcript gets the
        room (a splitter keeps a pane's height whatever the pane asks for), View says so."""
        self.actions_by_name["show_video"].setChecked(not collapsed)
        video, transcript = self.center_split.sizes()
        if collapsed:
            self._video_height = video
            height = self.video.sizeHint().height()  # the header alone
        else:
            height = max(self._video_height, self.video.minimumSizeHint().height())
        self.center_split.setSizes([height, video + transcript - height])

    def show_search(self) -> None:
        self.actions_by_name["show_library"].setChecked(True)  # shows the pane; View says so
        self.left_tabs.setCurrentWidget(self.search_pane)
        self.search_pane.focus()

    def show_podcasts(self) -> None:
        self.show_left(self.podcasts)

    def show_left(self, tab: QWidget) -> None:
        """A tab of the left pane, showing the pane (View says so)."""
        self.actions_by_name["show_library"].setChecked(True)
        self.left_tabs.setCurrentWidget(tab)

    def open_at(self, episode_id: int, seconds: float, play: bool = False) -> None:
        """A search result: that episode, at that moment (and playing, if asked)."""
        current = self.session.current
        if (current is None or current.id != episode_id) and not self.session.open_episode(
            episode_id
        ):
            return
        self.seek(seconds)
        if play:
            self.player.play()

    def play_from(self, seconds: float) -> None:
        """Play the open episode from `seconds` (a generated insight's quoted passage)."""
        self.seek(seconds)
        self.player.play()

    def seek(self, seconds: float) -> None:
        """Play from a moment: the player, the highlight and the view all move there."""
        if self.player.has_media():
            self.player.seek(seconds)
        else:
            self.transcript.set_position(seconds)
        self.reading_position = seconds
        self.transcript.scroll_to_time(seconds)

    def _remember_position(self, seconds: float) -> None:
        self.reading_position = seconds

    def edit_here(self) -> None:
        """F2: rename the chapter when the Chapters tab has the keyboard, else correct a
        segment."""
        if self.chapters.list.hasFocus():
            self.chapter_control.editor.rename()
        else:
            self.notes.edit_current_segment()

    def find_step(self, delta: int) -> None:
        if not self.find_bar.isVisible():
            self.find_bar.open_bar()
        else:
            self.find_bar.step(delta)

    # --- background work --------------------------------------------------------------------

    def _transcription_progress(self, progress: Progress) -> None:
        model = self.library_panel.model
        model.set_progress(progress.episode_id, progress.fraction, progress.eta)
        row = model.row_of(progress.episode_id)
        self.job_status.show_progress(progress, model.episode_at(row).title if row >= 0 else "")

    def _transcription_ended(self, episode_id: int) -> None:
        self.library_panel.model.set_progress(episode_id, None, None)
        self.job_status.ended(episode_id)  # the next queued file's first report shows it
        current = self.session.current
        if current is not None and current.id == episode_id:
            # Failed part-way: the job's error was shown just now; it stays, with Resume.
            error = self.banner.text() if self.banner.level == "error" else None
            self._offer_resume(current, error)  # cancelled or failed part-way

    def show_message(
        self, level: str, text: str, action: str | None = None, callback: object = None
    ) -> None:
        self.banner.show_message(level, text, action, callback)  # type: ignore[arg-type]
        self.statusBar().showMessage(text, 8000)

    def _offer_model(self, name: str, text: str) -> None:
        """A refusal another model would lift: say it, with a button that fetches it."""
        self.show_message("error", text, f"Download “{name}”…", lambda: self.show_settings(name))

    def show_settings(self, fetch: str | None = None) -> bool:
        """Settings; `fetch` names a Whisper model to start downloading on its page."""
        dialog = SettingsDialog(self)
        if fetch is not None:
            dialog.tabs.setCurrentWidget(dialog.transcription)
            dialog.transcription.models.row(fetch).download()
        accepted = dialog.exec() == SettingsDialog.DialogCode.Accepted
        if accepted:
            self.apply_settings()
        return accepted

    def apply_settings(self) -> None:
        """Settings changed: offer (or stop offering) the LLMs the user has set up."""
        options = self.session.engine_options()
        self.insights.set_engines([(o.engine, o.label) for o in options])
        self.queue_control.follow_settings()  # the folder to watch

    def show_about(self) -> None:
        dialogs.show_about(self, __version__)

    # --- state between runs -----------------------------------------------------------------

    def _restore_layout(self) -> None:
        if not restore_layout(self.state, self, self._splitters()):
            self.resize(default_size(self.screen().availableGeometry().size()))

    def _splitters(self) -> dict[str, QSplitter]:
        return {"main_split": self.main_split, "center_split": self.center_split}

    def restore_last_episode(self) -> bool:
        """Reopen the episode shown when the window last closed, at the same moment."""
        last = last_episode(self.state)
        if last is None or not self.session.open_episode(last[0]):
            return False
        QTimer.singleShot(0, lambda: self.seek(last[1]))
        return True

    def save_state(self) -> None:
        current = self.session.current
        save_layout(self.state, self, self._splitters())
        remember_episode(self.state, current.id if current else 0, self.reading_position)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        self.player.pause()
        # The transcriber stops after the clip it is decoding (about a second; longer on a
        # busy machine): wait for it, as a thread still in CTranslate2 aborts the exit.
        self.session.shutdown(timeout=SHUTDOWN_WAIT)
        super().closeEvent(event)


SHUTDOWN_WAIT = 60.0  # seconds; a cap, not the usual wait
