"""Values from a feed made safe to keep: plain text out of HTML, web URLs, whole numbers.

Show notes arrive as HTML (often CDATA full of entities and tracking markup); Earmark keeps
them as plain text so nothing a feed writes is ever rendered as rich text. URLs are kept only
when they are http or https: the services fetch them, and a feed must not be able to point
a download at a local file (file:), another protocol (ftp:) or a script (javascript:, data:).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from desktop.core.text import clean_line, clean_text

__all__ = ["html_to_text", "plain_text", "web_url", "whole_number"]

# Tags that start a new line (<li>, <br>) or are a paragraph (a blank line around it).
_LINE_TAGS = frozenset({"br", "li", "tr", "dt", "dd"})
_PARAGRAPH_TAGS = frozenset(
    {"p", "div", "ul", "ol", "dl", "table", "blockquote", "pre", "hr", "section", "article"}
    | {f"h{level}" for level in range(1, 7)}
)
# Their content is code or styling, never words for a reader.
_HIDDEN_TAGS = frozenset({"script", "style", "template", "head", "noscript"})
_SPACE_RE = re.compile(r"[^\S\n]+")
_WHITESPACE_RE = re.compile(r"\s+")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities decoded in handle_data
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self.hidden += 1
        else:
            self._break(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HIDDEN_TAGS:  # <script/> hides nothing
            self._break(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _PARAGRAPH_TAGS or tag == "br":  # browsers read </br> as <br>
            self._break(tag)  # other line tags break before their line, not after it

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            # A newline in HTML source is just a space; breaks come only from tags.
            self.parts.append(_WHITESPACE_RE.sub(" ", data))

    def _break(self, tag: str) -> None:
        if tag in _PARAGRAPH_TAGS:
            self.parts.append("\n\n")
        elif tag in _LINE_TAGS:
            self.parts.append("\n")


def _tidy(text: str) -> str:
    """Spaces collapsed within lines, lines trimmed, at most one blank line in a row."""
    lines = [_SPACE_RE.sub(" ", line).strip() for line in clean_text(text).split("\n")]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip()


def html_to_text(html: str | None) -> str:
    """Plain text of an HTML fragment: tags gone, entities decoded, blocks on their lines."""
    if not html:
        return ""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return _tidy("".join(collector.parts))


def plain_text(value: str | None, mime: str | None) -> str:
    """A feed text construct as plain text; feedparser says whether it holds HTML."""
    if mime is not None and "html" in mime.lower():
        return html_to_text(value)
    return _tidy(value or "")


def web_url(value: str | None, base: str | None = None) -> str | None:
    """`value` as an absolute http(s) URL (resolved against `base`), else None."""
    text = clean_line(value)
    if not text:
        return None
    try:
        if base:
            text = urljoin(base, text)
        parts = urlsplit(text)
    except ValueError:  # e.g. "http://[::1" (an unclosed or bogus IPv6 bracket)
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text


def whole_number(value: object, minimum: int = 0) -> int | None:
    """A whole number written as digits (at least `minimum`), else None."""
    text = value.strip() if isinstance(value, str) else ""
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    number = int(text)
    return number if number >= minimum else None
