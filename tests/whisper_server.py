"""A real OpenAI-compatible Whisper server on 127.0.0.1: faster-whisper-server (PyPI, a
FastAPI app over faster-whisper) serving the embedded tiny.en, started as a user starts it
(`python -m faster_whisper_server MODEL --host --port`), offline."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from desktop.core.transcribe.models import embedded_model_dir

START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def whisper_server(port: int | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """(base URL, process) of a running server; stopped after."""
    port = port or free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "faster_whisper_server", str(embedded_model_dir()),
         "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url, process
    finally:
        process.kill()
        process.wait(timeout=30)


def _wait_healthy(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode(errors="replace") if process.stderr else ""
            raise RuntimeError(
                f"faster-whisper-server exited ({process.returncode}): {err[-2000:]}"
            )
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=1) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"faster-whisper-server did not start within {START_TIMEOUT:.0f} s")
