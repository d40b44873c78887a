"""The library list as a Qt model: episodes, newest first, with live transcription progress."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from PySide6.QtCore import QAbstractListModel, QLocale, QModelIndex, QPersistentModelIndex, Qt

from desktop.core.model import Episode, EpisodeStatus
from desktop.core.timecode import short

VIDEO_SUFFIXES = frozenset({".mp4", ".mkv", ".webm", ".mov", ".avi", ".m4v"})

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class Progress:
    """Live transcription progress of one episode."""

    fraction: float  # 0..1
    eta: float | None  # seconds left; None while the estimate settles

    def text(self) -> str:
        percent = f"{int(max(0.0, min(1.0, self.fraction)) * 100)}%"
        left = "estimating…" if self.eta is None else f"{short(self.eta)} left"
        return f"{percent} · {left}"


def source_kind(episode: Episode) -> str:
    """The icon name for where an episode came from: "video", "audio" or "transcript"."""
    if not episode.media_path:
        return "transcript"
    suffix = PurePath(episode.media_path).suffix.lower()
    return "video" if suffix in VIDEO_SUFFIXES else "audio"


def status_text(episode: Episode, progress: Progress | None) -> str:
    """A word on the state of the transcript; empty for a finished one."""
    if progress is not None:
        return "Transcribing"
    if episode.status is EpisodeStatus.DONE:
        return ""
    if episode.status is EpisodeStatus.FAILED and episode.segment_count == 0:
        return "Failed"
    # Interrupted or failed part-way (or not yet started): opening it resumes the work.
    return "Unfinished"


def language_name(code: str | None) -> str:
    """'German' for "de", as Qt's locale data names it; the code itself when Qt has no
    name for it; "" when the language is not known."""
    if not code:
        return ""
    language = QLocale(code).language()
    if language in (QLocale.Language.C, QLocale.Language.AnyLanguage):
        return code
    return QLocale.languageToString(language)


def details_parts(episode: Episode, progress: Progress | None) -> tuple[str, str]:
    """The second line of a row in two parts: duration, language and status; live
    progress (or "")."""
    parts = []
    if episode.duration:
        parts.append(short(episode.duration))
    if language := language_name(episode.language):
        parts.append(language)
    if episode.engine == "publisher":  # services/feed_episodes.PUBLISHER
        parts.append("publisher's transcript")
    if status := status_text(episode, progress):
        parts.append(status)
    return " · ".join(parts), progress.text() if progress is not None else ""


def details_text(episode: Episode, progress: Progress | None) -> str:
    """The second line of a row: duration, status and progress, joined by middle dots."""
    return " · ".join(p for p in details_parts(episode, progress) if p)


def _tooltip(episode: Episode) -> str:
    # Tooltips guess rich text from the first tag they see; escaped HTML keeps a title literal.
    lines = [html.escape(episode.title)]
    if path := episode.media_path or episode.source_path:
        lines.append(html.escape(path))
    return "<p style='white-space:pre-wrap'>" + "<br>".join(lines) + "</p>"


class LibraryModel(QAbstractListModel):
    """Episodes in display order (newest first) plus per-episode live progress."""

    EpisodeRole = Qt.ItemDataRole.UserRole + 1  # -> Episode
    ProgressRole = Qt.ItemDataRole.UserRole + 2  # -> Progress | None
    CurrentRole = Qt.ItemDataRole.UserRole + 3  # -> bool: the episode open in the window
    KindRole = Qt.ItemDataRole.UserRole + 4  # -> "video" | "audio" | "transcript"
    DetailsRole = Qt.ItemDataRole.UserRole + 5  # -> the row's second line

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._episodes: list[Episode] = []
        self._progress: dict[int, Progress] = {}
        self._current: int | None = None

    # -- Qt model interface --------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(self._episodes)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._episodes):
            return None
        episode = self._episodes[index.row()]
        progress = self._progress.get(episode.id)
        match role:
            case Qt.ItemDataRole.DisplayRole:
                return episode.title
            case Qt.ItemDataRole.ToolTipRole:
                return _tooltip(episode)
            case Qt.ItemDataRole.AccessibleTextRole:
                return ", ".join(p for p in (episode.title, details_text(episode, progress)) if p)
            case self.EpisodeRole:
                return episode
            case self.ProgressRole:
                return progress
            case self.CurrentRole:
                return episode.id == self._current
            case self.KindRole:
                return source_kind(episode)
            case self.DetailsRole:
                return details_text(episode, progress)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # -- updates -------------------------------------------------------------------

    def set_episodes(self, episodes: list[Episode]) -> None:
        """Replace the whole list (already in display order)."""
        self.beginResetModel()
        self._episodes = list(episodes)
        ids = {e.id for e in self._episodes}
        self._progress = {k: v for k, v in self._progress.items() if k in ids}
        self.endResetModel()

    def upsert_episode(self, episode: Episode) -> None:
        """Update the episode's row in place, or insert it at the top (newest first)."""
        row = self.row_of(episode.id)
        if row >= 0:
            self._episodes[row] = episode
            self._changed(row)
            return
        self.beginInsertRows(QModelIndex(), 0, 0)
        self._episodes.insert(0, episode)
        self.endInsertRows()

    def remove_episode(self, episode_id: int) -> None:
        self._progress.pop(episode_id, None)
        row = self.row_of(episode_id)
        if row < 0:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._episodes[row]
        self.endRemoveRows()

    def set_progress(self, episode_id: int, fraction: float | None, eta: float | None) -> None:
        """Live progress of a transcription; `fraction` None clears it, `eta` None: estimating."""
        if fraction is None:
            changed = self._progress.pop(episode_id, None) is not None
        else:
            new = Progress(fraction, eta)
            changed = self._progress.get(episode_id) != new
            self._progress[episode_id] = new
        row = self.row_of(episode_id)
        if changed and row >= 0:
            self._changed(row)

    def set_current(self, episode_id: int | None) -> None:
        """Mark the episode open in the window (repaints the old and the new row only)."""
        old, self._current = self._current, episode_id
        for eid in {old, episode_id} - {None}:
            if (row := self.row_of(eid)) >= 0:  # type: ignore[arg-type]
                self._changed(row)

    # -- look-ups ------------------------------------------------------------------

    @property
    def current_id(self) -> int | None:
        return self._current

    def row_of(self, episode_id: int) -> int:
        """The row showing `episode_id`, or -1."""
        # A linear scan: libraries hold hundreds to a few thousand episodes, updates are rare.
        return next((r for r, e in enumerate(self._episodes) if e.id == episode_id), -1)

    def episode_at(self, row: int) -> Episode:
        return self._episodes[row]

    def progress_of(self, episode_id: int) -> Progress | None:
        return self._progress.get(episode_id)

    def _changed(self, row: int) -> None:
        index = self.index(row, 0)
        self.dataChanged.emit(index, index)
