"""Start the window: `earmark` alone, or `earmark FILE...`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtMultimedia import QAudioOutput
from PySide6.QtWidgets import QApplication, QStyleFactory

from desktop import __version__
from desktop.core.errors import EarmarkError
from desktop.core.store import Library
from desktop.ui.icons import app_icon
from desktop.ui.main_window import MainWindow
from desktop.ui.session import Session


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="earmark",
        description="Open the Earmark window (see 'earmark --help' for the commands).",
    )
    parser.add_argument("files", nargs="*", metavar="FILE", help="audio, video or transcripts")
    return parser.parse_args(argv)


def make_application(argv: Sequence[str] = ()) -> QApplication:
    app = QApplication.instance() or QApplication(["earmark", *argv])
    app.setApplicationName("Earmark")
    app.setApplicationDisplayName("Earmark")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Earmark")
    app.setDesktopFileName("earmark")  # matches packaging/earmark.desktop
    app.setWindowIcon(app_icon())
    apply_theme(app)
    return app  # type: ignore[return-value]


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
    app = make_application()
    try:
        library = Library.open()
    except EarmarkError as exc:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(None, "Earmark cannot open its library", str(exc))
        return 1
    session = Session(library)
    # The window is heard through this output; tests build MainWindow without one.
    audio = QAudioOutput()
    window = MainWindow(session, audio_output=audio)
    paths = [Path(f) for f in args.files]
    if paths:  # before the first paint: the transcription starts loading meanwhile
        window.open_paths(paths)
    else:
        window.restore_last_episode()
    window.show()
    code = app.exec()
    library.close()
    return code


def main() -> int:
    return run(sys.argv[1:])
