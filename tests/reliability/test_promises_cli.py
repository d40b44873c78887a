"""README promises of `earmark transcribe`, checked on real recordings with the real model.

- "A command-line flag beats an environment variable (`EARMARK_MODEL`, ...), which beats
  the saved setting, which beats the default": seen in which model folder is used (a
  good one is named in the episode, a broken one in the error).
- `--language`: English-only (`.en`) models transcribe English; the episode records the
  language; a language the model cannot do is refused before anything is stored.
- `--no-vad` "transcribes silence too ... for music beds or very quiet speech".

The CLI runs in this process (`main`), so the embedded model is loaded once for them all.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.core.transcribe import resolve_model
from tests import media_fixtures as media
from tests.wer import word_error_rate

pytestmark = pytest.mark.timeout(300)

JFK_TEXT = (
    "And so my fellow Americans ask not what your country can do for you, ask what you "
    "can do for your country."
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def transcribe(capsys: pytest.CaptureFixture[str], media_path: Path, *flags: str) -> dict:
    code, out, err = run(capsys, "transcribe", str(media_path), "--json", *flags)
    assert code == 0, err
    return json.loads(out)


def episode_text(capsys: pytest.CaptureFixture[str], episode: int) -> str:
    code, out, err = run(capsys, "show", str(episode), "--json")
    assert code == 0, err
    return " ".join(s["text"] for s in json.loads(out)["segments"])


def stored_episodes(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    code, out, err = run(capsys, "list", "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture(scope="module")
def model_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded model in a folder of its own name (hard links: no copy of 75 MB)."""
    folder = tmp_path_factory.mktemp("models") / "chosen-model"
    shutil.copytree(resolve_model().path, folder, copy_function=os.link)
    return folder


# -- model: flag > EARMARK_MODEL > model_dir setting > embedded ------------------------------


def test_model_folder_precedence(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    model_copy: Path,
    tmp_path: Path,
) -> None:
    tmp_path = tmp_path.resolve()  # errors name folders resolved
    saved = tmp_path / "saved-model"
    shutil.copytree(model_copy, saved, copy_function=os.link)
    assert run(capsys, "config", "set", "model_dir", str(saved))[0] == 0
    (saved / "model.bin").unlink()  # the saved folder was broken after it was set
    env_folder, flag_folder = tmp_path / "env-model", tmp_path / "flag-model"  # missing
    monkeypatch.setenv("EARMARK_MODEL", str(env_folder))

    # Each error names the folder that was chosen: the flag, else the variable, else the
    # setting. Nothing is decoded for a bad folder, so these cost no transcription.
    chosen = [
        (["--model", str(flag_folder)], f"{flag_folder}: model folder not found"),
        ([], f"{env_folder}: model folder not found"),
    ]
    for flags, message in chosen:
        code, _, err = run(capsys, "transcribe", str(media.JFK), *flags)
        assert (code, err.strip()) == (1, f"earmark: error: {message}")
    monkeypatch.delenv("EARMARK_MODEL")
    code, _, err = run(capsys, "transcribe", str(media.JFK))
    assert code == 1 and err.startswith(f"earmark: error: {saved}: not a CTranslate2"), err
    assert stored_episodes(capsys) == []

    # A good folder at a higher level is used even though every lower one is broken.
    monkeypatch.setenv("EARMARK_MODEL", str(env_folder))
    report = transcribe(capsys, media.JFK, "--model", str(model_copy))
    assert (report["status"], report["model"]) == ("done", "chosen-model")
    assert run(capsys, "delete", str(report["id"]))[0] == 0
    monkeypatch.setenv("EARMARK_MODEL", str(model_copy))
    report = transcribe(capsys, media.JFK)
    assert (report["status"], report["model"]) == ("done", "chosen-model")
    assert word_error_rate(JFK_TEXT, episode_text(capsys, report["id"])) <= 0.1


# -- language -----------------------------------------------------------------------------


def test_language_is_recorded_and_one_the_model_cannot_do_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # tiny.en is English-only: German would come out as English words, so it is refused
    # with the reason before any episode exists, whether it comes from a flag or a setting.
    code, _, err = run(capsys, "transcribe", str(media.JFK), "--language", "de")
    assert code == 1
    assert err.startswith("earmark: error: the model tiny.en transcribes English only, not 'de'")
    code, _, err = run(capsys, "transcribe", str(media.JFK), "--language", "klingon")
    assert code == 1 and "unknown language 'klingon'" in err
    assert run(capsys, "config", "set", "language", "xx")[0] == 1  # refused when set, too
    assert run(capsys, "config", "set", "language", "de")[0] == 0
    code, _, err = run(capsys, "transcribe", str(media.JFK))
    assert code == 1 and "English only, not 'de'" in err
    assert stored_episodes(capsys) == []

    report = transcribe(capsys, media.JFK, "--language", "EN")  # the flag beats the setting
    assert (report["status"], report["language"]) == ("done", "en")
    shown = json.loads(run(capsys, "show", str(report["id"]), "--json")[1])
    assert shown["episode"]["language"] == "en"
    assert word_error_rate(JFK_TEXT, episode_text(capsys, report["id"])) <= 0.1


# -- voice activity detection ---------------------------------------------------------------


@pytest.fixture(scope="module")
def whisper(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """jfk.flac 60 dB down (peak about 0.0008): Silero VAD hears no speech in it, Whisper,
    which normalises its input, still understands every word."""
    out = tmp_path_factory.mktemp("quiet") / "jfk-whispered.flac"
    subprocess.run(["sox", str(media.JFK), str(out), "vol", "0.001"], check=True, timeout=60)
    return out


def test_no_vad_transcribes_very_quiet_speech_that_vad_skips(
    capsys: pytest.CaptureFixture[str], whisper: Path
) -> None:
    skipped = transcribe(capsys, whisper)
    assert (skipped["status"], skipped["segments"]) == ("done", 0)  # VAD: all silence

    assert run(capsys, "delete", str(skipped["id"]))[0] == 0
    report = transcribe(capsys, whisper, "--no-vad")
    assert report["status"] == "done" and report["segments"] >= 1
    assert word_error_rate(JFK_TEXT, episode_text(capsys, report["id"])) <= 0.1
