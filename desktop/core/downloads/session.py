"""The state of one download() call and its loop: ask, accept or restart, receive,
reconnect after a drop, verify, rename."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from desktop.core.downloads import checks
from desktop.core.downloads import headers as hdr
from desktop.core.downloads.addresses import RefusedURL
from desktop.core.downloads.errors import (
    DownloadError,
    Dropped,
    cancelled,
    disk_full_reason,
    failure,
    http_reason,
    human_size,
    is_disk_full,
    is_transient,
    network_reason,
)
from desktop.core.downloads.partial import (
    Sidecar,
    discard_partial,
    fsync_dir,
    hash_prefix,
    partial_path,
    remove_partial,
    resumable,
    write_sidecar,
)
from desktop.core.downloads.progress import ProgressMeter
from desktop.core.downloads.receive import TooLong, receive
from desktop.core.downloads.transport import Response, Settings, Unreachable, get

log = logging.getLogger(__name__)

# Reconnect delays: short, because a dropped connection usually comes back at once, and
# a user watching a progress bar should not wait long for a reconnect.
BACKOFF_FIRST = 0.25
BACKOFF_MAX = 4.0
# How often one call may throw its partial away and start over (the server ignored
# If-Range, or the file changed); more means the server keeps changing its answer.
MAX_RESTARTS = 3


@dataclass(frozen=True, slots=True)
class Options:
    """The caller's choices that do not concern the connection itself."""

    sha256: str | None
    expected_size: int | None
    accept: Callable[[str], bool] | None
    cancelled: Callable[[], bool] | None
    retries: int


