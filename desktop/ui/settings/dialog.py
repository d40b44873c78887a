"""Settings (Ctrl+,): the same settings.json that `earmark config` reads and writes.

Nothing here is new state: the pages edit a `Settings` value, check what they can when
it is chosen (a model folder, a server, a model file), and the dialog saves through
core.settings on OK. Model downloads are the exception that outlives a choice, so closing
while one runs asks first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import EarmarkError
from desktop.core.insights.llm.detect import DEFAULT_CANDIDATES, Candidate
from desktop.core.settings import Settings, load_settings, parse_value, save_settings
from desktop.services.llm_settings import runtime_context
from desktop.ui.jobs import JobRunner
from desktop.ui.settings.common import ask, plain_label
from desktop.ui.settings.insights_page import InsightsPage
from desktop.ui.settings.library_page import LibraryPage
from desktop.ui.settings.transcription_page import TranscriptionPage

STOP_QUESTION = "Stop the download? What is downloaded is kept and resumes next time."
STOP_WAIT = 30.0  # seconds: a download checks for cancel between chunks, so far less


class SettingsDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None = None,
        settings: Settings | None = None,
        candidates: Sequence[Candidate] = DEFAULT_CANDIDATES,
    ) -> None:
        """`candidates`: where to look for LLM servers (tests pass ports of their own)."""
        super().__init__(parent)
        self.setWindowTitle("Earmark Settings")
        self.settings = settings or load_settings()
        # No Qt parent: a server search may end after the dialog is gone, and the runner's
        # slot for its end must still exist then (the job's closure keeps it alive).
        self.runner = JobRunner()
        # Replaceable like ModelTable.confirm; the default asks with a message box.
        self.confirm: Callable[[QWidget, str, str, str, str], bool] = ask
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Settings pages")
        self.transcription = TranscriptionPage(self.settings, self.tabs, self.runner)
        self.insights = InsightsPage(self.settings, self.runner, self.tabs, candidates)
        self.library = LibraryPage(self.tabs)
        self.tabs.addTab(self.transcription, "&Transcription")
        self.tabs.addTab(self.insights, "&Insights")
        self.tabs.addTab(self.library, "&Library")
        for index, tip in enumerate(
            (
                "The Whisper model and how it listens",
                "How Earmark writes summaries and key points",
                "Where the library is kept",
            )
        ):
            self.tabs.setTabToolTip(index, tip)
        layout.addWidget(self.tabs, 1)
        self.error_label = plain_label("", self)
        self.error_label.setAccessibleName("Problem with these settings")
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout.addWidget(buttons)
        # Wide enough for the model table's columns and buttons without scrolling sideways.
        self.resize(820, 600)

    # --- saving -----------------------------------------------------------------------------

    def edited_settings(self) -> Settings:
        """The dialog's values, checked like `earmark config set` checks them."""
        values = {**self.transcription.values(), **self.insights.values()}
        checked = {k: parse_value(k, v, "Settings") if v is not None else None
                   for k, v in values.items()}  # fmt: skip
        engine = checked["insight_engine"]
        if engine == "openai" and not checked["llm_model"]:
            raise EarmarkError("Settings: name the server's model, or choose another engine")
        if engine == "local" and not checked["llm_model_file"]:
            raise EarmarkError(
                "Settings: choose the model Earmark runs (Download, then Use), or another engine"
            )
        settings = replace(self.settings, **checked)
        choice = self.insights.runtime_choice()
        if choice is not None:  # against the settings as they were: the rule use_runtime has
            settings.llm_context_tokens = runtime_context(self.settings, *choice)
        return settings

    def accept(self) -> None:
        try:
            settings = self.edited_settings()
        except EarmarkError as exc:
            self.error_label.setText(str(exc))
            return
        if not self._may_close():
            return
        try:
            save_settings(settings)
        except EarmarkError as exc:
            self.error_label.setText(str(exc))
            return
        self.settings = settings
        super().accept()

    def reject(self) -> None:
        """Cancel, Escape and the window's close button all come here."""
        if self._may_close():
            super().reject()

    def _may_close(self) -> bool:
        """With downloads running, ask whether to stop them; stop and wait when so."""
        downloads = self.transcription.downloads() + self.insights.downloads()
        if not downloads:
            return True
        if self.isVisible() and not self.confirm(
            self, "Downloads Running", STOP_QUESTION, "Stop", "Keep Open"
        ):
            return False
        for job in downloads:
            job.cancel()
        for job in downloads:
            job.wait(STOP_WAIT)
        return True
