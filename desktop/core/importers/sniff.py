"""Deciding a file's format from its content; the extension only breaks ties.

Content wins because files are routinely misnamed: YouTube downloaders save WebVTT as
.txt, and podcast sites serve Markdown as .txt.
"""

from __future__ import annotations

import re

_TIMING_RE = re.compile(r"^[ \t]*-?\d{0,6}:?\d{1,6}:\d{1,2}(?:[.,]\d{1,9})?[ \t]*-->", re.MULTILINE)
_CLOCKISH = r"\d{1,6}(?::\d{1,2}){1,2}(?:[.,]\d+)?"
_MD_RE = re.compile(
    r"^\s{0,3}#{1,6}\s+\S"  # headings
    r"|^\s{0,3}<h[1-6][\s>]"  # HTML headings (Jekyll pages)
    r"|^\s*\{%\s"  # Liquid tags
    r"|^\s*(?:\*\*|__)[^*_\n]{1,60}(?::\*\*|\*\*:|:__|__:)"  # **Speaker:** labels
    rf"|\[-?{_CLOCKISH}\]\("  # [12:34](url) stamp links
    rf"|^\s*\[\[{_CLOCKISH}\]\]\("  # [[12:34]](url) at a line start
    rf"|^\s*\\\[{_CLOCKISH}\\\]"  # \[12:34\] (escaped) at a line start
    rf"|^\s*\[{_CLOCKISH}\]\s*(?:\*\*|__)",  # [12:34] **Speaker:**
    re.MULTILINE,
)
# A stamp, then text that is not a "**Speaker:**" label (Markdown puts those after stamps).
_STAMPED_LINE_RE = re.compile(rf"[ \t]*\[{_CLOCKISH}\](?:[ \t]+(?![ \t]|\*\*|__)|$)")
_JSON_LIST_RE = re.compile(r"^\[\s*(?:[{\]\[\"]|$)")
# Markdown that starts like JSON: a Liquid tag, or a "[[01:55]](url)" stamp.
_NOT_JSON_RE = re.compile(rf"^(?:\{{[%{{]|\[\[{_CLOCKISH}\]\])")
_SUFFIXES = {
    ".srt": "srt",
    ".vtt": "vtt",
    ".json": "json",
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
}
# Only this much of the file is looked at: the first cues or headings settle the question.
_SNIFF_CHARS = 65536


def sniff_format(text: str, suffix: str = "") -> str:
    """One of "srt", "vtt", "json", "txt", "md" for the given text (and file suffix)."""
    head = text[:_SNIFF_CHARS].lstrip("\ufeff \t\r\n")
    by_suffix = _SUFFIXES.get(suffix.lower(), "")
    if head.startswith("WEBVTT"):
        return "vtt"
    if _looks_like_json(head):
        return "json"
    if _TIMING_RE.search(head):
        # Timing lines without the WEBVTT header: SubRip, unless the name says VTT.
        return "vtt" if by_suffix == "vtt" else "srt"
    if by_suffix in ("srt", "vtt") and "-->" in head:
        # Cue arrows with unreadable times: let the cue parser name the bad lines.
        return by_suffix
    if by_suffix != "md" and _every_line_stamped(head):
        # "[00:01:02] text" on every line: plain text (Earmark's TXT export), whatever the
        # text says; "[1:05](https://x)" in a line's text is not a Markdown page.
        return "txt"
    if head.startswith("---\n") or _MD_RE.search(head):
        return "md"
    if by_suffix in ("md", "json"):
        # A .json that is not JSON is parsed as text; a .md without Markdown syntax is still
        # read by the Markdown parser, which accepts plain stamped lines too.
        return "md" if by_suffix == "md" else "txt"
    return "txt"


def _every_line_stamped(head: str) -> bool:
    lines = [line for line in head.split("\n") if line.strip()]
    return bool(lines) and all(_STAMPED_LINE_RE.match(line) for line in lines)


def _looks_like_json(head: str) -> bool:
    if _NOT_JSON_RE.match(head):
        return False
    return head.startswith("{") or _JSON_LIST_RE.match(head) is not None