class Session:
    """The state of one download() call across reconnects and restarts."""

    def __init__(
        self, url: str, dest: Path, options: Options, settings: Settings, meter: ProgressMeter
    ) -> None:
        self.url, self.dest, self.options, self.settings = url, dest, options, settings
        self.part = partial_path(dest)
        self.meter = meter
        self.hasher = hashlib.sha256()
        self.hashed = 0  # bytes at the start of the partial that the hasher has seen
        self.total: int | None = None  # the size the server announced
        self.server_digest: str | None = None
        self.sidecar: Sidecar | None = None
        self.drops = 0
        self.restarts = 0
        self.answered = False  # an answer was accepted in this call

    def run(self) -> Path:
        try:
            self.dest.parent.mkdir(parents=True, exist_ok=True)
            self.sidecar = resumable(self.dest, self.url)
        except OSError as exc:
            raise self._write_failure(exc) from exc
        self.meter.start()
        while True:
            self._check_cancel()
            try:
                self._attempt(self._partial_size())
                break
            except Dropped as exc:
                self._after_drop(exc)
            except checks.Restart as exc:
                self._restart(str(exc))
        return self._finish()

    def _attempt(self, offset: int) -> None:
        """One request: continue the partial from `offset` (or start it)."""
        with self._open(offset) as response:
            if response.status == 416 and offset > 0:
                known = self.total if self.total is not None else self._sidecar_total()
                if not checks.already_whole(response, offset, known):
                    raise checks.Restart("the partial file does not fit the file on the server")
                self._take(response, offset)
                self._first_answer(offset)
                return
            append, length = self._accept(response, offset)
            try:
                receive(
                    response, self.part, append=append, length=length,
                    limit=self.options.expected_size, on_chunk=self._count,
                    check_cancel=self._check_cancel,
                )  # fmt: skip
            except OSError as exc:
                raise self._write_failure(exc) from exc
            except TooLong as exc:
                discard_partial(self.dest)
                raise self._fail(f"{exc}; the partial download was removed") from None
        size = self._partial_size()
        if self.total is not None and size < self.total:  # a server may send less
            raise Dropped(f"the server sent {size} of {self.total} bytes")

    # -- asking --------------------------------------------------------------------------

    def _sidecar_total(self) -> int | None:
        return self.sidecar.total if self.sidecar is not None else None

    def _open(self, offset: int) -> Response:
        headers: dict[str, str] = {}
        if offset > 0:
            headers["Range"] = f"bytes={offset}-"
            validator = self.sidecar.if_range() if self.sidecar else None
            if validator:
                headers["If-Range"] = validator
        try:
            return get(self.url, headers, self.settings)
        except RefusedURL as exc:
            raise self._fail(str(exc)) from None
        except Unreachable as exc:
            reason = network_reason(exc.cause, exc.host, self.settings.timeout)
            if is_transient(exc.cause, reconnecting=self.drops > 0):
                raise Dropped(reason) from exc.cause
            raise self._fail(reason) from exc.cause

    def _accept(self, response: Response, offset: int) -> tuple[bool, int | None]:
        """Check a 200/206 answer and ready the partial for its body; returns whether
        the body continues the partial and how many bytes the body should carry."""
        if response.status not in (200, 206):
            raise self._fail(http_reason(response.status, response.reason))
        if reason := checks.refused_type(response, self.options.accept):
            raise self._fail(reason)
        append = response.status == 206
        length = hdr.content_length(response)
        if append:
            total = checks.range_total(response, offset, self.sidecar)
        else:
            total = length
            if offset > 0:
                log.info("%s sent the whole file, not a range: starting over", self.url)
        if reason := checks.size_mismatch(total, self.options.expected_size):
            raise self._fail(reason)
        keep, freed = (offset, 0) if append else (0, offset)
        size = total if total is not None else self.options.expected_size
        if reason := checks.short_of_space(self.dest.parent, size, keep=keep, freed=freed):
            raise self._fail(reason)
        if append and self.hashed != offset:  # resuming a partial of an earlier run
            self._hash_partial(offset)
        elif not append:
            # Empty the partial BEFORE the sidecar names the new version: otherwise a crash
            # in between would leave old bytes vouched for by the new validators.
            self.hasher, self.hashed = hashlib.sha256(), 0
            self._truncate()
        self._take(response, total)
        self._first_answer(self.hashed)
        return append, length

    def _first_answer(self, kept: int) -> None:
        """The first answer of this call fixes what "resumed from" means for progress:
        the bytes of the partial it let us keep."""
        if not self.answered:
            self.meter.resumed_from, self.answered = kept, True

    def _take(self, response: Response, total: int | None) -> None:
        """Remember what this answer says about the file (size, digest, version)."""
        self.total = total
        self.meter.total = total if total is not None else self.options.expected_size
        self.server_digest = hdr.server_digest(response) or self.server_digest
        etag, modified = hdr.strong_etag(response), response.header("Last-Modified")
        old = self.sidecar
        if old is not None and response.status != 200:
            # A 206 or 416 continues the version the partial came from; one without
            # validators must not erase the ones that guard the next resume.
            etag, modified = etag or old.etag, modified or old.last_modified
        self.sidecar = Sidecar(self.url, etag, modified, total)
        try:
            write_sidecar(self.dest, self.sidecar)
        except OSError as exc:
            raise self._write_failure(exc) from exc

    def _count(self, chunk: bytes) -> None:
        """Each chunk written: hash it and report progress."""
        self.hasher.update(chunk)
        self.hashed += len(chunk)
        self.meter.received(len(chunk))
        self.meter.update(self.hashed)

    # -- recovering ----------------------------------------------------------------------

    def _after_drop(self, exc: Dropped) -> None:
        self.drops += 1
        have = self._partial_size()
        log.info("download of %s dropped at %d bytes: %s", self.url, have, exc)
        if self.drops > self.options.retries:
            times = "once" if self.drops == 1 else f"{self.drops} times"
            raise self._fail(
                f"the connection dropped {times} ({exc}); "
                f"run it again to resume from {human_size(have)}"
            ) from exc
        self._sleep(min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** (self.drops - 1)))

    def _restart(self, reason: str) -> None:
        self.restarts += 1
        if self.restarts > MAX_RESTARTS:
            raise self._fail(f"{reason}, again and again; try again later")
        log.info("download of %s starts over: %s", self.url, reason)
        try:
            remove_partial(self.dest)
        except OSError as exc:
            raise self._write_failure(exc) from exc
        self.sidecar = None
        self.hasher, self.hashed, self.total = hashlib.sha256(), 0, None

    def _sleep(self, seconds: float) -> None:
        """Wait before a reconnect, still answering a cancel within 50 ms."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self._check_cancel()
            time.sleep(min(0.05, left))

    # -- finishing -----------------------------------------------------------------------

    def _finish(self) -> Path:
        size = self._partial_size()
        if reason := checks.wrong_final_size(size, self.total, self.options.expected_size):
            discard_partial(self.dest)
            raise self._fail(f"{reason}; the partial download was removed")
        if self.hashed != size:  # a 416 found the partial of an earlier run complete
            self._hash_partial(size)
        expected = self.options.sha256 or self.server_digest
        got = self.hasher.hexdigest()
        if expected is not None and got != expected:
            discard_partial(self.dest)
            raise self._fail(
                f"checksum mismatch: expected {expected}, got {got}; the file was damaged "
                "or changed on the server, and the partial download was removed"
            )
        try:
            with self.part.open("r+b") as f:
                os.fsync(f.fileno())  # the bytes are on disk before the name says "done"
            os.replace(self.part, self.dest)
        except OSError as exc:
            raise self._write_failure(exc) from exc
        discard_partial(self.dest)  # the sidecar
        fsync_dir(self.dest.parent)
        self.meter.total = size
        self.meter.update(size, final=True)
        log.info("downloaded %s to %s (%d bytes)", self.url, self.dest, size)
        return self.dest

    # -- small helpers -------------------------------------------------------------------

    def _check_cancel(self) -> None:
        if self.options.cancelled is not None and self.options.cancelled():
            raise cancelled(self.url, self._partial_size(), self.dest)

    def _fail(self, reason: str) -> DownloadError:
        return failure(self.url, reason, path=self.dest)

    def _write_failure(self, exc: OSError) -> DownloadError:
        """A file error. A full disk removes the partial (a huge half file on a full
        disk helps nobody); anything else keeps it."""
        if not is_disk_full(exc):
            return self._fail(f"cannot write {exc.filename or self.part}: {exc.strerror or exc}")
        discard_partial(self.dest)
        try:
            free: int | None = shutil.disk_usage(self.dest.parent).free
        except OSError:
            free = None
        return self._fail(disk_full_reason(exc, free, self.dest.parent))

    def _hash_partial(self, size: int) -> None:
        """Hash the first `size` bytes already in the partial (a resume across calls)."""
        try:
            self.hasher = hash_prefix(self.part, size, self._check_cancel)
        except OSError as exc:
            raise self._fail(f"cannot read {self.part}: {exc.strerror or exc}") from exc
        self.hashed = size

    def _truncate(self) -> None:
        try:
            self.part.write_bytes(b"")
        except OSError as exc:
            raise self._write_failure(exc) from exc

    def _partial_size(self) -> int:
        try:
            return self.part.stat().st_size
        except FileNotFoundError:
            return 0
