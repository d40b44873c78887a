"""Download errors, and the one-line words a user reads for each way a download fails."""

from __future__ import annotations

import errno
import http.client
import socket
import ssl
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from desktop.core.errors import EarmarkError


class DownloadError(EarmarkError):
    """A download failed; the message is one line naming the URL or file and why.

    `url` is the URL the caller asked for (not a signed redirect target) and `path` the
    destination, so a front end can offer "retry" or "show folder" without parsing text.
    """

    def __init__(self, message: str, *, url: str | None = None, path: Path | None = None) -> None:
        self.url = url
        self.path = path
        super().__init__(message)


class DownloadCancelled(DownloadError):
    """The user cancelled; the partial file is kept so a later call resumes it."""


class Dropped(Exception):
    """Internal: the connection broke after it was made; the caller may reconnect.

    Not a DownloadError on purpose: it must never escape `download()` unconverted.
    """


def display_url(url: str) -> str:
    """`url` without credentials, query or fragment: signed CDN redirects carry tokens in
    the query, and a user never needs them to recognise a file."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url[:200]
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = f"{host}:{port}" if port else host
    shown = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return shown if len(shown) <= 200 else shown[:120] + "…" + shown[-60:]


def failure(url: str, reason: str, *, path: Path | None = None) -> DownloadError:
    """The DownloadError for `reason`, worded the same way for every failure."""
    return DownloadError(f"Cannot download {display_url(url)}: {reason}", url=url, path=path)


def human_size(n: int | float) -> str:
    """Decimal units, as file managers show them (a "1.5 GB" model reads as 1.5 GB)."""
    if n < 1000:
        return f"{int(n)} bytes"
    for unit in ("kB", "MB", "GB", "TB"):
        n /= 1000
        if n < 1000 or unit == "TB":
            return f"{n:.1f} {unit}" if n < 100 else f"{n:.0f} {unit}"
    raise AssertionError("unreachable")


def network_reason(exc: BaseException, host: str, timeout: float) -> str:
    """Words for an error met while connecting to `host` (before any response came)."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        detail = exc.verify_message or exc.reason or str(exc)
        return f"the certificate of {host} was refused: {detail}"
    if isinstance(exc, ssl.SSLError):
        return f"a secure connection to {host} failed: {exc.reason or exc}"
    if isinstance(exc, socket.gaierror):
        return f"cannot reach {host}: the name could not be resolved (offline?)"
    if isinstance(exc, TimeoutError):
        return f"{host} did not answer within {timeout:g} s"
    if isinstance(exc, ConnectionRefusedError):
        return f"cannot reach {host}: the connection was refused"
    if isinstance(exc, http.client.HTTPException):
        return f"{host} sent an invalid response ({type(exc).__name__}: {exc})"
    if isinstance(exc, OSError):
        return f"cannot reach {host}: {exc.strerror or exc}"
    return f"cannot reach {host}: {exc}"


# Errors before an answer that mean "the connection broke", not "the host is not there"
# (so not ConnectionError as a whole: it includes ConnectionRefusedError).
_BROKEN = (
    ConnectionResetError,  # includes http.client.RemoteDisconnected
    ConnectionAbortedError,
    BrokenPipeError,
    http.client.IncompleteRead,
    ssl.SSLEOFError,
)


def is_transient(exc: BaseException, *, reconnecting: bool) -> bool:
    """Whether an error before an answer is worth a reconnect. A failing reconnect is
    one more drop (the network may be coming back); on a first attempt only a broken
    connection is, as anything else already answers: the host is not reachable. A
    refused certificate never is: asking again cannot change it."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return False
    return reconnecting or isinstance(exc, _BROKEN)


def is_disk_full(exc: OSError) -> bool:
    """ENOSPC (no space) and EFBIG (the file system or a limit forbids files this large)
    both mean "this file does not fit here"; EDQUOT is a full quota."""
    return exc.errno in (errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC))


def disk_full_reason(exc: OSError, free: int | None, folder: Path) -> str:
    """Words for ENOSPC/EFBIG/EDQUOT while writing into `folder` (`free`: bytes left)."""
    left = human_size(free) if free is not None else "unknown"
    return (
        f"the disk is full or does not take a file this large ({exc.strerror}; "
        f"{left} free in {folder}); the partial download was removed"
    )


def cancelled(url: str, kept: int, path: Path) -> DownloadCancelled:
    """The DownloadCancelled for a cancel with `kept` bytes in the partial."""
    return DownloadCancelled(
        f"Download of {display_url(url)} cancelled; {human_size(kept)} kept to resume later",
        url=url,
        path=path,
    )


def http_reason(status: int, reason: str) -> str:
    """Words for an HTTP error status."""
    code = f"HTTP {status} {reason}".strip()
    if status in (404, 410):
        return f"not found (HTTP {status})"
    if status in (401, 403):
        return f"access was refused ({code})"
    if status == 429:
        return "the server asks to wait before trying again (HTTP 429)"
    return f"the server answered {code}"
