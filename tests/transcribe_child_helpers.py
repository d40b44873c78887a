"""Damaged model folders and short real recordings for the transcription-process tests."""

from __future__ import annotations

import shutil
import struct
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

from desktop.core.transcribe import embedded_model_dir

ROOT = Path(__file__).resolve().parents[1]
NASA_SAMPLE = ROOT / "resources" / "sample" / "nasa-hwhap414-science-in-space.mp3"
EMBEDDING = b"decoder/embeddings/weight\x00"


def nasa_excerpt(folder: Path, seconds: float = 45.0) -> Path:
    """The start of the NASA sample episode: real speech, two clips at 45 s."""
    out = folder / "nasa-excerpt.mp3"
    if not out.exists():
        subprocess.run(
            ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(NASA_SAMPLE),
             "-t", f"{seconds:g}", "-c:a", "copy", str(out)],
            check=True,
            timeout=60,
        )  # fmt: skip
    return out


def damaged_model(folder: Path, how: str) -> Path:
    """A copy of the embedded model with model.bin damaged.

    "truncated": cut to a third; CTranslate2 refuses it while loading (an error).
    "scrambled": the decoder's embedding table says 384 rows of 51864 where it holds
    51864 rows of 384; the sizes agree, so it loads, and decoding reads far outside the
    table: a segmentation fault in native code, the crash this process exists for.
    """
    shutil.copytree(embedded_model_dir(), folder)
    model = folder / "model.bin"
    if how == "truncated":
        with model.open("r+b") as file:
            file.truncate(model.stat().st_size // 3)
        return folder
    assert how == "scrambled", how
    with model.open("r+b") as file:
        head = file.read(1 << 16)
        at = head.index(EMBEDDING) + len(EMBEDDING)
        rank, rows, columns = struct.unpack_from("<BII", head, at)
        assert rank == 2 and rows > columns, (rank, rows, columns)
        file.seek(at + 1)
        file.write(struct.pack("<II", columns, rows))
    return folder


def when(condition: Callable[[], bool], then: Callable[[], None], limit: float = 60.0) -> None:
    """Run `then` on a thread as soon as `condition` holds (checked every 5 ms)."""

    def wait() -> None:
        deadline = time.monotonic() + limit
        while not condition():
            if time.monotonic() > deadline:
                return
            time.sleep(0.005)
        then()

    threading.Thread(target=wait, daemon=True).start()
