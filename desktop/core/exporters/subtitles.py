"""SubRip (.srt) and WebVTT (.vtt) export: one cue per segment."""

from __future__ import annotations

import math
from collections.abc import Iterator

from desktop.core.exporters._text import one_line, speaker_of
from desktop.core.model import EpisodeDocument
from desktop.core.timecode import clock, shown_seconds


def cue_times(start: float, end: float) -> tuple[float, float]:
    """Cue start and end on the millisecond grid, with end > start so every player accepts it.

    Times a clock cannot show (NaN, infinite, beyond timecode.MAX_SECONDS) are clamped
    first: a damaged row still gives a file every player reads.
    """
    start_ms = round(shown_seconds(start) * 1000)
    end_ms = round(shown_seconds(end) * 1000) if math.isfinite(end) else start_ms
    if end_ms <= start_ms:
        end_ms = start_ms + 1
    return start_ms / 1000, end_ms / 1000


def _cues(doc: EpisodeDocument) -> Iterator[tuple[float, float, str | None, str]]:
    """(start, end, speaker, text) of each segment that has text."""
    for seg in doc.segments:
        text = one_line(seg.text)
        if text:
            start, end = cue_times(seg.start, seg.end)
            yield start, end, speaker_of(seg.speaker), text


def render_srt(doc: EpisodeDocument) -> str:
    cues = []
    for number, (start, end, speaker, text) in enumerate(_cues(doc), 1):
        # SRT has no escaping; a timing arrow in the text would confuse lenient parsers.
        line = (f"{speaker}: {text}" if speaker else text).replace("-->", "->")
        cues.append(f"{number}\n{clock(start, ',')} --> {clock(end, ',')}\n{line}\n")
    return "\n".join(cues)


def vtt_escape(text: str) -> str:
    r"""Escape `&`, `<` and `>` as the WebVTT spec requires (this also rules out `-->`).

    `{\` too, as a character reference: captions converted from SubRip carry ASS override
    blocks (`{\an8}`), which importers drop, so literal text like that must not read as one.
    """
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("{\\", "{&#92;")


def render_vtt(doc: EpisodeDocument) -> str:
    # The signature line may carry a title; it must stay one line without a timing arrow.
    title = one_line(doc.episode.title).replace("-->", "->")
    cues = [f"WEBVTT - {title}\n" if title else "WEBVTT\n"]
    for start, end, speaker, text in _cues(doc):
        body = vtt_escape(text)
        if speaker:
            body = f"<v {vtt_escape(speaker)}>{body}"
        cues.append(f"{clock(start)} --> {clock(end)}\n{body}\n")
    return "\n".join(cues)


def render_vtt_chapters(doc: EpisodeDocument) -> str:
    """A WebVTT chapters file (what players read for a chapter menu): one cue per chapter,
    from its start to the next one's (the last to the end of the transcript)."""
    title = one_line(doc.episode.title).replace("-->", "->")
    cues = [f"WEBVTT - {title}\n" if title else "WEBVTT\n"]
    chapters = sorted(doc.chapters, key=lambda c: c.start)
    end = max((s.end for s in doc.segments), default=doc.episode.duration or 0.0)
    for n, chapter in enumerate(chapters):
        stop = chapters[n + 1].start if n + 1 < len(chapters) else max(end, chapter.start)
        name = vtt_escape(one_line(chapter.title).replace("-->", "->"))
        cues.append(f"{n + 1}\n{clock(chapter.start)} --> {clock(stop)}\n{name}\n")
    return "\n".join(cues)
