"""At start: a damaged library is named, and the person may move it aside and start afresh.

The damaged file is never deleted: it is renamed beside the new library (the box says to
what), so its content can still be salvaged.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.core.errors import LibraryCorruptError
from desktop.core.store import Library
from desktop.core.store.recovery import aside_path, start_afresh

START_AFRESH = "Move aside and start afresh"
QUIT = "Quit"


def open_library(path: Path | None = None, parent: QWidget | None = None) -> Library | None:
    """Library.open(), offering a fresh start when the file is damaged.

    None when the person chose Quit; other faults (full disk, lock, read-only folder)
    raise their EarmarkError for the caller's message box.
    """
    try:
        return Library.open(path)
    except LibraryCorruptError as exc:
        aside = aside_path(exc.path)
        if not offer_fresh_start(exc, aside, parent):
            return None
        return start_afresh(exc.path, aside)[1]


def offer_fresh_start(exc: LibraryCorruptError, aside: Path, parent: QWidget | None) -> bool:
    """Ask; True when the person chose to move the file aside."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Earmark's library is damaged")
    box.setText(f"The library {exc.path} is damaged and cannot be opened.")
    box.setInformativeText(
        f"Earmark can move it aside, keeping it as {aside.name} in the same folder, and "
        "start with a new, empty library. Your media files are not touched."
    )
    box.setDetailedText(str(exc))
    afresh = box.addButton(START_AFRESH, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QUIT, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(afresh)
    box.exec()
    return box.clickedButton() is afresh
