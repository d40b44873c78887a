"""download(): one resumable, verified download to a file.

This module checks the arguments; session.py holds the state of one call and its loop of
reconnects and restarts. The other parts live beside them (transport: requests and
redirects; headers and checks: what an answer says and whether it will do; receive: the
body; partial: the .part file and its sidecar; progress: reports).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from desktop.core.downloads.addresses import RefusedURL, parse_target
from desktop.core.downloads.errors import failure
from desktop.core.downloads.progress import DownloadProgress, ProgressMeter
from desktop.core.downloads.session import Options, Session
from desktop.core.downloads.transport import Settings

_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


def download(
    url: str,
    dest: Path,
    *,
    sha256: str | None = None,
    expected_size: int | None = None,
    progress: Callable[[DownloadProgress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    accept: Callable[[str], bool] | None = None,
    max_redirects: int = 10,
    timeout: float = 30.0,
    retries: int = 5,
    allow_private: bool = True,
) -> Path:
    """Download `url` to `dest`, resuming a partial from an earlier run; returns `dest`.

    Bytes go to `partial_path(dest)` only; `dest` appears (atomically) once the whole file
    is there, has the announced size and matches the SHA-256 (`sha256`, else one the
    server vouches for). On failure `dest` is untouched. `accept` gets the Content-Type
    header and may refuse it (see `binary_only`). Raises DownloadError, or its subclass
    DownloadCancelled when `cancelled()` turned true (the partial is kept to resume).
    """
    dest = Path(dest)
    if sha256 is not None and not _HEX64.match(sha256.strip()):
        raise ValueError(f"sha256 must be 64 hex digits, not {sha256!r}")
    if timeout <= 0 or max_redirects < 0:
        raise ValueError("timeout must be positive and max_redirects not negative")
    try:
        parse_target(url)
    except RefusedURL as exc:
        raise failure(url, str(exc), path=dest) from None
    digest = sha256.strip().lower() if sha256 else None
    options = Options(digest, expected_size, accept, cancelled, max(0, retries))
    settings = Settings(timeout, max_redirects, allow_private)
    return Session(url, dest, options, settings, ProgressMeter(progress)).run()
