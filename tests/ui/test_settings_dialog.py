"""Settings in the window are the settings `earmark config` sees, and back."""

from __future__ import annotations

import json
from pathlib import Path

from desktop.cli.main import main as cli
from desktop.core.settings import load_settings
from desktop.ui.settings_dialog import SettingsDialog
from tests.llm_server import ScriptedServer


def test_saved_settings_are_what_earmark_config_shows(qtbot, capsys) -> None:
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    page = dialog.transcription
    page.language_edit.setText("en")
    page.beam_box.setValue(5)
    page.vad_box.setChecked(False)
    insights = dialog.insights
    insights.engine_box.setCurrentIndex(insights.engine_box.findData("openai"))
    insights.url_edit.setText("http://127.0.0.1:9/v1")
    insights.llm_model_box.setCurrentText("llama3.2")
    insights.key_env_edit.setText("MY_KEY")
    dialog.accept()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    assert cli(["config", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)["settings"]
    assert shown["language"] == "en" and shown["beam_size"] == 5 and shown["vad"] is False
    assert shown["insight_engine"] == "openai" and shown["llm_model"] == "llama3.2"
    assert shown["llm_api_key_env"] == "MY_KEY"
    assert cli(["config", "set", "beam_size", "3"]) == 0
    again = SettingsDialog()
    qtbot.addWidget(again)
    assert again.transcription.beam_box.value() == 3
    assert not again.transcription.vad_box.isChecked()


def test_a_folder_without_a_model_is_refused_with_what_is_missing(qtbot, tmp_path: Path) -> None:
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    page = dialog.transcription
    assert not page.set_model_folder(str(tmp_path))
    assert str(tmp_path) in page.model_note.text()
    assert page.model_dir is None  # still the embedded model
    from desktop.core.transcribe import embedded_model_dir

    assert page.set_model_folder(str(embedded_model_dir()))
    assert page.model_dir == str(embedded_model_dir().resolve())


def test_server_without_a_model_name_is_not_saved(qtbot) -> None:
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    page = dialog.insights
    page.engine_box.setCurrentIndex(page.engine_box.findData("openai"))
    page.llm_model_box.setCurrentText("")
    dialog.accept()
    assert "model" in dialog.error_label.text()
    assert load_settings().insight_engine is None


def test_test_connection_lists_the_server_models_or_says_why(qtbot) -> None:
    server = ScriptedServer()
    try:
        dialog = SettingsDialog()
        qtbot.addWidget(dialog)
        page = dialog.insights
        page.engine_box.setCurrentIndex(page.engine_box.findData("openai"))
        page.url_edit.setText(server.url)
        page.test_button.click()
        qtbot.waitUntil(lambda: page.server_note.text().startswith("Connected"), timeout=10_000)
        assert "scripted" in page.server_note.text()
        assert page.llm_model_box.findText("scripted") >= 0
        page.url_edit.setText("http://127.0.0.1:9/v1")  # nothing listens there
        page.test_button.click()
        qtbot.waitUntil(lambda: "cannot reach" in page.server_note.text(), timeout=10_000)
        assert "127.0.0.1:9" in page.server_note.text()
    finally:
        server.stop()


def test_the_library_can_be_kept_elsewhere_from_the_next_start(
    qtbot, tmp_path, monkeypatch
) -> None:
    from desktop.core.paths import data_dir, default_db_path, location_file

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    page = dialog.library
    assert not page.location_button.isEnabled()  # EARMARK_HOME (set for every test) wins
    monkeypatch.delenv("EARMARK_HOME")
    assert page.set_library_folder(tmp_path / "elsewhere")
    assert location_file().is_relative_to(tmp_path / "config")
    assert data_dir() == (tmp_path / "elsewhere").resolve()
    assert default_db_path() == (tmp_path / "elsewhere" / "library.sqlite3").resolve()
    assert "From the next start" in page.location_note.text()
    from desktop.core.paths import choose_data_dir, platform_data_dir

    choose_data_dir(None)
    assert data_dir() == platform_data_dir() and not location_file().exists()
