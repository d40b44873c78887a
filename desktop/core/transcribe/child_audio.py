"""How an episode's audio reaches the transcription process: once, as a .npy file that the
child memory-maps (16 kHz mono float32 is ~230 MB an hour; pickling it through the pipe
would copy it twice more, and per clip would copy it many times).

The file goes in /dev/shm where that exists and has room (Linux: it lives in memory, and
writing it takes ~0.1 s an hour), else in the temporary folder. It is written with write(),
never through a mapping, so running out of room is an error here, not a SIGBUS later.
The parent removes it as soon as the child has opened it; the child's mapping outlives the
name (on Windows the name stays until the child lets go, so removal is retried).
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import numpy as np

from desktop.core.errors import ModelError

SHARED_MEMORY_DIR = Path("/dev/shm")
_FULL = (errno.ENOSPC, errno.EDQUOT)


def write_audio(audio: np.ndarray) -> Path:
    """The samples as float32 in a new .npy file; ModelError when no folder takes it."""
    samples = np.ascontiguousarray(audio, dtype=np.float32).reshape(-1)
    folders = [SHARED_MEMORY_DIR] if SHARED_MEMORY_DIR.is_dir() else []
    folders.append(Path(tempfile.gettempdir()))
    problem: OSError | None = None
    for folder in folders:
        try:
            handle, name = tempfile.mkstemp(prefix="earmark-audio-", suffix=".npy", dir=folder)
        except OSError as exc:
            problem = exc
            continue
        try:
            with os.fdopen(handle, "wb") as file:
                np.save(file, samples, allow_pickle=False)
            return Path(name)
        except OSError as exc:
            Path(name).unlink(missing_ok=True)
            problem = exc
            if exc.errno not in _FULL:  # only a full folder is worth trying the next one
                break
    raise ModelError(f"cannot pass the audio to the transcription process: {problem}")


def remove_audio(paths: list[Path]) -> list[Path]:
    """Remove the files; returns those that could not be removed yet."""
    left = []
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            left.append(path)
    return left
