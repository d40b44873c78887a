"""Judging an answer before its body is written: is it the file, does it continue the
partial, does it fit. Each check returns a reason in user words (None: fine) or raises
Restart, so the caller decides what a failure costs."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from desktop.core.downloads import headers as hdr
from desktop.core.downloads.errors import human_size
from desktop.core.downloads.partial import Sidecar
from desktop.core.downloads.transport import Response

# Free space kept in reserve beyond the file itself: the library, logs and the sidecar
# must still be writable after a model download filled the disk.
DISK_MARGIN = 16 * 1024 * 1024


class Restart(Exception):
    """Internal: the partial cannot be continued; drop it and ask for the whole file."""


def refused_type(response: Response, accept: Callable[[str], bool] | None) -> str | None:
    """Why the caller's `accept` refuses this Content-Type (None when accepted)."""
    if accept is None or accept(response.header("Content-Type") or ""):
        return None
    kind = hdr.media_type(response) or "no content type"
    if not hdr.binary_only(kind):
        return f"the server sent a web page ({kind}), not the file"
    return f"the server sent {kind}, not the file"


def range_total(response: Response, offset: int, sidecar: Sidecar | None) -> int | None:
    """The file size in a 206 answer, after checking that it continues the partial:
    the range must start where the partial ends, and the file must be the version the
    partial came from (same size, same strong ETag). Raises Restart otherwise."""
    found = hdr.content_range(response)
    if found is None or found.start != offset:
        raise Restart(f"the server sent a different range than bytes={offset}-")
    etag = hdr.strong_etag(response)
    if sidecar is not None and (
        (sidecar.total is not None and found.total not in (None, sidecar.total))
        or (sidecar.etag and etag and etag != sidecar.etag)
    ):
        raise Restart("the file changed on the server since the partial download")
    return found.total


def already_whole(response: Response, offset: int, known_total: int | None) -> bool:
    """A 416 answer means the partial is complete when the server's size (`bytes
    */total`) equals it and agrees with any size announced before."""
    found = hdr.content_range(response)
    return (
        offset > 0 and found is not None and found.total == offset and known_total in (None, offset)
    )


def size_mismatch(total: int | None, expected: int | None) -> str | None:
    """Why the announced size is not the expected one (None when they agree or either
    is unknown)."""
    if expected is None or total is None or total == expected:
        return None
    return f"size mismatch: the server announces {total} bytes but {expected} were expected"


def wrong_final_size(size: int, announced: int | None, expected: int | None) -> str | None:
    """Why a finished partial of `size` bytes is not the file (None when it is)."""
    for wanted, who in ((announced, "announced"), (expected, "expected")):
        if wanted is not None and size != wanted:
            return f"received {size} bytes but {wanted} were {who}"
    return None


def short_of_space(folder: Path, total: int | None, *, keep: int, freed: int) -> str | None:
    """Why the file cannot fit in `folder` (None when it fits or the size is unknown).

    `keep` bytes of the partial stay and count towards the file; `freed` bytes of an old
    partial are about to be thrown away and count as free.
    """
    if total is None:
        return None
    try:
        free = shutil.disk_usage(folder).free + freed
    except OSError:  # no way to tell: let the write itself find out
        return None
    need = max(0, total - keep)
    if free >= need + DISK_MARGIN:
        return None
    return (
        f"not enough free space in {folder}: {human_size(need)} needed "
        f"(plus {human_size(DISK_MARGIN)} to spare), {human_size(free)} free"
    )
