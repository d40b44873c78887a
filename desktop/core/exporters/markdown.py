"""Markdown export: YAML front matter, insights, notes and a transcript in speaker paragraphs.

Written for Obsidian and any CommonMark reader. Text from transcripts, insights and notes
is backslash-escaped so that it renders literally (an importer can undo `\\x` escapes).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable

from desktop.core.chapters import heading_rows
from desktop.core.exporters._text import one_line, paragraphs, speaker_of
from desktop.core.insights.payload import Insights
from desktop.core.model import Chapter, EpisodeDocument, Note, Segment
from desktop.core.timecode import hms

# Paragraphs of a long turn (or a transcript without speakers) are split between segments.
SOFT_PARAGRAPH_WORDS = 150  # ...at the first sentence end after this many words
HARD_PARAGRAPH_WORDS = 250  # ...wherever we are once this many words have gathered

EXTRACTIVE_ENGINE = "extractive"
EXTRACTIVE_LINE = "Extracted from the transcript by Earmark's extractive engine"

# Always special inline: \ ` * _ [ ] < > ; `#` also starts an Obsidian tag, `$` Obsidian math.
_INLINE = re.compile(r"([\\`*_\[\]<>#$])")
# Doubled: ~~strike~~, ==highlight==, %%comment%% (Obsidian).
_DOUBLED = re.compile(r"([~=%])\1+")
# `{{ x }}` and `{% x %}` are Liquid tags to Jekyll, which importers drop.
_LIQUID = re.compile(r"(?<=\{)([{%])")
# "Name:" opening a paragraph (up to four words): a speaker label to Markdown importers.
_NAME_COLON = re.compile(r"^([^\W\d_][\w.'’-]*(?:[ \t]+[\w.'’-]+){0,3}[ \t]*):")
# `&copy;` or `&#169;` would render as an entity.
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# ` ^block-id` at the end of a line is an Obsidian block reference (and gets hidden).
_BLOCK_REF = re.compile(r"(?<=\s)\^(?=[0-9A-Za-z-]+\s*$)")
# Line starts that would open a list, heading, quote, thematic break or setext underline.
_LINE_START = re.compile(r"^(?:([-+=])|(\d{1,9})([.)]))")
_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’)\]»]*$")


def escape_inline(text: str) -> str:
    """Escape Markdown syntax inside a line so the text renders literally."""
    text = _INLINE.sub(r"\\\1", text)
    text = _DOUBLED.sub(lambda m: "".join("\\" + ch for ch in m.group()), text)
    text = _ENTITY.sub(r"\\&", text)
    text = _LIQUID.sub(r"\\\1", text)
    return _BLOCK_REF.sub(r"\\^", text)


def escape_block(text: str) -> str:
    """Like escape_inline, for text that starts a line (a paragraph or list item body)."""
    return escape_line_start(escape_inline(text))


def escape_line_start(escaped: str) -> str:
    """Escape what would open a block (list, setext underline...) at the start of a line."""

    def start(m: re.Match[str]) -> str:
        if m.group(1):
            return "\\" + m.group(1)
        return f"{m.group(2)}\\{m.group(3)}"

    return _LINE_START.sub(start, escaped, count=1)


def yaml_string(value: str) -> str:
    """A double-quoted YAML scalar: JSON escaping, plus the characters YAML reads differently
    from JSON (NEL and line/paragraph separators fold; DEL, C1 controls and BOM are not
    printable in YAML)."""
    quoted = json.dumps(value, ensure_ascii=False)
    return "".join(f"\\u{ord(ch):04x}" if _yaml_unsafe(ch) else ch for ch in quoted)


def _yaml_unsafe(ch: str) -> bool:
    code = ord(ch)
    return (
        0x7F <= code <= 0x9F
        or code in (0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF)
        or 0xD800 <= code <= 0xDFFF
    )


def render_markdown(doc: EpisodeDocument) -> str:
    title = one_line(doc.episode.title) or f"Episode {doc.episode.id}"
    blocks: list[str] = [_front_matter(doc, title), f"# {escape_inline(title)}"]
    blocks += insight_blocks(doc.insights)
    notes = _note_items(doc)
    if notes:
        blocks += ["## Notes", "\n".join(notes)]
    transcript = _transcript_blocks(doc)
    if transcript:
        blocks += ["## Transcript", *transcript]
    return "\n\n".join(blocks) + "\n"


def _front_matter(doc: EpisodeDocument, title: str) -> str:
    ep = doc.episode
    duration = ep.duration
    if duration is None or not math.isfinite(duration):
        duration = max((s.end for s in doc.segments), default=None)
    fields: list[tuple[str, str | None]] = [
        ("title", title),
        ("media", ep.media_path),
        ("duration", hms(duration) if duration is not None else None),
        ("source", str(ep.source)),
        ("transcript_file", ep.source_path),
        ("language", ep.language),
        ("engine", ep.engine),
        ("model", ep.model),
        ("created", ep.created),
    ]
    lines = ["---"]
    lines += [f"{key}: {yaml_string(value)}" for key, value in fields if value]
    lines += ["tags: [earmark]", "---"]
    return "\n".join(lines)


def provenance(engine: str, model: str | None, quoted: bool = False) -> str:
    """Where the insights came from, in words (never calls extractive output AI-generated);
    `quoted`: every item carries the transcript's words that prove it."""
    if engine.strip().lower() == EXTRACTIVE_ENGINE:
        return EXTRACTIVE_LINE
    where = {"local": "on this computer", "openai": "on your server"}.get(engine.strip().lower())
    if where and one_line(model):
        proof = "; every item quotes the transcript" if quoted else ""
        return f"Generated by {one_line(model)} {where}{proof}"
    name = one_line(engine) or "an unknown engine"
    return f"Generated by {name} ({one_line(model)})" if one_line(model) else f"Generated by {name}"


