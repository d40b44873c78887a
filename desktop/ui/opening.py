"""Opening files: the Open and Open Folder dialogs, the sample, Open Recent and drops,
all ending in Session.open_paths (a folder's media are queued)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMenu

from desktop.core.resources import resources_dir
from desktop.ui import dialogs
from desktop.ui.state import add_recent_file, recent_files

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow


class Opener(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.state = window.state

    def open_paths(self, paths: list[Path]) -> None:
        for path in paths:
            add_recent_file(self.state, Path(path))
        self.window.session.open_paths([Path(p) for p in paths])

    def choose_files(self) -> None:
        folder = str(self.state.value("open_folder", str(Path.home())))
        paths, _ = QFileDialog.getOpenFileNames(
            self.window, "Open audio, video or a transcript", folder, dialogs.OPEN_FILTERS
        )
        if paths:
            self.state.setValue("open_folder", str(Path(paths[0]).parent))
            self.open_paths([Path(p) for p in paths])

    def choose_folder(self) -> None:
        folder = str(self.state.value("open_folder", str(Path.home())))
        chosen = QFileDialog.getExistingDirectory(self.window, "Transcribe a folder", folder)
        if chosen:
            self.state.setValue("open_folder", chosen)
            self.open_paths([Path(chosen)])
            self.window.show_left(self.window.queue_pane)

    def open_sample(self) -> None:
        self.open_paths([sample_path()])

    def fill_recent_menu(self, menu: QMenu) -> None:
        menu.clear()
        files = recent_files(self.state)
        for path in files:
            action = menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_paths([Path(p)]))
        if not files:
            menu.addAction("No recent files").setEnabled(False)


def sample_path() -> Path:
    return resources_dir() / "sample" / "nasa-hwhap414-science-in-space.mp3"
