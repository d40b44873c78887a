"""Markdown transcripts: podcast and blog pages, Jekyll sites, and Earmark's own export.

What real pages do, all handled here:

- stamps as links "[12:34](url)", "[[01:55]](https://youtube.com/watch?v=…&t=115s)", bare
  "[00:12:34]" or escaped "\\[01:03:57.26\\]", at the start of a paragraph or line;
- speakers as "**Name:**" / "**Name**:" at the start of a paragraph, before or after the stamp;
- paragraphs with neither: the same speaker goes on, and the paragraph's time is
  interpolated by text length (Changelog pages stamp one paragraph in seven);
- chapters as "##"/"###" or HTML "<h2>"/"<h3>" headings, or a front-matter table of contents;
- Liquid tags, HTML, comments and "*(editor notes)*" removed from the text.

In Earmark's export the transcript is what follows "## Transcript"; the insight sections
before it are not.
"""

from __future__ import annotations

import re

from desktop.core.importers.frontmatter import FrontMatter, read_front_matter
from desktop.core.importers.interpolate import fill_starts
from desktop.core.importers.mdchapters import Heading, place_chapters
from desktop.core.importers.mdclean import clean_inline, heading_id, protect, slug, strip_blocks
from desktop.core.importers.raw import ParseResult, RawCue
from desktop.core.importers.timestamps import BadTimestamp, parse_clock
from desktop.core.importers.units import Unit, assign_speakers

