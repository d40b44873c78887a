"""Speakers written into subtitle text: "Bob Summerwill: So hello…".

Published podcast SRTs name the speaker in the cue text where the turn changes, and the
cues after it, without a name, are the same person. A name is only believed when the file
uses such prefixes consistently: at least two names that recur, covering most prefixed
cues. One "Note: …" in a lecture's captions is text, not a speaker.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from desktop.core.importers.raw import RawCue

# One to four words, each capitalised or a number ("Speaker 2", "Dr. Ng", "VIKTOR"), then ": ".
_PREFIX_RE = re.compile(
    r"^(?:[-–—]\s*)?([^\W\d_][\w.'’-]*(?:[ \t]+[\w.'’-]+){0,3})[ \t]*:\s+(?=\S)"
)
# Labels that introduce text rather than a voice.
_NOT_NAMES = frozenset({"note", "notes", "nb", "ps", "warning", "caution", "tip", "update", "edit"})
# Share of prefixed lines that must carry a recurring name for the file to count as labelled.
_CONSISTENT_SHARE = 0.75


@dataclass(slots=True)
class Cue:
    """A cue as the subtitle scanner found it, before speakers are settled."""

    start: float
    end: float
    lines: list[str]  # cleaned, non-empty lines
    speaker: str | None  # from a WebVTT voice tag
    line: int


def _prefix(line: str) -> tuple[str, str] | None:
    """(name, the words after it) when the line starts with a name-like label."""
    found = _PREFIX_RE.match(line)
    if found is None:
        return None
    name = " ".join(found.group(1).split())
    words = name.split()
    if name.lower() in _NOT_NAMES or not all(w[0].isupper() or w[0].isdigit() for w in words):
        return None
    return name, line[found.end() :]


def prefix_speakers(cues: list[Cue]) -> frozenset[str]:
    """The names the file's cue text uses as speaker prefixes, or none if not consistent."""
    counts = Counter(
        found[0]
        for cue in cues
        if cue.speaker is None
        for found in map(_prefix, cue.lines)
        if found is not None
    )
    recurring = [name for name, count in counts.items() if count >= 2]
    if len(recurring) < 2:
        return frozenset()
    if sum(counts[name] for name in recurring) < _CONSISTENT_SHARE * counts.total():
        return frozenset()
    return frozenset(counts)


def to_raw_cues(cues: list[Cue]) -> list[RawCue]:
    """RawCues with speakers from voice tags or, in a consistently labelled file, prefixes.

    A cue holding two speakers' lines ("Bob: Hi.\\nViktor: Hello.") becomes two, its time
    shared by text length; a cue without a prefix continues the speaker before it.
    """
    names = prefix_speakers(cues)
    raw: list[RawCue] = []
    current: str | None = None
    for cue in cues:
        if cue.speaker is not None or not names or not cue.lines:
            current = cue.speaker or current
            raw.append(RawCue(cue.start, cue.end, " ".join(cue.lines), cue.line, cue.speaker))
            continue
        parts: list[tuple[str | None, list[str]]] = []
        for line in cue.lines:
            found = _prefix(line)
            if found is not None and found[0] in names:
                current = found[0]
                parts.append((current, [found[1]]))
            elif parts:
                parts[-1][1].append(line)
            else:
                parts.append((current, [line]))
        raw.extend(_share_time(cue, [(who, " ".join(lines)) for who, lines in parts]))
    return raw


def _share_time(cue: Cue, parts: list[tuple[str | None, str]]) -> list[RawCue]:
    total = sum(len(text) for _, text in parts) or 1
    rate = (cue.end - cue.start) / total
    pieces: list[RawCue] = []
    offset = 0
    for who, text in parts:
        start = cue.start + rate * offset
        offset += len(text)
        pieces.append(RawCue(start, cue.start + rate * offset, text, cue.line, who))
    pieces[-1].end = cue.end  # exactly, whatever the rounding
    return pieces
