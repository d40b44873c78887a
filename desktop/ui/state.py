"""What the window remembers between runs (geometry, panes, last episode, recent files).

An INI file beside the library rather than the platform registry: EARMARK_HOME then moves
everything together, and tests never touch a real user's state.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QSize
from PySide6.QtWidgets import QMainWindow, QSplitter

from desktop.core.paths import data_dir

STATE_FILENAME = "window.ini"
MAX_RECENT = 10


def window_state() -> QSettings:
    data_dir().mkdir(parents=True, exist_ok=True)
    return QSettings(str(data_dir() / STATE_FILENAME), QSettings.Format.IniFormat)


def recent_files(state: QSettings) -> list[str]:
    value = state.value("recent_files", [])
    if isinstance(value, str):  # QSettings returns a lone string for a one-item list
        value = [value]
    return [str(v) for v in value or []]


def add_recent_file(state: QSettings, path: Path) -> list[str]:
    entry = str(Path(path).resolve())
    files = [entry] + [f for f in recent_files(state) if f != entry]
    files = files[:MAX_RECENT]
    state.setValue("recent_files", files)
    return files


def default_size(available: QSize) -> QSize:
    """1280×800, or nine tenths of a smaller screen."""
    return QSize(min(1280, available.width() * 9 // 10), min(800, available.height() * 9 // 10))


def restore_layout(state: QSettings, window: QMainWindow, splitters: dict[str, QSplitter]) -> bool:
    """Geometry, toolbars and splitter sizes as they were; False when none were saved."""
    restorers = {"geometry": window.restoreGeometry, "window_state": window.restoreState}
    restorers |= {name: splitter.restoreState for name, splitter in splitters.items()}
    for key, restore in restorers.items():
        value = state.value(key)
        if isinstance(value, QByteArray | bytes):
            restore(value)
    return bool(state.value("geometry"))


def save_layout(state: QSettings, window: QMainWindow, splitters: dict[str, QSplitter]) -> None:
    state.setValue("geometry", window.saveGeometry())
    state.setValue("window_state", window.saveState())
    for name, splitter in splitters.items():
        state.setValue(name, splitter.saveState())


def last_episode(state: QSettings) -> tuple[int, float] | None:
    """The episode open at the last close and the moment it was at, if any."""
    try:
        episode_id = int(state.value("last_episode", 0) or 0)
        position = float(state.value("last_position", 0.0) or 0.0)
    except (TypeError, ValueError):  # a hand-edited or damaged window.ini
        return None
    return (episode_id, position) if episode_id else None


def remember_episode(state: QSettings, episode_id: int, position: float) -> None:
    state.setValue("last_episode", episode_id)
    state.setValue("last_position", position if episode_id else 0.0)
    state.sync()
