"""Start the window: `earmark` alone, or `earmark FILE...`.

One window per user and library: when one is already open, the files go to it and this
process exits 0 (desktop/ui/single_instance.py); `--new-window` opens another anyway.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QFileOpenEvent, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from desktop import __version__
from desktop.core.errors import EarmarkError
from desktop.core.paths import default_db_path
from desktop.ui import single_instance
from desktop.ui.icons import app_icon

if TYPE_CHECKING:  # the window's modules load only once no running window took the files
    from desktop.ui.main_window import MainWindow


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="earmark",
        description="Open the Earmark window (see 'earmark --help' for the commands).",
    )
    parser.add_argument("files", nargs="*", metavar="FILE", help="audio, video or transcripts")
    parser.add_argument(
        "--new-window",
        action="store_true",
        help="open a window of its own instead of handing the files to a running one",
    )
    return parser.parse_args(argv)


def make_application(argv: Sequence[str] = ()) -> QApplication:
    app = QApplication.instance() or QApplication(["earmark", *argv])
    app.setApplicationName("Earmark")
    app.setApplicationDisplayName("Earmark")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Earmark")
    app.setDesktopFileName("earmark")  # matches packaging/linux/earmark.desktop
    app.setWindowIcon(app_icon())
    apply_theme(app)
    follow_system_theme(app)
    return app  # type: ignore[return-value]


def follow_system_theme(app: QApplication) -> None:
    """The system switching between light and dark while Earmark runs switches it too
    (EARMARK_THEME still wins); connected once per application."""
    if app.property("earmark_follows_theme"):
        return
    app.setProperty("earmark_follows_theme", True)
    QGuiApplication.styleHints().colorSchemeChanged.connect(lambda _scheme: apply_theme(app))


def apply_theme(app: QApplication) -> None:
    """Fusion everywhere (consistent sizing), coloured from the system's light or dark
    scheme; EARMARK_THEME=dark|light overrides it."""
    app.setStyle(QStyleFactory.create("Fusion"))
    wanted = os.environ.get("EARMARK_THEME", "").lower()
    scheme = QGuiApplication.styleHints().colorScheme()
    dark = wanted == "dark" or (wanted != "light" and scheme.name == "Dark")
    app.setPalette(dark_palette() if dark else app.style().standardPalette())


def dark_palette() -> QPalette:
    palette = QPalette()
    role = QPalette.ColorRole
    colours = {
        role.Window: "#26282b",
        role.WindowText: "#e6e6e6",
        role.Base: "#1d1f21",
        role.AlternateBase: "#2a2c2f",
        role.ToolTipBase: "#2f3134",
        role.ToolTipText: "#e6e6e6",
        role.Text: "#e6e6e6",
        role.Button: "#303236",
        role.ButtonText: "#e6e6e6",
        role.BrightText: "#ff6b6b",
        role.Highlight: "#3d7ad6",
        role.HighlightedText: "#ffffff",
        role.Link: "#7fb2ff",
        role.LinkVisited: "#b89cff",
        role.PlaceholderText: "#8a8d91",
        role.Mid: "#3a3c40",
        role.Dark: "#151617",
        role.Light: "#45474b",
        role.Midlight: "#3a3c40",
        role.Shadow: "#000000",
    }
    for colour_role, value in colours.items():
        palette.setColor(colour_role, QColor(value))
    for colour_role in (role.Text, role.WindowText, role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, colour_role, QColor("#7a7d81"))
    return palette


def no_display_reason() -> str | None:
    """Why a window cannot open here (Linux without X11 or Wayland), else None.

    Qt aborts the process when its platform plugin finds no display; say so plainly.
    """
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "earmark: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset); "
        "the commands work without one: see 'earmark --help'"
    )


def run(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    reason = no_display_reason()
    if reason is not None:
        print(reason, file=sys.stderr)
        return 1
    paths = [Path(os.path.abspath(f)) for f in args.files]
    make_application()  # first: the server's socket notifier needs its event dispatcher
    server = None
    if not args.new_window:
        # Before the window's modules load: a hand-over is done in a fraction of a second.
        claimed = single_instance.claim(default_db_path(), paths)
        if claimed.handed_over:
            return 0
        if claimed.note:
            print(f"earmark: {claimed.note}; this window opens on its own", file=sys.stderr)
        server = claimed.server
    return open_window(paths, server)


WARM_UP_WAIT = 60.0  # seconds the process waits at its end for the model still loading


def warm_up_transcription() -> threading.Thread:
    """Start the transcription process, which loads the model (~1 s) while the window is
    built: a file opened now or dropped later starts transcribing sooner. On a thread,
    since reading the settings and checking the model folder touch the disk. The caller
    joins it before the process ends: with the engine in this process
    ($EARMARK_TRANSCRIBE_IN_PROCESS), CTranslate2's own threads, destroyed mid-load at
    exit, abort the process ("terminate called without an active exception")."""
    from desktop.services.opening import preload

    thread = threading.Thread(target=preload, name="earmark-warm-up", daemon=True)
    thread.start()
    return thread


def open_window(paths: list[Path], server: single_instance.InstanceServer | None) -> int:
    app = QApplication.instance() or make_application()
    warming = warm_up_transcription()
    try:
        return _show_window(app, paths, server)
    finally:
        warming.join(WARM_UP_WAIT)
        from desktop.services.opening import close_transcribers

        close_transcribers()  # the model process ends with the window, not at exit's end


def _show_window(
    app: QApplication, paths: list[Path], server: single_instance.InstanceServer | None
) -> int:
    from PySide6.QtMultimedia import QAudioOutput

    from desktop.ui.first_run import offer_on_first_run
    from desktop.ui.main_window import MainWindow
    from desktop.ui.recovery import open_library
    from desktop.ui.session import Session

    try:
        library = open_library()  # a damaged file: offers to move it aside, or Quit (None)
    except EarmarkError as exc:
        from PySide6.QtWidgets import QMessageBox

        if server is not None:
            server.close()
        QMessageBox.critical(None, "Earmark cannot open its library", str(exc))
        return 1
    if library is None:
        if server is not None:
            server.close()
        return 1
    session = Session(library)
    # The window is heard through this output; tests build MainWindow without one.
    audio = QAudioOutput()
    window = MainWindow(session, audio_output=audio)
    if server is not None:
        serve_window(server, window)
    file_opens = FileOpenFilter(window)  # macOS: files opened from Finder
    app.installEventFilter(file_opens)
    if paths:  # before the first paint: the transcription starts loading meanwhile
        window.open_paths(paths)
    else:
        window.restore_last_episode()
    window.show()
    offer_on_first_run(window)
    code = app.exec()
    if server is not None:
        server.close()
    library.close()
    return code


def serve_window(server: single_instance.InstanceServer, window: MainWindow) -> None:
    """Files handed over by a later `earmark FILE...` open here; the window comes forward.
    The server stops with the last window, so a start during shut-down opens a new one."""
    server.paths_received.connect(lambda paths: present(window, paths))
    app = QApplication.instance()
    if app is not None:
        app.lastWindowClosed.connect(server.close)


class FileOpenFilter(QObject):
    """On macOS, Finder hands a double-clicked file to the app as a QFileOpenEvent (not on
    the command line), both at launch and while it runs; it opens like a hand-over."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            name = event.file() or event.url().toLocalFile()
            if name:
                present(self.window, [Path(name)])
                return True
        return False


def present(window: MainWindow, paths: list[Path]) -> None:
    """Bring the window to the front and open `paths` (media queue; the last is shown)."""
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()
    if paths:
        window.open_paths(paths)


def main() -> int:
    return run(sys.argv[1:])
