"""Settings → Transcription: the Whisper model, language, beam size and silence skipping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from desktop.core.errors import EarmarkError
from desktop.core.settings import Settings
from desktop.core.transcribe import DEFAULT_BEAM_SIZE, EMBEDDED_MODEL_NAME, check_model_dir
from desktop.ui.settings.common import plain_label

EMBEDDED = f"Embedded {EMBEDDED_MODEL_NAME} (English, fast)"


class TranscriptionPage(QWidget):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        self.model_box = QComboBox(self)
        self.model_box.setAccessibleName("Whisper model")
        self.model_box.setToolTip("The Whisper model that transcribes new episodes")
        self.model_box.addItem(EMBEDDED, None)
        if settings.model_dir:
            self.model_box.addItem(settings.model_dir, settings.model_dir)
            self.model_box.setCurrentIndex(1)
        browse = QPushButton("Choose a Folder…", self)
        browse.setAccessibleName("Choose a CTranslate2 Whisper model folder")
        browse.setToolTip("Use a CTranslate2 Whisper model folder you already have")
        browse.clicked.connect(self.choose_model_folder)
        self.model_note = plain_label("", self)
        self.model_note.setAccessibleName("About the chosen model")
        row = QHBoxLayout()
        row.addWidget(self.model_box, 1)
        row.addWidget(browse)
        form.addRow("Model:", row)
        form.addRow("", self.model_note)
        self.language_edit = QLineEdit(settings.language or "", self)
        self.language_edit.setPlaceholderText("automatic (English for .en models)")
        self.language_edit.setAccessibleName("Language code, e.g. en or de")
        self.language_edit.setToolTip("The spoken language as a code (en, de…); empty: detect it")
        form.addRow("Language:", self.language_edit)
        self.beam_box = QSpinBox(self)
        self.beam_box.setRange(1, 10)
        self.beam_box.setValue(settings.beam_size or DEFAULT_BEAM_SIZE)
        self.beam_box.setAccessibleName("Beam size")
        self.beam_box.setToolTip("1 is fastest; 5 is more accurate and about 1.4x slower")
        form.addRow("Beam size:", self.beam_box)
        self.vad_box = QCheckBox("Skip silence (voice activity detection)", self)
        self.vad_box.setToolTip("Skip the silent parts of an episode: faster, same words")
        self.vad_box.setChecked(settings.vad is not False)
        form.addRow("", self.vad_box)

    def values(self) -> dict[str, Any]:
        return {
            "model_dir": self.model_box.currentData(),
            "language": self.language_edit.text().strip() or None,
            "beam_size": self.beam_box.value(),
            "vad": self.vad_box.isChecked(),
        }

    def choose_model_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "A CTranslate2 Whisper model folder")
        if folder:
            self.set_model_folder(folder)

    def set_model_folder(self, folder: str | None) -> bool:
        """Use a model folder after checking it holds a model; say what is missing if not."""
        if folder is None:
            self.model_box.setCurrentIndex(0)
            self.model_note.setText("")
            return True
        try:
            check_model_dir(Path(folder).expanduser().resolve())
        except EarmarkError as exc:
            self.model_note.setText(str(exc))
            return False
        resolved = str(Path(folder).expanduser().resolve())
        if self.model_box.findData(resolved) < 0:
            self.model_box.addItem(resolved, resolved)
        self.model_box.setCurrentIndex(self.model_box.findData(resolved))
        self.model_note.setText("Model found.")
        return True
