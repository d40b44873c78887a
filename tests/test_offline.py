"""Offline by default: the whole path runs with no network, and reaches only the LLM server
the user configured when one is configured (README: "Nothing leaves the machine")."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA
from tests.llm_server import ScriptedServer, error

SCRIPT = Path(__file__).with_name("offline_run.py")
JFK = DATA / "audio" / "jfk.flac"


def run(args: list[str], home: Path, prefix: list[str] = ()) -> dict:
    env = os.environ | {"EARMARK_HOME": str(home)}
    env.pop("EARMARK_LLM_URL", None)
    env.pop("EARMARK_LLM_MODEL", None)
    done = subprocess.run(
        [*prefix, sys.executable, str(SCRIPT), *args],
        env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def network_namespace() -> list[str] | None:
    """`unshare -n` (a namespace with no interface out) where this process may make one."""
    if shutil.which("unshare") is None:
        return None
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, timeout=30)
    return ["unshare", "-n"] if probe.returncode == 0 else None


def test_open_transcribe_insights_search_export_without_a_network(tmp_path: Path) -> None:
    prefix = network_namespace()
    if prefix is None:
        pytest.skip("this machine does not allow a network namespace (unshare -n)")
    result = run([str(JFK), str(tmp_path)], tmp_path / "home", prefix)
    assert result["segments"] >= 1
    assert result["insights_engine"] == "extractive"
    assert result["hits"] >= 1
    assert Path(result["exported"]).read_text(encoding="utf-8").startswith("---\n")
    assert result["attempts"] == []  # nothing even tried to connect anywhere
    assert result["lookups"] == []  # ...or to look a name up


def test_with_a_server_configured_only_that_server_is_contacted(tmp_path: Path) -> None:
    server = ScriptedServer(default=error(500, "not today"))
    try:
        result = run([str(JFK), str(tmp_path), "--llm", server.url, "m"], tmp_path / "home")
    finally:
        server.stop()
    port = int(server.url.rsplit(":", 1)[1].split("/")[0])
    assert result["attempts"], "the configured server was asked"
    assert all(f"'127.0.0.1', {port})" in a for a in result["attempts"]), result["attempts"]
    # No name but the server's was looked up: no DNS query left the machine.
    assert result["refused_lookups"] == []
    assert all("'127.0.0.1'" in name for name in result["lookups"]), result["lookups"]
    assert result["insights_engine"] == "extractive"  # its failure fell back, offline
    assert any("500" in w for w in result["warnings"])


def test_with_a_whisper_server_configured_only_that_server_is_contacted(tmp_path: Path) -> None:
    """A real faster-whisper-server on 127.0.0.1 transcribes; Earmark connects to it and
    to nothing else, and looks no name up but its address."""
    from tests.whisper_server import whisper_server

    with whisper_server() as (url, _process):
        result = run([str(JFK), str(tmp_path), "--stt", url], tmp_path / "home")
    port = int(url.rsplit(":", 1)[1])
    assert result["segments"] >= 1 and result["engine"] == "remote", result
    assert result["attempts"], "the configured server was asked"
    assert all(f"'127.0.0.1', {port})" in a for a in result["attempts"]), result["attempts"]
    assert result["refused_lookups"] == []
    assert all("'127.0.0.1'" in name for name in result["lookups"]), result["lookups"]
