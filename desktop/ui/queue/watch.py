"""A folder to watch (Settings: watch_folder; off by default): audio and video that appear
in it, at any depth, are queued for transcription.

A file is queued once its size has stayed the same for SETTLE_MS (a file still being
copied or downloaded waits), and only once: a file the library already has, or one that
was queued before (done, failed or cancelled), is left alone. Files that were there when
watching began and were never transcribed are queued too, so that a folder filled while
Earmark was closed is caught up at the next start.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from desktop.services.opening import known_episode
from desktop.services.queue import media_files

if TYPE_CHECKING:
    from desktop.ui.session import Session

SETTLE_MS = 2000  # a file's size must hold this long before it is queued


class FolderWatcher(QObject):
    watching_changed = Signal(object)  # Path | None

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.session = session
        self.folder: Path | None = None
        self.watcher = QFileSystemWatcher(self)
        self.watcher.directoryChanged.connect(lambda _path: self.timer.start())
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SETTLE_MS)
        self.timer.timeout.connect(self.scan)
        self.sizes: dict[Path, int] = {}  # the size each file had at the last look
        self.handled: set[Path] = set()  # queued by this watch, or found known

    def watch(self, folder: Path | str | None) -> None:
        """Watch `folder` (None: stop watching)."""
        folder = Path(folder) if folder else None
        if folder == self.folder:
            return
        if self.watcher.directories():
            self.watcher.removePaths(self.watcher.directories())
        self.folder, self.sizes, self.handled = folder, {}, set()
        self.watching_changed.emit(folder)
        if folder is None:
            self.timer.stop()
            return
        if not folder.is_dir():
            self.session.message.emit(
                "warning", f"{folder}: the folder to watch is not there; nothing is watched"
            )
            return
        self.scan()

    def scan(self) -> None:
        """Look at the folder: queue the files that settled, look again for the others."""
        folder = self.folder
        if folder is None or not folder.is_dir():
            return
        self._watch_subfolders(folder)
        queued = self._queued_paths()
        unsettled = False
        for path in media_files([folder]):
            if path in self.handled:
                continue
            try:
                size = path.stat().st_size
            except OSError:  # gone again
                continue
            if self.sizes.get(path) != size:  # new, or still growing: look again later
                self.sizes[path] = size
                unsettled = True
                continue
            self.handled.add(path)
            if str(path) not in queued and known_episode(self.session.library, path) is None:
                self.session.queue_media(path)
        if unsettled:
            self.timer.start()

    def _watch_subfolders(self, folder: Path) -> None:
        watched = set(self.watcher.directories())
        wanted = [str(folder)] + [
            str(p) for p in folder.rglob("*") if p.is_dir() and not p.name.startswith(".")
        ]
        missing = [p for p in wanted if p not in watched]
        if missing:
            self.watcher.addPaths(missing)

    def _queued_paths(self) -> set[str]:
        return {e.subject for e in self.session.queue.entries() if e.kind == "media"}