# The closing #s (CommonMark) follow a space: in "### C\#" the # is the title's.
_HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_HTML_HEADING_RE = re.compile(r"^\s{0,3}<h([1-6])\b([^<>]{0,500})>(.{0,500}?)</h\1\s*>\s*$", re.I)
_HTML_ID_RE = re.compile(r"""\bid\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
# The stamp text must look like a clock to count; loose enough that "[00:6x:01]" is
# reported as malformed rather than read as words.
_TOKEN = r"-?\d{1,6}(?::[\w.,]{1,12}){1,2}"
_UNESCAPED_STAMP = (
    rf"\[\[(?P<d>{_TOKEN})\]\]\([^()\s]*\)"  # [[01:55]](url): Jekyll sites
    rf"|\[(?P<s>{_TOKEN})\](?:\([^()\s]*\))?"  # [01:55](url) or [01:55]
)
_STAMP_RE = re.compile(
    rf"{_UNESCAPED_STAMP}|\\\[(?P<e>{_TOKEN})\\\]"  # \[01:55\]: from an escaping converter
)
_LEAD_STAMP_RE = re.compile(rf"\s*(?:{_STAMP_RE.pattern})\s*")
# Within a line or a heading only unescaped stamps count: converters escape the stamp that
# opens a paragraph, but "\[00:01\]" inside text is what an escaping exporter (Earmark's
# own) wrote for text that means it literally.
_INLINE_STAMP_RE = re.compile(_UNESCAPED_STAMP)
# A name may hold escaped characters: "**A\*B:**" (Earmark escapes `*` and `_` in names).
_LABEL_RE = re.compile(r"\s*(?:\*\*|__)((?:\\.|[^*_\n\\]){1,60}?)(?::\*\*|\*\*:|:__|__:)\s*")
# "[00:05] Alice: Hello": a plain name after a stamp, every word capitalised or a number.
_PLAIN_NAME_RE = re.compile(r"\s*([^\W\d_][\w.'’-]*(?:[ \t]+[\w.'’-]+){0,3})[ \t]*:(?:\s+|$)")
_BLOCK_PREFIX_RE = re.compile(r"^\s{0,3}(?:>\s?|[-*+]\s+)+")
_RULES = frozenset({"---", "***", "___"})
# Earmark's export puts these sections before "## Transcript"; elsewhere they are not chapters.
_INSIGHT_SECTIONS = frozenset(
    {
        "tl;dr",
        "tldr",
        "key insights",
        "questions & answers",
        "questions and answers",
        "summary",
        "key takeaways",
        "notes",
        "show notes",
        "links",
        "resources",
    }
)


def _heading(line: str) -> tuple[int, str, str | None] | None:
    """(level, raw title, anchor id) for a Markdown or HTML heading line."""
    found = _HEADING_RE.match(line)
    if found:
        title, anchor = heading_id(found.group(2))
        return len(found.group(1)), title, anchor
    found = _HTML_HEADING_RE.match(line)
    if found:
        anchor = _HTML_ID_RE.search(found.group(2))
        return int(found.group(1)), found.group(3), anchor.group(1) if anchor else None
    return None


def _token(match: re.Match[str]) -> str:
    groups = match.groupdict()
    return groups["d"] or groups["s"] or groups.get("e")


def _clock(token: str) -> float | None:
    try:
        return parse_clock(token)
    except BadTimestamp:
        return None


class _Scanner:
    """Reads the transcript part line by line into paragraph units and headings."""

    def __init__(self, result: ParseResult) -> None:
        self.result = result
        self.units: list[Unit] = []
        self.headings: list[Heading] = []
        self.open: Unit | None = None  # the unit a plain line in the same paragraph continues
        self.skipping = False  # after a bad stamp, its text is dropped until the next anchor
        self.in_insights = False
        self.outside_words = 0  # text that is in no unit: prose before the transcript starts
        self.stray_stamps = 0  # stamps inside such prose

    def line(self, line_no: int, raw: str) -> None:
        heading = _heading(raw)
        if heading is not None:
            self.heading(line_no, *heading)
            return
        if self.in_insights:
            return
        if not raw.strip() or raw.strip() in _RULES:
            self.open = None  # a blank line ends the paragraph
            return
        line = _BLOCK_PREFIX_RE.sub("", raw)
        if not self.anchored(line_no, line):
            self.plain(line_no, line)

    def heading(self, line_no: int, level: int, raw_title: str, anchor: str | None) -> None:
        self.open = None  # a heading ends the paragraph before it
        stamp = _INLINE_STAMP_RE.search(raw_title)
        start = _clock(_token(stamp)) if stamp else None
        if stamp:
            raw_title = raw_title[: stamp.start()] + raw_title[stamp.end() :]
        title = clean_inline(protect(raw_title))
        if level <= 2:
            self.in_insights = title.lower() in _INSIGHT_SECTIONS
        if level == 1:
            self.result.title = self.result.title or title or None
            return
        if stamp:  # "### 01:55 - Intro": the separator went with the stamp
            title = title.strip(" -–—:|") or title
        if self.in_insights or not title:
            return
        self.headings.append(Heading(line_no, title, start, anchor or slug(title)))

    def anchored(self, line_no: int, line: str) -> bool:
        """A line opened by a stamp and/or speaker label starts units; False for plain lines."""
        label = _LABEL_RE.match(line)
        pos = label.end() if label else 0
        stamp = _LEAD_STAMP_RE.match(line, pos)
        speaker = clean_inline(protect(label.group(1))) if label else None
        if stamp:
            pos = stamp.end()
            if speaker is None:
                speaker, pos = _speaker_after(line, pos)
        if stamp is None and label is None:
            return False
        self.open = None
        self.skipping = False
        rest = line[pos:]
        first = _token(stamp) if stamp else None
        pieces = list(_INLINE_STAMP_RE.finditer(rest))  # "[00:01] a [00:05] b": two units
        end = pieces[0].start() if pieces else len(rest)
        self.start_unit(line_no, first, speaker, rest[:end])
        for index, piece in enumerate(pieces):
            end = pieces[index + 1].start() if index + 1 < len(pieces) else len(rest)
            who, at = _speaker_after(rest, piece.end())
            self.start_unit(line_no, _token(piece), who, rest[at:end])
        return True

    def start_unit(self, line_no: int, token: str | None, speaker: str | None, text: str) -> None:
        self.result.anchors = (self.result.anchors or 0) + 1
        start = None
        if token is not None:
            try:
                start = parse_clock(token, minutes_bounded=None)
            except BadTimestamp as exc:
                self.result.skip(
                    line_no, f"{exc.reason} timestamp '{exc.token[:40]}', line skipped"
                )
                self.open, self.skipping = None, True
                self.outside_words += len(text.split())
                return
        unit = Unit(line_no, start, speaker, [text])
        self.units.append(unit)
        self.open = unit

    def plain(self, line_no: int, line: str) -> None:
        """A line without stamp or label: continues its paragraph, or opens a new one."""
        if self.skipping or not self.units:
            self.outside_words += len(clean_inline(protect(line)).split())
            self.stray_stamps += len(_STAMP_RE.findall(line))
        elif self.open is not None:
            self.open.parts.append(line)
        else:
            self.open = Unit(line_no, None, None, [line])  # a continuation paragraph
            self.units.append(self.open)


def _speaker_after(line: str, pos: int) -> tuple[str | None, int]:
    """A "**Name:**" or capitalised "Name:" label at pos, and where the text after it starts."""
    label = _LABEL_RE.match(line, pos)
    if label:
        return clean_inline(protect(label.group(1))), label.end()
    plain = _PLAIN_NAME_RE.match(line, pos)
    if plain and all(word[0].isupper() or word[0].isdigit() for word in plain.group(1).split()):
        return plain.group(1), plain.end()
    return None, pos


def _transcript_heading(lines: list[str], first: int) -> int | None:
    """Index of the "## Transcript" line, if the page has one."""
    for index in range(first, len(lines)):
        found = _heading(lines[index])
        if found and found[0] == 2 and clean_inline(protect(found[1])).lower() == "transcript":
            return index
    return None


def parse_markdown(text: str) -> ParseResult:
    result = ParseResult(empty_message="no timestamps found", anchors=0)
    lines = text.split("\n")
    header = read_front_matter(lines)
    # Only the body is cleaned: a header's title says "{{" or "<!--" literally (YAML).
    body = strip_blocks("\n".join(lines[header.body_start :])).split("\n")
    lines = lines[: header.body_start] + body  # strip_blocks keeps the line count
    result.title, result.language = header.title, header.language
    scanner = _Scanner(result)
    transcript_at = _transcript_heading(lines, header.body_start)
    if transcript_at is not None:
        for line in lines[header.body_start : transcript_at]:  # only the title counts there
            found = _heading(line)
            if found and found[0] == 1 and result.title is None:
                result.title = clean_inline(protect(found[1])) or None
    begin = header.body_start if transcript_at is None else transcript_at + 1
    for index in range(begin, len(lines)):
        scanner.line(index + 1, lines[index])
    _finish(scanner, result, header)
    return result


def _finish(scanner: _Scanner, result: ParseResult, header: FrontMatter) -> None:
    units = scanner.units
    for unit in units:
        unit.text = clean_inline(protect(" ".join(unit.parts)))
    result.text_words = scanner.outside_words + sum(len(u.text.split()) for u in units)
    if all(unit.start is None for unit in units):
        if scanner.stray_stamps and not result.anchors:
            result.empty_message = (
                f"does not look like a transcript: {scanner.stray_stamps} timestamp(s) inside "
                "prose, none opening a paragraph or line"
            )
        elif units and not result.first_bad_message:
            result.empty_message = "no timestamps found (speaker labels, but no times with them)"
        return  # normalize reports the message (or the first bad stamp)
    assign_speakers(units)
    starts = fill_starts([u.start for u in units], [len(u.text) for u in units])
    for unit, start in zip(units, starts, strict=True):
        result.cues.append(RawCue(start, None, unit.text, unit.line, speaker=unit.speaker))
    placed = [(u.line, start) for u, start in zip(units, starts, strict=True) if u.text]
    place_chapters(scanner.headings, header.toc, placed, result)
