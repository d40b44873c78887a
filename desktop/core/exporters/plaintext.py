"""Plain text export: one stamped line per segment."""

from __future__ import annotations

from desktop.core.exporters._text import one_line, speaker_of
from desktop.core.model import EpisodeDocument
from desktop.core.timecode import hms


def render_txt(doc: EpisodeDocument) -> str:
    lines = []
    for seg in doc.segments:
        text = one_line(seg.text)
        if not text:
            continue
        speaker = speaker_of(seg.speaker)
        label = f"{speaker}: " if speaker else ""
        lines.append(f"[{hms(seg.start)}] {label}{text}")
    return "".join(line + "\n" for line in lines)
