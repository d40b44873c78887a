"""Markdown transcripts: blog/podcast pages and Earmark's own Markdown export.

Timestamps appear as links "[12:34](https://…?t=754)" or bare "[00:12:34]", speakers as
"**Name:**" or "**Name**:", chapters as "##"/"###" headings. In Earmark's export the
transcript is what follows "## Transcript"; the insight sections before it are not.
"""

from __future__ import annotations

import re

from desktop.core.importers.plaintext import StampReader
from desktop.core.importers.raw import ParseResult
from desktop.core.importers.timestamps import BadTimestamp, parse_clock
from desktop.core.model import Chapter

_HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_FIELD_RE = re.compile(r"^(title|language):\s*(.*?)\s*$", re.IGNORECASE)
# [12:34](url) and [12:34] – the stamp text must look like a clock to count.
_STAMP_LINK_RE = re.compile(r"\[(-?\d{1,6}(?::[\w.,]{1,12}){1,2})\](?:\([^()\s]*\))?")
_SPEAKER_RE = re.compile(r"^\s*(?:\*\*|__)([^*_\n]{1,60}?)(?::\*\*|\*\*:|:__|__:)\s*")
_LINK_RE = re.compile(r"\[([^\[\]]*)\]\([^()\s]*\)")
# Everything Earmark's exporter (and CommonMark) may backslash-escape.
_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~\"'&:=$%^])")
_STRONG_RE = re.compile(r"(\*\*|__)(?=\S)(.{1,1000}?)(?<=\S)\1")  # bounded: no quadratic scans
_EM_RE = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")
_BLOCK_PREFIX_RE = re.compile(r"^\s{0,3}(?:>\s?|[-*+]\s+)+")
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
# Private-use characters stand in for escaped characters while formatting is stripped.
_PUA = 0xF0000


def _protect(text: str) -> str:
    return _ESCAPE_RE.sub(lambda m: chr(_PUA + ord(m.group(1))), text)


def _restore(text: str) -> str:
    return "".join(
        chr(ord(c) - _PUA) if ord(c) >= _PUA and ord(c) - _PUA < 128 else c for c in text
    )


def _inline(text: str) -> str:
    """Markdown inline formatting removed, escapes undone; stamps were already taken out."""
    text = _LINK_RE.sub(r"\1", text)
    text = _STRONG_RE.sub(r"\2", text)
    text = _EM_RE.sub(r"\1", text)
    return _restore(text)


def _front_matter(lines: list[str], result: ParseResult) -> int:
    """Skip YAML front matter, taking its title; returns the index of the first body line."""
    if not lines or lines[0].strip() != "---":
        return 0
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            for line in lines[1:index]:
                found = _FIELD_RE.match(line)
                if found is None or not found.group(2):
                    continue
                value = found.group(2)
                if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                    value = value[1:-1].replace('\\"', '"')
                if found.group(1).lower() == "title":
                    result.title = value.strip() or result.title
                else:
                    result.language = value.strip() or result.language
            return index + 1
    return 0  # no closing fence: it was a horizontal rule, not front matter


def parse_markdown(text: str) -> ParseResult:
    result = ParseResult(empty_message="no timestamps found")
    lines = text.split("\n")
    first = _front_matter(lines, result)
    body = list(enumerate(lines[first:], start=first + 1))
    transcript_at = next(
        (
            i
            for i, (_, line) in enumerate(body)
            if (m := _HEADING_RE.match(line))
            and len(m.group(1)) == 2
            and _inline(_protect(m.group(2))).strip().lower() == "transcript"
        ),
        None,
    )
    for _, line in body[: transcript_at if transcript_at is not None else len(body)]:
        heading = _HEADING_RE.match(line)
        if heading and len(heading.group(1)) == 1 and result.title is None:
            result.title = _inline(_protect(heading.group(2))).strip() or None
    if transcript_at is not None:
        body = body[transcript_at + 1 :]
    reader = StampReader(result)
    pending: list[tuple[int, str, float | None]] = []  # chapter headings waiting for a stamp
    in_insights = False
    for line_no, line in body:
        heading = _HEADING_RE.match(line)
        if heading:
            level = len(heading.group(1))
            title = _inline(_protect(heading.group(2))).strip()
            if level <= 2:
                in_insights = title.lower() in _INSIGHT_SECTIONS
            if level == 1 or in_insights or not title:
                continue
            stamp = _STAMP_LINK_RE.search(_protect(heading.group(2)))
            start = _heading_start(stamp.group(1)) if stamp else None
            if stamp:
                title = _inline(_protect(_STAMP_LINK_RE.sub("", heading.group(2)))).strip()
            pending.append((line_no, title.strip(" -–—:|") or title, start))
            reader.current = None  # a heading ends the paragraph before it
            continue
        if not in_insights:
            _feed_line(reader, line_no, line)
    _place_chapters(pending, result)
    return result


def _heading_start(token: str) -> float | None:
    try:
        return parse_clock(token)
    except BadTimestamp:
        return None


def _feed_line(reader: StampReader, line_no: int, raw: str) -> None:
    """Split a Markdown line at each timestamp and feed the pieces as plain-text lines."""
    line = _BLOCK_PREFIX_RE.sub("", _protect(raw))
    if not line.strip() or line.strip() in ("---", "***", "___"):
        return
    speaker = None
    label = _SPEAKER_RE.match(line)
    if label:  # "**Name:** [00:01] text" – the label comes before the stamp
        speaker = _restore(label.group(1)).strip()
        line = line[label.end() :]
    stamps = list(_STAMP_LINK_RE.finditer(line))
    if not stamps:
        if line.strip():
            reader.continue_with(_inline(line).strip())
        return
    if stamps[0].start() > 0 and line[: stamps[0].start()].strip():
        reader.continue_with(_inline(line[: stamps[0].start()]).strip())
    for index, stamp in enumerate(stamps):
        end = stamps[index + 1].start() if index + 1 < len(stamps) else len(line)
        rest = line[stamp.end() : end]
        after = _SPEAKER_RE.match(rest)  # "[00:01] **Name:** text" – the label after the stamp
        who = _restore(after.group(1)).strip() if after else speaker
        if after:
            rest = rest[after.end() :]
        reader.feed(line_no, f"[{stamp.group(1)}] {_inline(rest).strip()}", speaker=who)
        speaker = None


def _place_chapters(pending: list[tuple[int, str, float | None]], result: ParseResult) -> None:
    """A chapter starts at the first timestamp after its heading (or the heading's own stamp)."""
    starts = sorted((cue.line or 0, cue.start) for cue in result.cues)
    position = 0
    for line_no, title, start in pending:
        while position < len(starts) and starts[position][0] <= line_no:
            position += 1
        if start is None and position < len(starts):
            start = starts[position][1]
        if start is None:
            result.warnings.append(f"line {line_no}: chapter '{title}' has no timestamp after it")
            continue
        result.chapters.append(Chapter(start, title))
