"""`earmark config`: saved settings, their precedence, and clear errors for bad ones."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.core.settings import Settings, load_settings
from desktop.core.transcribe import resolve_model
from tests import media_fixtures as media
from tests.conftest import SAMPLE_VTT


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_defaults_then_set_and_unset(capsys, earmark_home: Path) -> None:
    code, out, _ = run(capsys, "config", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["path"] == str(earmark_home / "settings.json")
    assert set(data["settings"].values()) == {None}

    assert run(capsys, "config", "set", "beam_size", "5")[0] == 0
    assert run(capsys, "config", "set", "llm_model", "llama3.2")[0] == 0
    assert load_settings() == Settings(beam_size=5, llm_model="llama3.2")
    assert run(capsys, "config", "unset", "beam_size")[0] == 0
    assert load_settings() == Settings(llm_model="llama3.2")
    saved = json.loads((earmark_home / "settings.json").read_text())
    assert saved == {"llm_model": "llama3.2"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["config", "set", "beam_size", "many"], "whole number"),
        (["config", "set", "beam_size", "0"], "at least 1"),
        (["config", "set", "llm_base_url", "localhost:11434"], "http://"),
        (["config", "set", "model_dir", "/no/such/model"], "model folder not found"),
        (["config", "set", "llm_model"], "needs KEY VALUE"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_saved(
    capsys, earmark_home: Path, argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 1
    assert message in err
    assert not (earmark_home / "settings.json").exists()


def test_a_broken_settings_file_names_itself(capsys, earmark_home: Path) -> None:
    earmark_home.mkdir(parents=True)
    (earmark_home / "settings.json").write_text('{\n  "beam_size": 5,\n}\n')
    code, _, err = run(capsys, "transcribe", str(media.JFK))
    assert code == 1
    assert "settings.json, line 3" in err and "not valid JSON" in err


def test_the_saved_model_folder_is_used_and_a_flag_beats_it(capsys, tmp_path: Path) -> None:
    folder = tmp_path / "my-ct2-model"
    shutil.copytree(resolve_model().path, folder)
    assert run(capsys, "config", "set", "model_dir", str(folder))[0] == 0
    code, out, err = run(capsys, "transcribe", str(media.JFK), "--json")
    assert code == 0, err
    assert json.loads(out)["model"] == "my-ct2-model"

    code, _, err = run(capsys, "transcribe", str(SAMPLE_VTT.with_name("x.mp3")), "--model", "/no")
    assert code == 1 and "/no: model folder not found" in err


def test_saved_llm_server_is_used_by_insights(capsys) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    run(capsys, "config", "set", "llm_base_url", url)
    run(capsys, "config", "set", "llm_model", "tiny")
    code, out, _ = run(capsys, "import", str(SAMPLE_VTT), "--json")
    episode = json.loads(out)["episodes"][0]["id"]
    code, out, err = run(capsys, "insights", str(episode), "--engine", "openai", "--json")
    assert code == 0
    assert url in err and "extracted insights instead" in err
    assert json.loads(out)["engine"] == "extractive"


def test_a_typed_value_is_refused_in_the_user_s_words(capsys) -> None:
    """No internal 'value:' prefix: the message starts with the setting's name."""
    code, _, err = run(capsys, "config", "set", "beam_size", "banana")
    assert code == 1
    assert err.strip() == "earmark: error: beam_size must be a whole number, not 'banana'"
    code, _, err = run(capsys, "config", "set", "vad", "maybe")
    assert err.strip() == "earmark: error: vad must be true or false, not 'maybe'"
