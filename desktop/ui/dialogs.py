"""File filters and the About box."""

from __future__ import annotations

import html

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.resources import resources_dir

MEDIA_PATTERNS = (
    "*.mp3 *.m4a *.aac *.ogg *.opus *.oga *.flac *.wav *.wma *.mp4 *.m4v *.mkv *.webm *.mov *.avi"
)
TRANSCRIPT_PATTERNS = "*.srt *.vtt *.json *.txt *.md *.markdown"
MEDIA_FILTER = f"Audio and video ({MEDIA_PATTERNS})"
OPEN_FILTERS = ";;".join(
    (
        f"Episodes ({MEDIA_PATTERNS} {TRANSCRIPT_PATTERNS})",
        MEDIA_FILTER,
        f"Transcripts ({TRANSCRIPT_PATTERNS})",
        "All files (*)",
    )
)


def sample_credit() -> str:
    path = resources_dir() / "sample" / "CREDIT.txt"
    try:
        return path.read_text(encoding="utf-8").strip().splitlines()[0]
    except (OSError, IndexError):
        return ""


def about_text(version: str) -> str:
    import faster_whisper

    from desktop.core.transcribe import EMBEDDED_MODEL_NAME

    rows = [
        f"<h3>Earmark {html.escape(version)}</h3>",
        "<p>Read podcast and video episodes: local transcription, insights, offline search."
        " Nothing leaves this computer unless you point Earmark at a server of your own.</p>",
        f"<p>Qt {html.escape(qVersion())} · PySide6 {html.escape(pyside_version)} · "
        f"faster-whisper {html.escape(faster_whisper.__version__)} · "
        f"embedded model {html.escape(EMBEDDED_MODEL_NAME)}</p>",
    ]
    credit = sample_credit()
    if credit:
        rows.append(f"<p>Sample episode — {html.escape(credit)}</p>")
    return "".join(rows)


def show_about(parent: QWidget, version: str) -> None:
    QMessageBox.about(parent, "About Earmark", about_text(version))


def shortcuts_dialog(parent: QWidget, actions: list[QAction]) -> QDialog:
    """Help → Keyboard Shortcuts: every action that has one, as the menus show it."""
    rows = [
        (
            a.text().replace("&", "").rstrip("…"),
            a.shortcut().toString(QKeySequence.SequenceFormat.NativeText),
        )
        for a in actions
        if not a.shortcut().isEmpty()
    ]
    dialog = QDialog(parent)
    dialog.setWindowTitle("Keyboard Shortcuts")
    table = QTableWidget(len(rows), 2, dialog)
    table.setAccessibleName("Keyboard shortcuts")
    table.setHorizontalHeaderLabels(["Action", "Keys"])
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    for row, (text, keys) in enumerate(rows):
        table.setItem(row, 0, QTableWidgetItem(text))
        table.setItem(row, 1, QTableWidgetItem(keys))
    table.resizeColumnsToContents()
    table.horizontalHeader().setStretchLastSection(True)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(table)
    layout.addWidget(buttons)
    dialog.resize(420, 520)
    return dialog
