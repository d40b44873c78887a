"""Settings → Insights: which engine writes an episode's insights, and its model.

Three engines: extraction from the transcript (nothing to set up), a GGUF model Earmark
runs in-process (the table of models to download), or a server the user runs (the
runtimes found on this computer, or a URL typed). Like every page, this one only edits
values; the dialog saves them on OK, so Cancel leaves the settings as they were. Downloads
and removals act on the disk at once: they are files, not settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.downloads.errors import human_size
from desktop.core.errors import EarmarkError
from desktop.core.insights.llm.detect import DEFAULT_CANDIDATES, Candidate, Runtime
from desktop.core.models.llm_catalog import find_llm_model
from desktop.core.settings import Settings
from desktop.services.llm_models import (
    ModelState,
    model_setting,
    model_states,
    pull_model,
    remove_model,
)
from desktop.services.llm_settings import DEFAULT_LLM_URL, list_models, llm_config
from desktop.ui.display import shown_text
from desktop.ui.jobs import Job, JobContext, JobRunner
from desktop.ui.settings.common import plain_label
from desktop.ui.settings.model_table import ModelRow, ModelTable
from desktop.ui.settings.runtimes import RuntimeList

ENGINES = (
    ("extractive", "Extract from the transcript (embedded, offline)"),
    ("local", "A model on this computer, run by Earmark (no server)"),
    ("openai", "A server I run (Ollama, LM Studio, llama.cpp…)"),
)
MODEL_HEADERS = ("Model", "Size", "Memory", "Status", "")


def fetch_model(name: str, context: JobContext) -> Path:
    """A download job's work: the service's own pull, with the job's progress and cancel."""
    return pull_model(name, context.report, context.cancelled)


def model_row(state: ModelState) -> ModelRow:
    model = state.model
    on_disk = state.path.stat().st_size if state.installed else 0
    return ModelRow(
        key=model.name,
        title=model.label,
        detail=f"{model.licence} · {model.note}",
        cells=(human_size(model.size), f"{model.memory_gb:g} GB"),
        size=model.size,
        disk_bytes=on_disk + state.partial_bytes,
        installed=state.installed,
        partial_bytes=state.partial_bytes,
        in_use=state.in_use,
        tooltip=f"{model.name}: {model.context:,} tokens of context; from {model.page}",
    )


