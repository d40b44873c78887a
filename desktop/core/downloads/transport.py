"""One GET request, with redirects followed by hand.

urllib follows redirects by itself, which would hide three things a download needs: the
count (to stop loops and long chains), the scheme of every target (a feed must not be
able to redirect to file: or ftp:), and the headers of the redirect responses themselves
(the Hugging Face hub puts the file's SHA-256 in X-Linked-Etag on its 302). So this
module speaks http.client directly and opens one connection per request.
"""

from __future__ import annotations

import functools
import http.client
import ssl
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import urljoin

from desktop import __version__
from desktop.core.downloads.addresses import (
    RefusedURL,
    Target,
    parse_target,
    pinned_connector,
    public_addresses,
)
from desktop.core.downloads.errors import display_url

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
USER_AGENT = f"Earmark/{__version__}"


class Unreachable(Exception):
    """Internal: a network error before an answer came from `host` (the host of that
    request, which after a redirect may be a CDN rather than the URL's own host)."""

    def __init__(self, host: str, cause: BaseException) -> None:
        super().__init__(f"{host}: {cause!r}")
        self.host = host
        self.cause = cause


@dataclass(frozen=True, slots=True)
class Settings:
    """How to connect, the same for every request of one download."""

    timeout: float  # silence timeout of the socket, not a limit on the whole transfer
    max_redirects: int
    allow_private: bool


@dataclass
class Response:
    """The first non-redirect answer, with the headers of the redirects that led to it."""

    url: str  # where the answer came from, after redirects
    host: str
    status: int
    reason: str
    headers: http.client.HTTPMessage
    hops: list[http.client.HTTPMessage] = field(default_factory=list)
    _response: http.client.HTTPResponse | None = None
    _connection: http.client.HTTPConnection | None = None

    def read1(self, size: int) -> bytes:
        """Up to `size` bytes, whatever one socket read brings: a slow server does not
        delay cancel checks and progress until a full chunk has arrived."""
        assert self._response is not None
        return self._response.read1(size)

    def header(self, name: str) -> str | None:
        value = self.headers.get(name)
        return value.strip() if value else None

    def close(self) -> None:
        if self._response is not None:
            self._response.close()
        if self._connection is not None:
            self._connection.close()

    def __enter__(self) -> Response:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The system's trusted certificates, with host name checks; built once because
    loading the CA store costs tens of milliseconds."""
    return ssl.create_default_context()


def _connection(target: Target, settings: Settings) -> http.client.HTTPConnection:
    if target.scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            target.host, target.port, timeout=settings.timeout, context=_tls_context()
        )
    else:
        conn = http.client.HTTPConnection(target.host, target.port, timeout=settings.timeout)
    if not settings.allow_private:
        # Resolve and vet now, then dial exactly those addresses (see pinned_connector).
        addresses = public_addresses(target.host, target.port)
        conn._create_connection = pinned_connector(addresses)  # type: ignore[attr-defined]
    return conn


def _request_headers(extra: dict[str, str]) -> dict[str, str]:
    return {
        "User-Agent": USER_AGENT,
        "Accept": "*/*",
        # A compressed body would make Content-Length and byte ranges refer to the
        # compressed bytes; model and media files gain nothing from gzip anyway.
        "Accept-Encoding": "identity",
        "Connection": "close",
        **extra,
    }


def get(url: str, extra_headers: dict[str, str], settings: Settings) -> Response:
    """GET `url`, following up to `settings.max_redirects` redirects.

    Raises RefusedURL (scheme, private address, loop, too many redirects) with user
    words, and Unreachable for network errors (OSError, ssl.SSLError, HTTPException),
    which the caller classifies: whether they are fatal depends on whether this is a
    first attempt or a reconnect.
    """
    headers = _request_headers(extra_headers)
    hops: list[http.client.HTTPMessage] = []
    seen = {url}
    current = url
    target = parse_target(current)
    while True:
        conn, answer = _ask(target, headers, settings)
        if answer.status not in REDIRECT_STATUSES:
            return Response(
                current, target.host, answer.status, answer.reason, answer.headers,
                hops, answer, conn,
            )  # fmt: skip
        hops.append(answer.headers)
        location = answer.headers.get("Location")
        answer.close()
        conn.close()
        if not location:
            raise RefusedURL(f"HTTP {answer.status} redirect without a Location header")
        current, target = _next_hop(current, location.strip(), seen, len(hops), settings)


def _ask(
    target: Target, headers: dict[str, str], settings: Settings
) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    """Send one request and read the answer's status line and headers."""
    conn: http.client.HTTPConnection | None = None
    try:
        conn = _connection(target, settings)
        conn.request("GET", target.path, headers=headers)
        return conn, conn.getresponse()
    except (OSError, http.client.HTTPException, UnicodeError) as exc:
        # UnicodeError: a host name that IDNA cannot encode (a label over 63 characters).
        if conn is not None:
            conn.close()
        raise Unreachable(target.host, exc) from exc
    except BaseException:
        if conn is not None:
            conn.close()
        raise


def _next_hop(
    current: str, location: str, seen: set[str], count: int, settings: Settings
) -> tuple[str, Target]:
    """Where a redirect leads, refusing loops, long chains and non-http(s) targets."""
    following = urljoin(current, location)
    if following in seen:
        raise RefusedURL(f"redirect loop: {display_url(following)} was reached twice")
    if count > settings.max_redirects:
        raise RefusedURL(f"too many redirects (more than {settings.max_redirects})")
    seen.add(following)
    try:
        return following, parse_target(following)
    except RefusedURL as exc:
        raise RefusedURL(f"it redirects to {display_url(following)}: {exc}") from None
