"""How much of a user's text a widget lays out, and keeping its direction to itself.

Wrapping a line without spaces costs Qt time quadratic in its length (a 1 MB one took
minutes to lay out), and nobody reads a megabyte in a row, a note or a search result: the
text shows its first MAX_SHOWN_CHARS and "…", while the library, copy and export keep it
whole.
"""

from __future__ import annotations

MAX_SHOWN_CHARS = 10_000
ELLIPSIS = "\u2026"
# First strong isolate ... pop directional isolate: text between them cannot change the
# direction of what follows (an unclosed U+202E in a title would reverse the rest).
FSI, PDI = "\u2068", "\u2069"


def shown_text(text: str, limit: int = MAX_SHOWN_CHARS) -> str:
    """All of `text`, or its first `limit` characters and "…"."""
    return text if len(text) <= limit else text[:limit] + ELLIPSIS


def isolated(text: str) -> str:
    """`text` for a sentence built around it (a heading, a window title, a message)."""
    return f"{FSI}{text}{PDI}"


def excerpt(
    text: str, ranges: list[tuple[int, int]], limit: int
) -> tuple[str, list[tuple[int, int]]]:
    """At most `limit` characters of `text` around its first marked range, with "…" where
    it was cut, and the (start, length) ranges moved (and clipped) to match."""
    if len(text) <= limit:
        return text, ranges
    first = ranges[0][0] if ranges else 0
    start = max(0, min(first - limit // 3, len(text) - limit))
    end = start + limit
    lead = ELLIPSIS if start > 0 else ""
    tail = ELLIPSIS if end < len(text) else ""
    moved = [
        (max(s, start) - start + len(lead), min(s + n, end) - max(s, start))
        for s, n in ranges
        if s < end and s + n > start
    ]
    return lead + text[start:end] + tail, moved