def _stamp(seconds: float) -> str:
    return f"[{hms(seconds)}]"


def insight_blocks(ins: Insights | None) -> list[str]:
    """The provenance line and the TL;DR ... Key Takeaways sections, as Markdown blocks."""
    if ins is None:
        return []
    sections: list[str] = []
    tldr = paragraphs(ins.tldr)
    if tldr:
        sections += ["## TL;DR", *map(escape_block, tldr)]

    items = []
    for ki in ins.key_insights:
        title, text = one_line(ki.title), one_line(ki.text)
        if not (title or text):
            continue
        parts = [escape_inline(one_line(ki.emoji))] if one_line(ki.emoji) else []
        if title:
            parts.append(f"**{escape_inline(title)}**")
        if title and text:
            parts.append("—")
        if text:
            parts.append(escape_inline(text))
        items.append(f"- {escape_line_start(' '.join(parts))} {_stamp(ki.start)}{_quote(ki.quote)}")
    if items:
        sections += ["## Key Insights", "\n".join(items)]

    qa_blocks = []
    for qa in ins.qa:
        question = one_line(qa.question)
        if not question:
            continue
        qa_blocks.append(f"**{escape_inline(question)}** {_stamp(qa.start)}")
        qa_blocks += [escape_block(p) for p in paragraphs(qa.answer)]
        if one_line(qa.quote):
            qa_blocks.append(f"> “{escape_inline(one_line(qa.quote))}”")
    if qa_blocks:
        sections += ["## Questions & Answers", *qa_blocks]

    summary = paragraphs(ins.summary)
    lines = [one_line(line) for line in ins.summary.split("\n") if one_line(line)]
    if len(summary) == 1 and len(lines) > 1:  # a line per chapter or topic: a list
        sections += ["## Summary", "\n".join(f"- {escape_block(line)}" for line in lines)]
    elif summary:
        sections += ["## Summary", *map(escape_block, summary)]

    takeaways = [t for t in ins.takeaways if one_line(t.text)]
    if takeaways:
        lines = [
            f"{n}. {escape_block(one_line(t.text))} {_stamp(t.start)}{_quote(t.quote)}"
            for n, t in enumerate(takeaways, 1)
        ]
        sections += ["## Key Takeaways", "\n".join(lines)]

    if not sections:
        return []
    items = [*ins.key_insights, *ins.qa, *ins.takeaways]
    quoted = bool(items) and all(item.quote for item in items)
    return [f"*{escape_inline(provenance(ins.engine, ins.model, quoted))}*", *sections]


