"""Settings → Library: where the library file lives, and moving it from the next start."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QFormLayout, QPushButton, QWidget

from desktop.core.errors import EarmarkError
from desktop.core.paths import choose_data_dir, default_db_path
from desktop.ui.settings.common import plain_label


class LibraryPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        path = plain_label(str(default_db_path()), self, selectable=True)
        path.setAccessibleName("Library file")
        form.addRow("File:", path)
        self.location_button = QPushButton("Keep the Library in…", self)
        self.location_button.setAccessibleName("Choose the folder that holds the library")
        self.location_button.setToolTip("Keep the library in another folder from the next start")
        self.location_button.clicked.connect(self.choose_library_folder)
        self.location_note = plain_label("", self)
        self.location_note.setAccessibleName("Library location")
        if os.environ.get("EARMARK_HOME"):
            self.location_button.setEnabled(False)
            self.location_note.setText("EARMARK_HOME is set, so the library stays there.")
        form.addRow(self.location_button, self.location_note)

    def choose_library_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "The folder to keep the library in")
        if folder:
            self.set_library_folder(Path(folder))

    def set_library_folder(self, folder: Path) -> bool:
        """From the next start the library (and these settings) live in `folder`."""
        try:
            chosen = choose_data_dir(folder)
        except EarmarkError as exc:
            self.location_note.setText(str(exc))
            return False
        self.location_note.setText(
            f"From the next start: {chosen}. The open library stays where it is; move its "
            "files there first to take them along."
        )
        return True
