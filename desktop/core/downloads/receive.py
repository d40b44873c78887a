"""Copying one answer's body into the partial file, chunk by chunk."""

from __future__ import annotations

import http.client
import ssl
from collections.abc import Callable
from pathlib import Path

from desktop.core.downloads.errors import Dropped, human_size
from desktop.core.downloads.transport import Response

# Big enough that Python's per-chunk work (hash update, progress, cancel check) is noise,
# small enough that a cancel is answered within one socket read.
CHUNK = 64 * 1024

# What a broken connection looks like while reading a body. TimeoutError is the silence
# timeout; IncompleteRead is a chunked body cut short; SSLError covers a TLS stream that
# ends without its close_notify.
_BODY_BREAKS = (ConnectionError, TimeoutError, http.client.IncompleteRead, ssl.SSLError)


class TooLong(Exception):
    """Internal: the body goes on past the size the caller expected."""


def receive(
    response: Response,
    part: Path,
    *,
    append: bool,
    length: int | None,
    limit: int | None,
    on_chunk: Callable[[bytes], None],
    check_cancel: Callable[[], None],
) -> int:
    """Write the body of `response` to `part` (appending or from the start); returns the
    number of bytes written.

    `length` is how many bytes this body should carry (None when the server did not say);
    fewer means the connection dropped. `limit` caps the size of the whole file (the
    caller's expected size). `on_chunk` sees each chunk after it was written, so what it
    counts never runs ahead of the file. File errors escape as OSError; network ones as
    Dropped; `check_cancel` raises to cancel, and the file is closed (flushed) on the way
    out, so the partial holds every byte received.
    """
    written = 0
    with part.open("ab" if append else "wb") as out:
        size = out.tell()
        while True:
            check_cancel()
            try:
                chunk = response.read1(CHUNK)
            except _BODY_BREAKS as exc:
                reason = type(exc).__name__ if not str(exc) else f"{type(exc).__name__}: {exc}"
                raise Dropped(f"{reason} after {human_size(size + written)}") from exc
            if not chunk:
                break
            if limit is not None and size + written + len(chunk) > limit:
                raise TooLong(f"the server sends more than the expected {limit} bytes")
            out.write(chunk)
            written += len(chunk)
            on_chunk(chunk)
    if length is not None and written < length:
        raise Dropped(f"the connection closed after {written} of {length} bytes")
    return written