def _quote(quote: str) -> str:
    """A generated item's proof, as a quotation under its list item."""
    quote = one_line(quote)
    return f"\n  > “{escape_inline(quote)}”" if quote else ""


def note_time(note: Note, segments: list[Segment]) -> float | None:
    """The note's own time, else the start of the segment it is attached to."""
    if note.time is not None and math.isfinite(note.time):
        return note.time
    if note.segment_idx is not None and 0 <= note.segment_idx < len(segments):
        return segments[note.segment_idx].start
    return None


def _note_items(doc: EpisodeDocument) -> list[str]:
    timed = [(note_time(n, doc.segments), n) for n in doc.notes]
    # Notes in transcript order; notes without a time keep their order, at the end.
    timed.sort(key=lambda pair: (pair[0] is None, pair[0] or 0.0))
    items = []
    for time, note in timed:
        paras = paragraphs(note.text)
        if not paras:
            continue
        first = escape_inline(paras[0]) if time is not None else escape_block(paras[0])
        head = f"- {_stamp(time)} {first}" if time is not None else f"- {first}"
        # Further paragraphs stay inside the list item (indented to its content).
        rest = "".join(f"\n\n  {escape_block(p)}" for p in paras[1:])
        items.append(head + rest)
    return items


def _transcript_blocks(doc: EpisodeDocument) -> list[str]:
    """Paragraphs and chapter headings, in order.

    A chapter heading goes before the first segment whose midpoint is at or after the
    chapter start, so a chapter starting early in a segment claims that segment.
    """
    chapters = sorted(doc.chapters, key=lambda c: c.start)
    # The transcript view's rule too, over the segments this export writes.
    placed = heading_rows(chapters, doc.segments, lambda s: bool(one_line(s.text)))
    blocks: list[str] = []
    paragraph: list[str] = []
    para_start = 0.0
    para_speaker: str | None = None
    words = 0
    last_text = ""

    def flush() -> None:
        if paragraph:
            label = f"**{escape_inline(para_speaker)}:** " if para_speaker else ""
            body = " ".join(paragraph)
            if not para_speaker:  # "Host: hi" would read back as the speaker Host
                body = _NAME_COLON.sub(r"\1\\:", body, count=1)
            blocks.append(f"{_stamp(para_start)} {label}{body}")
            paragraph.clear()

    for row, seg in enumerate(doc.segments):
        text = one_line(seg.text)
        if not text:
            continue
        speaker = speaker_of(seg.speaker)
        headings = placed.get(row, [])
        starts_new = (
            not paragraph
            or bool(headings)
            or speaker != para_speaker
            or words >= HARD_PARAGRAPH_WORDS
            or (words >= SOFT_PARAGRAPH_WORDS and bool(_SENTENCE_END.search(last_text)))
        )
        if starts_new:
            flush()
            blocks += _headings(headings)
            para_start, para_speaker, words = seg.start, speaker, 0
        paragraph.append(escape_inline(text))
        words += len(text.split())
        last_text = text
    flush()
    shown = {id(c) for heads in placed.values() for c in heads}
    blocks += _headings([c for c in chapters if id(c) not in shown])  # past the last segment
    return blocks


def _headings(chapters: Iterable[Chapter]) -> list[str]:
    return [f"### {escape_inline(one_line(c.title)) or hms(c.start)}" for c in chapters]
