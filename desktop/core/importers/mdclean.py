"""What a published Markdown transcript carries besides the words, and how it goes.

Podcast sites publish transcripts through static-site generators (Jekyll, Hugo), so the
Markdown holds Liquid tags, raw HTML, comments, editor notes and links. None of it was
said, so none of it may reach a segment; the link *text* was said and stays.
"""

from __future__ import annotations

import re

from desktop.core.importers.cuetext import unescape_entities

# Everything Earmark's exporter (and CommonMark) may backslash-escape.
_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~\"'&:=$%^])")
# Private-use characters stand in for escaped characters while formatting is stripped.
_PUA = 0xF0000

# Openers of blocks that vanish whole, newlines kept; the closer is searched separately so
# that an unclosed opener costs one scan, not one per later opener.
_BLOCK_OPEN_RE = re.compile(
    r"<!--|\{%|\{\{|<(audio|video|script|style|iframe|object|noscript|svg|template)\b",
    re.IGNORECASE,
)
_CLOSERS = {"<!--": "-->", "{%": "%}", "{{": "}}"}

_IMAGE_RE = re.compile(r"!\[[^\[\]]*\]\([^()\s]*\)")
_LINK_RE = re.compile(r"\[([^\[\]]*)\]\([^()\s]*(?:\s+\"[^\"\n]*\")?\)")
_AUTOLINK_RE = re.compile(r"<((?:https?|mailto):[^<>\s]+)>")
# "*(Bob - It was actually…)*": a note added by the editor, one level of nested parentheses.
_NOTE_RE = re.compile(r"(?<![\w*])([*_])\((?:[^()\n]|\([^()\n]*\)){1,4000}?\)\1(?![\w*])")
# Only real HTML element names: "<yours>" in a transcript is text, "<span>" is markup.
_HTML_TAG_RE = re.compile(
    r"</?(?:a|abbr|b|bdi|big|blockquote|br|center|cite|code|del|details|div|em|figcaption|"
    r"figure|font|h[1-6]|hr|i|img|ins|kbd|label|li|mark|ol|p|pre|q|s|section|small|source|"
    r"span|strike|strong|sub|summary|sup|table|tbody|td|th|thead|time|tr|tt|u|ul)"
    r"(?:\s[^<>]{0,1000})?/?>",
    re.IGNORECASE,
)
_STRONG_RE = re.compile(r"(\*\*|__)(?=\S)(.{1,1000}?)(?<=\S)\1")  # bounded: no quadratic scans
_EM_RE = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")
_KRAMDOWN_ATTR_RE = re.compile(r"\s*\{:?\s*#([\w-]{1,100})[^{}]{0,200}\}\s*$")
_SLUG_DROP_RE = re.compile(r"[^\w\s-]")


def protect(text: str) -> str:
    """Backslash escapes turned into private-use stand-ins, safe from formatting removal."""
    return _ESCAPE_RE.sub(lambda m: chr(_PUA + ord(m.group(1))), text)


def restore(text: str) -> str:
    return "".join(
        chr(ord(c) - _PUA) if ord(c) >= _PUA and ord(c) - _PUA < 128 else c for c in text
    )


def strip_blocks(text: str) -> str:
    """HTML comments, Liquid tags and embedded media removed; each leaves its newlines so
    that line numbers in warnings still point into the file."""
    out: list[str] = []
    pos = 0
    dead: set[str] = set()  # openers known to have no closer later in the text
    for match in _BLOCK_OPEN_RE.finditer(text):
        opener = (match.group(1) or match.group(0)).lower()
        if match.start() < pos or opener in dead:
            continue
        end = _block_end(text, match, opener)
        if end is None:
            dead.add(opener)
            continue
        out += [text[pos : match.start()], "\n" * text.count("\n", match.start(), end)]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _block_end(text: str, match: re.Match[str], opener: str) -> int | None:
    closer = _CLOSERS.get(opener)
    if closer is not None:
        at = text.find(closer, match.end())
        return None if at < 0 else at + len(closer)
    found = re.compile(rf"</{opener}\s*>", re.IGNORECASE).search(text, match.end())
    return None if found is None else found.end()


def clean_inline(protected: str) -> str:
    """A protected piece of Markdown as plain spoken text, escapes undone, spaces collapsed."""
    text = _IMAGE_RE.sub("", protected)
    text = _LINK_RE.sub(r"\1", text)
    text = _AUTOLINK_RE.sub(r"\1", text)
    text = _NOTE_RE.sub(" ", text)  # before emphasis: the note's stars mark it as a note
    text = _HTML_TAG_RE.sub(" ", text)
    text = _STRONG_RE.sub(r"\2", text)
    text = _EM_RE.sub(r"\1", text)
    text = unescape_entities(text)
    return " ".join(restore(text).split())


def heading_id(title: str) -> tuple[str, str | None]:
    """A heading's text without a kramdown "{#id}" suffix, and that id."""
    found = _KRAMDOWN_ATTR_RE.search(title)
    if found is None:
        return title, None
    return title[: found.start()], found.group(1)


def slug(title: str) -> str:
    """The anchor Jekyll (kramdown) and GitHub give a heading: "#early-2014-skype"."""
    return "-".join(_SLUG_DROP_RE.sub("", title.lower()).split())
