"""The partial file beside the destination, and its small sidecar of resume facts.

One fixed name (`dest.name + ".part"`) rather than a random temp name: a cancelled run, a
dropped connection or a restart of the app all find the same bytes again and resume.
The sidecar (`.part.json`) remembers which version of the file those bytes belong to
(ETag / Last-Modified / size), so a file that changed on the server restarts instead of
being spliced from two versions.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger(__name__)

PART_SUFFIX = ".part"
SIDECAR_SUFFIX = ".part.json"
_HASH_BLOCK = 1024 * 1024


def partial_path(dest: Path) -> Path:
    """The one name a download of `dest` writes to until it is complete and verified."""
    dest = Path(dest)
    return dest.with_name(dest.name + PART_SUFFIX)


def sidecar_path(dest: Path) -> Path:
    """Where the resume facts for `dest`'s partial file are kept."""
    dest = Path(dest)
    return dest.with_name(dest.name + SIDECAR_SUFFIX)


def remove_partial(dest: Path) -> None:
    """Forget a download of `dest`: remove its partial file and sidecar (if any).
    Raises OSError when one exists and cannot be removed."""
    for path in (partial_path(dest), sidecar_path(dest)):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def discard_partial(dest: Path) -> None:
    """remove_partial() on a path that is already failing: a file that cannot be removed
    is logged, not raised, so it does not hide the error the user needs to read."""
    try:
        remove_partial(dest)
    except OSError as exc:
        log.warning("could not remove the partial download of %s: %s", dest, exc)


@dataclass(frozen=True, slots=True)
class Sidecar:
    """What identifies the version of the file the partial bytes came from."""

    url: str
    etag: str | None = None  # strong ETags only: a weak one cannot guard a byte range
    last_modified: str | None = None
    total: int | None = None

    def if_range(self) -> str | None:
        """The validator for an If-Range header: the server sends the whole (new) file
        instead of a range when the file changed since."""
        return self.etag or self.last_modified


def resumable(dest: Path, url: str) -> Sidecar | None:
    """Set up a resume of `dest` from `url`: returns the sidecar of a partial left by an
    earlier run (None when there is none or it is unreadable: then Content-Range and the
    checksum guard the resume alone). A partial that came from another URL may be another
    file and is removed, as is a sidecar without its partial."""
    if not partial_path(dest).exists():
        remove_partial(dest)
        return None
    sidecar = read_sidecar(dest)
    if sidecar is not None and sidecar.url != url:
        log.info("partial of %s came from %s, not %s: starting over", dest, sidecar.url, url)
        remove_partial(dest)
        return None
    return sidecar


def read_sidecar(dest: Path) -> Sidecar | None:
    """The sidecar of `dest`'s partial, or None if missing or unreadable (then a resume
    relies on Content-Range and the checksum alone)."""
    try:
        data = json.loads(sidecar_path(dest).read_text(encoding="utf-8"))
        total = data.get("total")
        return Sidecar(
            url=str(data["url"]),
            etag=_text_or_none(data.get("etag")),
            last_modified=_text_or_none(data.get("last_modified")),
            total=int(total) if isinstance(total, int) and total >= 0 else None,
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def write_sidecar(dest: Path, sidecar: Sidecar) -> None:
    """Write the sidecar atomically (temp name, then os.replace): a torn sidecar would
    be unreadable and lose the If-Range guard."""
    path = sidecar_path(dest)
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(json.dumps(asdict(sidecar)), encoding="utf-8")
    os.replace(temp, path)


def hash_prefix(path: Path, size: int, check: Callable[[], None] | None = None) -> hashlib._Hash:
    """SHA-256 state over the first `size` bytes of `path`, to continue with the stream
    when resuming (the whole file is verified, not just the part fetched this time).

    `check` runs between blocks (it raises to cancel): hashing a 5 GB partial takes
    seconds, and a cancel should not wait for it."""
    digest = hashlib.sha256()
    left = size
    with path.open("rb") as f:
        while left > 0:
            block = f.read(min(_HASH_BLOCK, left))
            if not block:
                raise OSError(f"{path} is shorter than {size} bytes")
            digest.update(block)
            left -= len(block)
            if check is not None:
                check()
    return digest


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX); Windows has no directory handles."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:  # some file systems (network mounts) refuse; the rename stands
        log.debug("fsync of %s failed: %s", folder, exc)
    finally:
        os.close(fd)
