"""What the window remembers between runs (geometry, panes, last episode, recent files).

An INI file beside the library rather than the platform registry: EARMARK_HOME then moves
everything together, and tests never touch a real user's state.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

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
