"""Settings → Transcription: the Whisper model, language, beam size and silence skipping.

The models are a table (model_table.py) of faster-whisper's models: Download, Resume,
Cancel, Remove and Use, with the embedded tiny.en first (always there, never removed);
"Use a Model Folder…" takes a CTranslate2 folder of the user's own. Like every page this
one only edits values: the choice is saved on OK, so Cancel leaves the model as it was.
Downloads and removals act on the disk at once: they are files, not settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.core.downloads.errors import human_size
from desktop.core.errors import EarmarkError
from desktop.core.models.whisper_catalog import EMBEDDED, find_whisper_model
from desktop.core.settings import Settings
from desktop.core.transcribe import DEFAULT_BEAM_SIZE
from desktop.services.whisper_models import (
    ModelState,
    model_setting,
    model_states,
    pull_model,
    remove_model,
)
from desktop.ui.display import shown_text
from desktop.ui.jobs import Job, JobContext, JobRunner
from desktop.ui.settings.common import plain_label
from desktop.ui.settings.model_table import ModelRow, ModelTable

MODEL_HEADERS = ("Model", "Languages", "Size", "Memory", "Status", "")
DOWNLOAD_KIND = "whisper-download"


def fetch_model(name: str, context: JobContext) -> Path:
    """A download job's work: the service's own pull, with the job's progress and cancel."""
    return pull_model(name, context.report, context.cancelled)


def model_row(state: ModelState) -> ModelRow:
    model = state.model
    speed = f" · {state.speed:.0f}x real time here" if state.speed else ""
    return ModelRow(
        key=model.name,
        title=model.label,
        detail=f"{model.note}{speed}",
        cells=(model.languages, human_size(model.size), f"{model.memory_mb / 1000:.1f} GB"),
        size=model.size,
        disk_bytes=state.disk_bytes,
        installed=state.installed,
        partial_bytes=state.partial_bytes,
        in_use=state.in_use,
        tooltip=f"{model.name}: about {human_size(model.size)} on disk, "
        f"{model.memory_mb / 1000:.1f} GB of memory to transcribe",
    )


class WhisperModelTable(ModelTable):
    """The shared table, worded for transcription: its buttons otherwise speak of
    insights, and the embedded row says why it has nothing to download or remove."""

    def refresh(self) -> None:
        super().refresh()
        for widgets in self.row_widgets.values():
            row = widgets.row
            if row.installed:
                widgets.use_button.setToolTip(f"Transcribe new episodes with {row.title}")
            if row.key == EMBEDDED.name:
                widgets.download_button.setToolTip("Built into Earmark: nothing to download")
                widgets.remove_button.setToolTip("Built into Earmark: it cannot be removed")
                if not row.in_use:
                    widgets.status.setText("embedded")


class TranscriptionPage(QWidget):
    def __init__(
        self, settings: Settings, parent: QWidget | None = None, runner: JobRunner | None = None
    ) -> None:
        """`runner`: the dialog's, so closing it can stop the downloads; without one the
        page keeps its own (no Qt parent: a download outlives the page's slots safely)."""
        super().__init__(parent)
        self.runner = runner or JobRunner()
        self.model_dir = settings.model_dir  # what OK saves: a listed name, a folder, None
        self._saved_model_dir = settings.model_dir
        layout = QVBoxLayout(self)
        group = QGroupBox("Whisper models", self)
        inner = QVBoxLayout(group)
        inner.addWidget(
            plain_label(
                "Larger models hear more and take longer. A model is downloaded from "
                "huggingface.co only when you press Download; the embedded one needs none.",
                group,
            )
        )
        self.models = WhisperModelTable(
            MODEL_HEADERS,
            self._model_rows,
            fetch_model,
            self._remove_model,
            self.use_listed_model,
            self.runner,
            group,
            kind=DOWNLOAD_KIND,
        )
        self.models.setAccessibleName("Whisper models to download and use")
        inner.addWidget(self.models, 1)
        self.folder_button = QPushButton("Use a Model Folder…", group)
        self.folder_button.setAccessibleName("Use a CTranslate2 Whisper model folder")
        self.folder_button.setToolTip("Use a CTranslate2 Whisper model folder you already have")
        self.folder_button.clicked.connect(self.choose_model_folder)
        self.model_note = plain_label("", group, selectable=True)
        self.model_note.setAccessibleName("The model that transcribes")
        row = QHBoxLayout()
        row.addWidget(self.folder_button)
        row.addWidget(self.model_note, 1)
        inner.addLayout(row)
        layout.addWidget(group, 1)

        form = QFormLayout()
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
        self.servers_edit = QLineEdit(settings.stt_servers or "", self)
        self.servers_edit.setPlaceholderText("none: this computer transcribes")
        self.servers_edit.setAccessibleName("Whisper servers, comma-separated URLs")
        self.servers_edit.setToolTip(
            "OpenAI-compatible Whisper servers you run (faster-whisper-server, speaches, "
            "whisper.cpp, vLLM, LocalAI), e.g. http://gpu-box:8000. Episodes are sent to "
            "the first; a folder or many files are spread over all of them and this computer."
        )
        form.addRow("Whisper servers:", self.servers_edit)
        layout.addLayout(form)
        self._show_model_choice()

    def values(self) -> dict[str, Any]:
        return {
            "model_dir": self.model_dir,
            "language": self.language_edit.text().strip() or None,
            "beam_size": self.beam_box.value(),
            "vad": self.vad_box.isChecked(),
            "stt_servers": self.servers_edit.text().strip() or None,
        }

    def downloads(self) -> list[Job]:
        return self.models.downloads()

    # The model ------------------------------------------------------------------------------

    def _model_rows(self) -> list[ModelRow]:
        # "in use" is what this page would save, not what the file says now.
        return [model_row(state) for state in model_states(Settings(model_dir=self.model_dir))]

    def use_listed_model(self, name: str) -> None:
        self.model_dir, _ = model_setting(name)  # EarmarkError: shown in the row
        self._show_model_choice()

    def _remove_model(self, name: str) -> None:
        removed = remove_model(name)
        if removed.was_in_use or self.model_dir == name:  # the file is reset already
            self.model_dir = None
            self._show_model_choice()

    def choose_model_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "A CTranslate2 Whisper model folder")
        if folder:
            self.set_model_folder(folder)

    def set_model_folder(self, folder: str | None) -> bool:
        """Use a model folder after checking it holds a model (None: the embedded model);
        say what is missing if not."""
        try:
            self.model_dir, _ = model_setting(folder or EMBEDDED.name)
        except EarmarkError as exc:
            self.model_note.setText(str(exc))
            return False
        self._show_model_choice()
        self.models.refresh()
        return True

    def _show_model_choice(self) -> None:
        listed = find_whisper_model(self.model_dir) if self.model_dir else EMBEDDED
        if listed is not None:
            name = f"the embedded {listed.name}" if listed.embedded else listed.name
        else:
            name = f"the model in {shown_text(str(self.model_dir), 500)}"
        when = "" if self.model_dir == self._saved_model_dir else " once you press OK"
        self.model_note.setText(f"New episodes are transcribed with {name}{when}.")
