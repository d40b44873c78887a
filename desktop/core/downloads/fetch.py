"""fetch(): one small GET held in memory (a hub's JSON listing now, podcast feeds later).

It speaks through the same transport as download() (redirects followed by hand and
counted, http/https only, private addresses refused on request) and fails with the same
one-line DownloadError words, so a user reads "not found (HTTP 404)" or "the certificate
of … was refused" whether a listing or a model file failed. The body is capped: a
listing or a feed is kilobytes, and a server that sends gigabytes instead must not fill
the memory.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message

from desktop.core.downloads import checks
from desktop.core.downloads import headers as hdr
from desktop.core.downloads.addresses import RefusedURL, parse_target
from desktop.core.downloads.errors import (
    Dropped,
    failure,
    http_reason,
    human_size,
    is_transient,
    network_reason,
)
from desktop.core.downloads.receive import _BODY_BREAKS, CHUNK
from desktop.core.downloads.transport import Response, Settings, Unreachable, get

log = logging.getLogger(__name__)

# A small GET is asked again after a broken connection, a little later each time: a
# listing is cheap to fetch whole, so there is nothing to resume.
RETRIES = 2
BACKOFF = 0.25


@dataclass(frozen=True, slots=True)
class Fetched:
    """The answer to a fetch()."""

    url: str  # where the answer came from, after redirects
    status: int
    content_type: str  # the Content-Type header as sent ("" when missing)
    body: bytes
    headers: Message  # case-insensitive: headers.get("ETag")

    def text(self) -> str:
        """The body as text: the charset the server names, else UTF-8; bytes that do not
        decode become U+FFFD rather than an error (a feed with one bad byte still reads)."""
        charset = "utf-8"
        for part in self.content_type.split(";")[1:]:
            name, _, value = part.strip().partition("=")
            if name.strip().lower() == "charset" and value.strip():
                charset = value.strip().strip('"')
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:  # a charset Python does not know
            return self.body.decode("utf-8", errors="replace")


def fetch(
    url: str,
    *,
    max_bytes: int,
    timeout: float = 30.0,
    allow_private: bool = True,
    accept: Callable[[str], bool] | None = None,
    max_redirects: int = 10,
) -> Fetched:
    """GET `url` and return its body (at most `max_bytes`) once it arrived whole.

    Only a 2xx answer is returned; anything else, a body over `max_bytes`, a Content-Type
    that `accept` refuses (see `binary_only`), or a network failure raises DownloadError
    with one line naming the URL and why.
    """
    if max_bytes < 0 or timeout <= 0 or max_redirects < 0:
        raise ValueError("max_bytes and max_redirects must not be negative, timeout positive")
    try:
        parse_target(url)
    except RefusedURL as exc:
        raise failure(url, str(exc)) from None
    settings = Settings(timeout, max_redirects, allow_private)
    attempt = 0
    while True:
        try:
            return _once(url, max_bytes, accept, settings, reconnecting=attempt > 0)
        except Dropped as exc:
            attempt += 1
            if attempt > RETRIES:
                raise failure(url, f"the connection dropped ({exc}); try again") from None
            log.info("fetch of %s dropped (%s); asking again", url, exc)
            time.sleep(BACKOFF * attempt)


def _once(
    url: str,
    max_bytes: int,
    accept: Callable[[str], bool] | None,
    settings: Settings,
    *,
    reconnecting: bool,
) -> Fetched:
    try:
        response = get(url, {}, settings)
    except RefusedURL as exc:
        raise failure(url, str(exc)) from None
    except Unreachable as exc:
        reason = network_reason(exc.cause, exc.host, settings.timeout)
        if is_transient(exc.cause, reconnecting=reconnecting):
            raise Dropped(reason) from exc.cause
        raise failure(url, reason) from exc.cause
    with response:
        if not 200 <= response.status < 300 or response.status == 206:
            raise failure(url, http_reason(response.status, response.reason))
        if reason := checks.refused_type(response, accept):
            raise failure(url, reason)
        length = hdr.content_length(response)
        if length is not None and length > max_bytes:
            raise failure(url, _too_big(max_bytes, f"{human_size(length)} announced"))
        body = _read(url, response, max_bytes)
    if length is not None and len(body) < length:
        raise Dropped(f"the connection closed after {len(body)} of {length} bytes")
    return Fetched(
        response.url, response.status, response.header("Content-Type") or "", body,
        response.headers,
    )  # fmt: skip


def _read(url: str, response: Response, max_bytes: int) -> bytes:
    """The whole body, refusing one longer than `max_bytes` as soon as it is."""
    parts: list[bytes] = []
    size = 0
    while True:
        try:
            chunk = response.read1(CHUNK)
        except _BODY_BREAKS as exc:
            reason = type(exc).__name__ if not str(exc) else f"{type(exc).__name__}: {exc}"
            raise Dropped(f"{reason} after {human_size(size)}") from exc
        if not chunk:
            return b"".join(parts)
        size += len(chunk)
        if size > max_bytes:
            raise failure(url, _too_big(max_bytes, "more was sent"))
        parts.append(chunk)


def _too_big(max_bytes: int, what: str) -> str:
    return f"the answer is larger than the {human_size(max_bytes)} expected ({what})"
