"""Export (Ctrl+E) and Copy as Markdown (Ctrl+Shift+C) for the open episode.

The save dialog asks before replacing a file (Qt's own confirmation, never switched off);
only then is the export allowed to overwrite. The last folder is remembered.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from desktop.core.errors import EarmarkError
from desktop.core.exporters import EXTENSIONS
from desktop.core.store import Library
from desktop.services.exporting import export_text, export_to_path, suggested_filename

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow

FILTERS = {
    "md": "Markdown (*.md)",
    "srt": "SubRip subtitles (*.srt)",
    "vtt": "WebVTT subtitles (*.vtt)",
    "txt": "Plain text (*.txt)",
    "json": "Earmark JSON (*.json)",
    "chapters": "WebVTT chapters (*.chapters.vtt)",
}


def save_dialog(
    parent: QWidget, library: Library, episode_id: int, state: QSettings
) -> QFileDialog:
    """The save dialog, set up: Markdown first, the title as the name, the last folder."""
    folder = Path(str(state.value("export_folder", str(Path.home()))))
    dialog = QFileDialog(parent, "Export episode")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setNameFilters(list(FILTERS.values()))
    dialog.setDirectory(str(folder))
    dialog.selectFile(suggested_filename(library, episode_id, "md"))
    dialog.setDefaultSuffix("md")
    dialog.filterSelected.connect(lambda name: _follow_filter(dialog, library, episode_id, name))
    return dialog


def _follow_filter(dialog: QFileDialog, library: Library, episode_id: int, name: str) -> None:
    fmt = format_of(name)
    dialog.setDefaultSuffix(EXTENSIONS.get(fmt, fmt))
    dialog.selectFile(suggested_filename(library, episode_id, fmt))


def format_of(filter_name: str) -> str:
    return next((fmt for fmt, name in FILTERS.items() if name == filter_name), "md")


def export_chosen(
    library: Library, episode_id: int, path: Path, fmt: str, state: QSettings
) -> Path:
    """Write the file the dialog chose (replacing it was confirmed there)."""
    written = export_to_path(library, episode_id, fmt, path, overwrite=True)
    state.setValue("export_folder", str(Path(path).parent))
    return written


def export_with_dialog(
    parent: QWidget, library: Library, episode_id: int, state: QSettings
) -> Path | None:
    """Ask where, then write; None when the user cancelled. Errors raise EarmarkError."""
    dialog = save_dialog(parent, library, episode_id, state)
    if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
        return None
    return export_chosen(
        library,
        episode_id,
        Path(dialog.selectedFiles()[0]),
        format_of(dialog.selectedNameFilter()),
        state,
    )


def copy_markdown(library: Library, episode_id: int) -> int:
    """The episode as Markdown on the clipboard; returns its length in characters."""
    text = export_text(library, episode_id, "md")
    QApplication.clipboard().setText(text)
    return len(text)


__all__ = ["EarmarkError", "copy_markdown", "export_chosen", "export_with_dialog", "save_dialog"]


def export_current(window: MainWindow) -> None:
    """File ▸ Export: the open episode through the save dialog; the result in the status
    bar, a failure in the banner."""
    if window.session.current is None:
        return
    try:
        path = export_with_dialog(
            window, window.session.library, window.session.current.id, window.state
        )
    except EarmarkError as exc:
        window.show_message("error", str(exc))
        return
    if path is not None:
        window.statusBar().showMessage(f"Exported to {path}", 8000)


def copy_current(window: MainWindow) -> None:
    """Edit ▸ Copy as Markdown: the open episode, whole, to the clipboard."""
    if window.session.current is not None:
        size = copy_markdown(window.session.library, window.session.current.id)
        copied = f"Copied the episode as Markdown ({size:,} characters)"
        window.statusBar().showMessage(copied, 8000)
