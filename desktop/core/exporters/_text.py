"""Text clean-up shared by the exporters."""

from __future__ import annotations

import unicodedata


def one_line(text: str | None) -> str:
    """Collapse every run of whitespace (newlines included) to one space; drop control chars."""
    if not text:
        return ""
    cleaned = "".join(
        " " if ch.isspace() else ch for ch in text if ch.isspace() or not _is_control(ch)
    )
    return " ".join(cleaned.split())


def paragraphs(text: str | None) -> list[str]:
    """Split text at blank lines into paragraphs, each collapsed to one line."""
    if not text:
        return []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    result: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line)
        elif current:
            joined = one_line(" ".join(current))
            if joined:
                result.append(joined)
            current = []
    return result


def speaker_of(speaker: str | None) -> str | None:
    """The speaker label to show, or None when the segment has none (blank counts as none)."""
    label = one_line(speaker)
    return label or None


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc"