class InsightsPage(QWidget):
    def __init__(
        self,
        settings: Settings,
        runner: JobRunner,
        parent: QWidget | None = None,
        candidates: Sequence[Candidate] = DEFAULT_CANDIDATES,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.model_file = settings.llm_model_file  # the local engine's model, as saved
        self._runtime_choice: tuple[Runtime, str] | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.engine_box = QComboBox(self)
        self.engine_box.setAccessibleName("Insight engine")
        self.engine_box.setToolTip("How Earmark writes an episode's summary and key points")
        for engine, text in ENGINES:
            self.engine_box.addItem(text, engine)
        index = self.engine_box.findData(settings.insight_engine or "extractive")
        self.engine_box.setCurrentIndex(max(index, 0))
        form.addRow("Engine:", self.engine_box)
        layout.addLayout(form)
        self.found_note = plain_label("", self)
        self.found_note.setAccessibleName("LLM servers found on this computer")
        self.found_note.hide()
        layout.addWidget(self.found_note)

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self._extractive_page())
        self.stack.addWidget(self._local_page())
        self.stack.addWidget(self._server_page(settings, candidates))
        layout.addWidget(self.stack, 1)
        self.engine_box.currentIndexChanged.connect(self._engine_changed)
        self._engine_changed()
        self._show_model_choice()
        self.runtimes.look_again()  # in the background: the page is usable at once

    # Pages --------------------------------------------------------------------------------

    def _extractive_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        text = plain_label(
            "Earmark picks the summary, key points and questions from the transcript "
            "itself. Nothing is downloaded and nothing leaves this computer.",
            page,
        )
        layout.addWidget(text)
        layout.addStretch(1)
        return page

    def _local_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        group = QGroupBox("Models Earmark runs itself", page)
        inner = QVBoxLayout(group)
        inner.addWidget(
            plain_label(
                "Runs on this computer's processor; no server to start. A model is "
                "downloaded from huggingface.co only when you press Download.",
                group,
            )
        )
        self.models = ModelTable(
            MODEL_HEADERS,
            self._model_rows,
            fetch_model,
            self._remove_model,
            self.use_listed_model,
            self.runner,
            group,
            kind="llm-download",
        )
        self.models.setAccessibleName("Models Earmark can download and run")
        inner.addWidget(self.models, 1)
        self.file_button = QPushButton("Use a .gguf File I Have…", group)
        self.file_button.setAccessibleName("Use a GGUF model file already on this computer")
        self.file_button.setToolTip("Choose a .gguf model file (llama.cpp's format) to run")
        self.file_button.clicked.connect(self.choose_model_file)
        self.model_note = plain_label("", group, selectable=True)
        self.model_note.setAccessibleName("The model Earmark runs")
        row = QHBoxLayout()
        row.addWidget(self.file_button)
        row.addWidget(self.model_note, 1)
        inner.addLayout(row)
        layout.addWidget(group, 1)
        return page

    def _server_page(self, settings: Settings, candidates: Sequence[Candidate]) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        found = QGroupBox("Runtimes found on this computer", page)
        inner = QVBoxLayout(found)
        self.runtimes = RuntimeList(self.runner, candidates, found)
        self.runtimes.chosen.connect(self.use_runtime)
        self.runtimes.found.connect(self._runtimes_found)
        inner.addWidget(self.runtimes)
        layout.addWidget(found, 1)

        server = QGroupBox("Server", page)
        form = QFormLayout(server)
        self.url_edit = QLineEdit(settings.llm_base_url or "", server)
        self.url_edit.setPlaceholderText(DEFAULT_LLM_URL)
        self.url_edit.setAccessibleName("Server URL")
        self.url_edit.setToolTip("The server's OpenAI-compatible address, ending in /v1")
        form.addRow("Server URL:", self.url_edit)
        self.llm_model_box = QComboBox(server)
        self.llm_model_box.setEditable(True)
        self.llm_model_box.setAccessibleName("Model on the server")
        self.llm_model_box.setToolTip("The name of the model the server runs")
        self.llm_model_box.setCurrentText(settings.llm_model or "")
        self.test_button = QPushButton("Test Connection", server)
        self.test_button.setAccessibleName("Test the connection and list the server's models")
        self.test_button.setToolTip("Ask the server for its models")
        self.test_button.clicked.connect(self.test_connection)
        row = QHBoxLayout()
        row.addWidget(self.llm_model_box, 1)
        row.addWidget(self.test_button)
        form.addRow("Model:", row)
        self.key_env_edit = QLineEdit(settings.llm_api_key_env or "", server)
        self.key_env_edit.setPlaceholderText("EARMARK_LLM_API_KEY")
        self.key_env_edit.setAccessibleName("Environment variable holding the API key")
        self.key_env_edit.setToolTip("Earmark reads the key from this variable; it never stores it")
        form.addRow("API key variable:", self.key_env_edit)
        self.server_note = plain_label("", server)
        self.server_note.setAccessibleName("What the server said")
        form.addRow("", self.server_note)
        layout.addWidget(server)
        return page

    # The engine ---------------------------------------------------------------------------

    def engine(self) -> str:
        return str(self.engine_box.currentData())

    def _engine_changed(self) -> None:
        self.stack.setCurrentIndex(self.engine_box.currentIndex())
        self._runtimes_found(self.runtimes.runtimes)

    def _runtimes_found(self, runtimes: list[Runtime]) -> None:
        """Say what was found while another engine is chosen: the list is on the server
        engine's page, and a user who runs Ollama should not have to guess that."""
        usable = [r for r in runtimes if r.models]
        if not usable or self.engine() == "openai":
            self.found_note.hide()
            return
        names = ", ".join(dict.fromkeys(r.name for r in usable))
        models = sum(len(r.models) for r in usable)
        self.found_note.setText(
            f"Found on this computer: {names} ({models} model{'s' if models != 1 else ''}). "
            f"Choose “{ENGINES[2][1]}” to use one."
        )
        self.found_note.show()

    # Models Earmark runs ------------------------------------------------------------------

    def _model_rows(self) -> list[ModelRow]:
        # "in use" is what this page would save, not what the file says now.
        chosen = Settings(insight_engine="local", llm_model_file=self.model_file)
        return [model_row(state) for state in model_states(chosen)]

    def use_listed_model(self, name: str) -> None:
        self.model_file, _ = model_setting(name)  # EarmarkError: shown in the row
        self.engine_box.setCurrentIndex(self.engine_box.findData("local"))
        self._show_model_choice()

    def _remove_model(self, name: str) -> None:
        remove_model(name)
        if self.model_file == name:  # remove_model unset it in the file too
            self.model_file = None
            self._show_model_choice()

    def choose_model_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "A GGUF model file", "", "GGUF models (*.gguf);;All files (*)"
        )
        if path:
            self.use_model_file(path)

    def use_model_file(self, path: str) -> bool:
        """Run the .gguf file at `path`, after checking it is one; say why not if not."""
        try:
            self.model_file, _ = model_setting(path)
        except EarmarkError as exc:
            self.model_note.setText(str(exc))
            return False
        self.engine_box.setCurrentIndex(self.engine_box.findData("local"))
        self._show_model_choice()
        self.models.refresh()
        return True

    def _show_model_choice(self) -> None:
        if not self.model_file:
            self.model_note.setText("No model chosen: download one and press Use.")
            return
        listed = find_llm_model(self.model_file)
        shown = listed.label if listed is not None else shown_text(self.model_file, 500)
        self.model_note.setText(f"Earmark runs {shown}.")

    def downloads(self) -> list[Job]:
        return self.models.downloads()

    # A server -----------------------------------------------------------------------------

    def use_runtime(self, runtime: Runtime, model: str) -> None:
        """Fill in the server fields for `model` on `runtime`; saved with the rest on OK."""
        self._runtime_choice = (runtime, model)
        self.engine_box.setCurrentIndex(self.engine_box.findData("openai"))
        self.url_edit.setText(runtime.base_url)
        self.llm_model_box.clear()
        self.llm_model_box.addItems(list(runtime.models))
        self.llm_model_box.setCurrentText(model)
        self.server_note.setText(
            f"Insights will use {model} on {runtime.name} at {runtime.base_url} once you press OK."
        )

    def runtime_choice(self) -> tuple[Runtime, str] | None:
        """The runtime chosen with Use, while the fields still name it (the dialog then
        saves what the runtime said about its context length)."""
        choice = self._runtime_choice
        if choice is None or self.engine() != "openai":
            return None
        runtime, model = choice
        same = (self.url_edit.text().strip(), self.llm_model_box.currentText().strip())
        return choice if same == (runtime.base_url, model) else None

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
        job = Job("models", lambda _context: list_models(config))
        job.succeeded.connect(self._models_listed)
        job.failed.connect(self.server_note.setText)
        job.finished.connect(self._test_ended)
        self.runner.start(job)

    def _test_ended(self) -> None:
        self.test_button.setEnabled(True)

    def _models_listed(self, models: list[str]) -> None:
        current = self.llm_model_box.currentText()
        self.llm_model_box.clear()
        self.llm_model_box.addItems(models)
        self.llm_model_box.setCurrentText(current or (models[0] if models else ""))
        shown = ", ".join(models[:5]) + (" …" if len(models) > 5 else "")
        self.server_note.setText(f"Connected: {len(models)} models ({shown})")

    # Saving -------------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        return {
            "insight_engine": self.engine(),
            "llm_base_url": self.url_edit.text().strip() or None,
            "llm_model": self.llm_model_box.currentText().strip() or None,
            "llm_api_key_env": self.key_env_edit.text().strip() or None,
            "llm_model_file": self.model_file,
        }
