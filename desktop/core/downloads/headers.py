"""Reading the response headers a download depends on: sizes, ranges, checksums and
version validators."""

from __future__ import annotations

import re
from dataclasses import dataclass

from desktop.core.downloads.transport import Response

_CONTENT_RANGE = re.compile(r"^bytes\s+(?:(\d+)-(\d+)|\*)/(\d+|\*)$", re.IGNORECASE)
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class ContentRange:
    """`Content-Range: bytes start-end/total`; start/end are None for `bytes */total`
    (a 416 answer), total is None for `/*` (size unknown to the server)."""

    start: int | None
    end: int | None
    total: int | None


def content_range(response: Response) -> ContentRange | None:
    """The parsed Content-Range, or None when missing or malformed."""
    value = response.header("Content-Range")
    match = _CONTENT_RANGE.match(value) if value else None
    if match is None:
        return None
    start, end, total = match.groups()
    return ContentRange(
        int(start) if start is not None else None,
        int(end) if end is not None else None,
        int(total) if total not in (None, "*") else None,
    )


def content_length(response: Response) -> int | None:
    """Content-Length as a number; None when missing, malformed or ambiguous (two
    different values, as a broken proxy may send)."""
    values = {v.strip() for v in response.headers.get_all("Content-Length") or []}
    if len(values) != 1:
        return None
    value = values.pop()
    return int(value) if value.isdigit() else None


def _as_sha256(value: str | None) -> str | None:
    """`value` as a SHA-256 hex digest if it is one: quotes and a weak `W/` prefix are
    stripped, and anything but exactly 64 hex digits is not a digest (MD5 ETags, git
    blob ids, "1a2b-5f3c" mtime-size ETags)."""
    if not value:
        return None
    text = value.strip()
    if text[:2].upper() == "W/":
        text = text[2:]
    text = text.strip().strip('"').strip().lower()
    return text if _SHA256_HEX.match(text) else None


def server_digest(response: Response) -> str | None:
    """A SHA-256 the server vouches for, if any.

    The Hugging Face hub answers a file URL with a redirect to its CDN whose headers carry
    `X-Linked-Etag: "<sha256>"` for large (LFS) files; its ETag is the same digest. So
    X-Linked-Etag of any response wins, then any ETag that is exactly 64 hex digits.
    """
    every = [*response.hops, response.headers]
    for name in ("X-Linked-Etag", "ETag"):
        for headers in every:
            digest = _as_sha256(headers.get(name))
            if digest:
                return digest
    return None


def strong_etag(response: Response) -> str | None:
    """The ETag if it is strong: If-Range must not use a weak one (RFC 9110 13.1.5)."""
    value = response.header("ETag")
    if not value or value[:2].upper() == "W/":
        return None
    return value


def media_type(response: Response) -> str:
    """The Content-Type without parameters, lower case ("" when missing)."""
    value = response.header("Content-Type") or ""
    return value.split(";", 1)[0].strip().lower()


def binary_only(content_type: str) -> bool:
    """An `accept` filter for file downloads: refuses web pages (a login or error page,
    a captive portal) that a server sends instead of the file."""
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind not in ("text/html", "application/xhtml+xml")
