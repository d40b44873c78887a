"""Settings (Ctrl+,): the same settings.json that `earmark config` reads and writes.

Nothing here is new state: the dialog edits a `Settings` value, checks what it can when it
is chosen (a model folder, a server), and saves through core.settings on OK.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import EarmarkError
from desktop.core.paths import choose_data_dir, default_db_path
from desktop.core.settings import Settings, load_settings, parse_value, save_settings
from desktop.core.transcribe import DEFAULT_BEAM_SIZE, EMBEDDED_MODEL_NAME, check_model_dir
from desktop.services.llm_settings import DEFAULT_LLM_URL, list_models, llm_config
from desktop.ui.jobs import Job, JobRunner

EMBEDDED = f"Embedded {EMBEDDED_MODEL_NAME} (English, fast)"


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)  # paths and server replies are data
    label.setWordWrap(True)
    return label


class SettingsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, settings: Settings | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Earmark Settings")
        self.settings = settings or load_settings()
        self.runner = JobRunner(self)
        self.model_folder: str | None = self.settings.model_dir
        layout = QVBoxLayout(self)
        layout.addWidget(self._transcription_group())
        layout.addWidget(self._insights_group())
        layout.addWidget(self._library_group())
        self.error_label = plain_label("", self)
        self.error_label.setAccessibleName("Problem with these settings")
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._engine_changed()

    # --- groups -----------------------------------------------------------------------------

    def _transcription_group(self) -> QGroupBox:
        group = QGroupBox("Transcription", self)
        form = QFormLayout(group)
        self.model_box = QComboBox(group)
        self.model_box.setAccessibleName("Whisper model")
        self.model_box.addItem(EMBEDDED, None)
        if self.model_folder:
            self.model_box.addItem(self.model_folder, self.model_folder)
            self.model_box.setCurrentIndex(1)
        browse = QPushButton("Choose a Folder…", group)
        browse.setAccessibleName("Choose a CTranslate2 Whisper model folder")
        browse.clicked.connect(self.choose_model_folder)
        self.model_note = plain_label("", group)
        row = QHBoxLayout()
        row.addWidget(self.model_box, 1)
        row.addWidget(browse)
        form.addRow("Model:", row)
        form.addRow("", self.model_note)
        self.language_edit = QLineEdit(self.settings.language or "", group)
        self.language_edit.setPlaceholderText("automatic (English for .en models)")
        self.language_edit.setAccessibleName("Language code, e.g. en or de")
        form.addRow("Language:", self.language_edit)
        self.beam_box = QSpinBox(group)
        self.beam_box.setRange(1, 10)
        self.beam_box.setValue(self.settings.beam_size or DEFAULT_BEAM_SIZE)
        self.beam_box.setAccessibleName("Beam size")
        self.beam_box.setToolTip("1 is fastest; 5 is more accurate and about 1.4x slower")
        form.addRow("Beam size:", self.beam_box)
        self.vad_box = QCheckBox("Skip silence (voice activity detection)", group)
        self.vad_box.setChecked(self.settings.vad is not False)
        form.addRow("", self.vad_box)
        return group

    def _insights_group(self) -> QGroupBox:
        group = QGroupBox("Insights", self)
        form = QFormLayout(group)
        self.engine_box = QComboBox(group)
        self.engine_box.setAccessibleName("Insight engine")
        self.engine_box.addItem("Extract from the transcript (embedded, offline)", "extractive")
        self.engine_box.addItem("Ask an OpenAI-compatible server of mine", "openai")
        self.engine_box.setCurrentIndex(1 if self.settings.insight_engine == "openai" else 0)
        self.engine_box.currentIndexChanged.connect(self._engine_changed)
        form.addRow("Engine:", self.engine_box)
        self.url_edit = QLineEdit(self.settings.llm_base_url or "", group)
        self.url_edit.setPlaceholderText(DEFAULT_LLM_URL)
        self.url_edit.setAccessibleName("Server URL")
        form.addRow("Server URL:", self.url_edit)
        self.llm_model_box = QComboBox(group)
        self.llm_model_box.setEditable(True)
        self.llm_model_box.setAccessibleName("Model on the server")
        self.llm_model_box.setCurrentText(self.settings.llm_model or "")
        form.addRow("Model:", self.llm_model_box)
        self.key_env_edit = QLineEdit(self.settings.llm_api_key_env or "", group)
        self.key_env_edit.setPlaceholderText("EARMARK_LLM_API_KEY")
        self.key_env_edit.setAccessibleName("Environment variable holding the API key")
        self.key_env_edit.setToolTip("Earmark reads the key from this variable; it never stores it")
        form.addRow("API key variable:", self.key_env_edit)
        self.test_button = QPushButton("Test Connection", group)
        self.test_button.setAccessibleName("Test the connection and list the server's models")
        self.test_button.clicked.connect(self.test_connection)
        self.server_note = plain_label("", group)
        self.server_note.setAccessibleName("What the server said")
        form.addRow(self.test_button, self.server_note)
        return group

    def _library_group(self) -> QGroupBox:
        group = QGroupBox("Library", self)
        form = QFormLayout(group)
        path = plain_label(str(default_db_path()), group)
        path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        path.setAccessibleName("Library file")
        form.addRow("File:", path)
        self.location_button = QPushButton("Keep the Library in…", group)
        self.location_button.setAccessibleName("Choose the folder that holds the library")
        self.location_button.clicked.connect(self.choose_library_folder)
        self.location_note = plain_label("", group)
        self.location_note.setAccessibleName("Library location")
        if os.environ.get("EARMARK_HOME"):
            self.location_button.setEnabled(False)
            self.location_note.setText("EARMARK_HOME is set, so the library stays there.")
        form.addRow(self.location_button, self.location_note)
        return group

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

    # --- actions ----------------------------------------------------------------------------

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

    def test_connection(self) -> None:
        """Ask the server for its models off the UI thread and show its answer."""
        try:
            config = llm_config(
                self.url_edit.text().strip() or None,
                self.llm_model_box.currentText().strip() or "any",
                self.key_env_edit.text().strip() or None,
                settings=Settings(),
            )
        except EarmarkError as exc:
            self.server_note.setText(str(exc))
            return
        self.server_note.setText(f"Asking {config.base_url}…")
        self.test_button.setEnabled(False)
        job = Job("models", lambda _ctx: list_models(config))
        job.succeeded.connect(self._models_listed)
        job.failed.connect(self.server_note.setText)
        job.finished.connect(lambda: self.test_button.setEnabled(True))
        self.runner.start(job)

    def _models_listed(self, models: list[str]) -> None:
        current = self.llm_model_box.currentText()
        self.llm_model_box.clear()
        self.llm_model_box.addItems(models)
        self.llm_model_box.setCurrentText(current or (models[0] if models else ""))
        shown = ", ".join(models[:5]) + (" …" if len(models) > 5 else "")
        self.server_note.setText(f"Connected: {len(models)} models ({shown})")

    def _engine_changed(self) -> None:
        server = self.engine_box.currentData() == "openai"
        for widget in (self.url_edit, self.llm_model_box, self.key_env_edit, self.test_button):
            widget.setEnabled(server)

    # --- saving -----------------------------------------------------------------------------

    def edited_settings(self) -> Settings:
        """The dialog's values, checked like `earmark config set` checks them."""
        values = {
            "model_dir": self.model_box.currentData(),
            "language": self.language_edit.text().strip() or None,
            "beam_size": self.beam_box.value(),
            "vad": self.vad_box.isChecked(),
            "insight_engine": self.engine_box.currentData(),
            "llm_base_url": self.url_edit.text().strip() or None,
            "llm_model": self.llm_model_box.currentText().strip() or None,
            "llm_api_key_env": self.key_env_edit.text().strip() or None,
        }
        checked = {k: parse_value(k, v, "Settings") if v is not None else None
                   for k, v in values.items()}  # fmt: skip
        if checked["insight_engine"] == "openai" and not checked["llm_model"]:
            raise EarmarkError("Settings: name the server's model, or choose the embedded engine")
        return replace(self.settings, **checked)

    def accept(self) -> None:
        try:
            settings = self.edited_settings()
            save_settings(settings)
        except EarmarkError as exc:
            self.error_label.setText(str(exc))
            return
        self.settings = settings
        super().accept()
