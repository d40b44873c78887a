"""Which URLs a download may fetch: the scheme, and (for URLs from the internet, such as
feed enclosures) whether the host is a public address.

A feed is written by a stranger; without this check an enclosure or a redirect could make
Earmark fetch from the user's router or a service on localhost.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

ALLOWED_SCHEMES = ("http", "https")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class Target:
    """One URL taken apart for http.client."""

    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line


class RefusedURL(ValueError):
    """Internal: the URL may not be fetched; the message says why (in user words)."""


def parse_target(url: str) -> Target:
    """Split `url`, refusing anything but http(s) with a host."""
    try:
        parts: SplitResult = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise RefusedURL(f"the address is not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        shown = f"{scheme}:" if scheme else "no scheme"
        raise RefusedURL(f"only http and https addresses are downloaded, not {shown}")
    if not parts.hostname:
        raise RefusedURL("the address has no host name")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    default = 443 if scheme == "https" else 80
    return Target(scheme, parts.hostname, port or default, _quote_request_target(path))


def _quote_request_target(path: str) -> str:
    """Percent-encode what http.client refuses in a request line (spaces, non-ASCII,
    controls) and keep everything else as the server wrote it: feed URLs often contain
    spaces or accents."""
    out = []
    for ch in path:
        if ch <= " " or ch == "\x7f" or not ch.isascii():
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8")))
        else:
            out.append(ch)
    return "".join(out)


def is_public(address: Address) -> bool:
    """True for an address on the public internet.

    `is_global` alone misses multicast (224.0.0.0/4 counts as global), so the other
    properties are checked too; an IPv4-mapped IPv6 address is judged by its IPv4 part.
    """
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_multicast
        or address.is_reserved
        or address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_unspecified
    )


def public_addresses(host: str, port: int) -> list[tuple[int, str]]:
    """Resolve `host` and return its (family, address) pairs, refusing if ANY is not public.

    All must pass, not just one: the connection could otherwise go to the private one.
    Raises socket.gaierror when the name does not resolve (reported as "cannot reach").
    """
    found: list[tuple[int, str]] = []
    for family, _type, _proto, _name, sockaddr in socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM
    ):
        text = str(sockaddr[0]).split("%", 1)[0]  # an IPv6 scope id is not part of it
        address = ipaddress.ip_address(text)
        if not is_public(address):
            raise RefusedURL(
                f"{host} is a local or private address ({address}); "
                "downloads from the internet may not reach into this network"
            )
        if (family, text) not in found:
            found.append((family, text))
    return found


def pinned_connector(
    addresses: Sequence[tuple[int, str]],
) -> Callable[..., socket.socket]:
    """A replacement for socket.create_connection that only dials the vetted addresses.

    http.client would otherwise resolve the name a second time, and a DNS answer that
    changes in between (DNS rebinding) would slip past the check. TLS still verifies the
    certificate against the host name, which http.client keeps.
    """

    def connect(
        address: tuple[str, int], timeout: float | None = None, source: object = None
    ) -> socket.socket:
        port = address[1]
        error: OSError | None = None
        for family, ip in addresses:
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.settimeout(timeout)
                sock.connect((ip, port))
                return sock
            except OSError as exc:
                sock.close()
                error = exc
        raise error or OSError("no address to connect to")

    return connect
