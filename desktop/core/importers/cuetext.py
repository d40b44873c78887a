"""Cleaning of caption cue text: known caption tags, voice tags, karaoke stamps, entities.

Only tags that SubRip/WebVTT renderers actually interpret are removed. Anything else that
looks like HTML ("<script>…") is kept as literal text: it is what the file says, and the
renderers escape it later.
"""

from __future__ import annotations

import html
import re

# <v Speaker 1>, <v.loud Esme> – the annotation after the first space is the speaker.
_VOICE_RE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>]*)>", re.IGNORECASE)
# Tags with a meaning in WebVTT or in SubRip as players render it (font/br from SRT in the wild).
_TAG_RE = re.compile(
    r"</?(?:i|b|u|c|v|lang|ruby|rt|font|br|s)(?:[.\s/][^<>]*)?>"  # <c.colorE5E5E5>, </v>, <br/>
    r"|<\d{1,6}:\d{2}(?::\d{2})?[.,]\d{1,3}>",  # karaoke stamps <00:00:01.000>
    re.IGNORECASE,
)
# SubRip files written by Aegisub and friends carry ASS override blocks such as {\an8}.
_ASS_RE = re.compile(r"\{\\[^{}]*\}")
_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_KARAOKE_RE = re.compile(r"<\d{1,6}:\d{2}(?::\d{2})?[.,]\d{1,3}>")


def has_karaoke(text: str) -> bool:
    """YouTube auto-captions mark each word's time inline; a sign of rolling captions."""
    return _KARAOKE_RE.search(text) is not None


def voice_of(line: str) -> str | None:
    match = _VOICE_RE.search(line)
    if match is None:
        return None
    # The annotation is escaped like cue text ("<v Tom &amp; Jerry>"); `>` ends the tag.
    return " ".join(unescape_entities(match.group(1)).split()) or None


def _unescape(match: re.Match[str]) -> str:
    text = html.unescape(match.group(0))
    # html.unescape maps invalid code points to U+FFFD or leaves them; NUL and the like are dropped.
    return "".join(ch for ch in text if ch == "\xa0" or ch.isprintable() or ch.isspace())


def unescape_entities(text: str) -> str:
    """HTML entities ("&amp;", "&#8217;") as the characters they stand for."""
    return _ENTITY_RE.sub(_unescape, text)


def clean_line(line: str) -> str:
    """One caption line as a reader should see it, whitespace collapsed."""
    text = _TAG_RE.sub("", line)
    text = _ASS_RE.sub("", text)
    # Entities last, so "&lt;i&gt;" stays the literal text "<i>" instead of becoming a tag.
    text = unescape_entities(text)
    return " ".join(text.split())
