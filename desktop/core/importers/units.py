"""Paragraph units of a Markdown transcript, and who speaks in each.

Hand-made transcripts label a speaker where the turn changes and let the following
paragraphs carry on unlabelled; Earmark's own export stamps every paragraph and labels
every one that has a speaker. Which convention a file follows decides what a paragraph
without a label means: the same speaker goes on, or nobody in particular.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Unit:
    """One paragraph (or stamped piece of a line) before its time is known."""

    line: int
    start: float | None  # None: not stamped, interpolated later
    speaker: str | None  # its own label, if it has one
    parts: list[str] = field(default_factory=list)  # its lines, as written
    text: str = ""  # cleaned, once the whole paragraph has been read


def assign_speakers(units: list[Unit]) -> None:
    """Give unlabelled paragraphs the speaker before them, when the file labels by turn.

    A file labels by turn when it has paragraphs without a stamp: those can only be the
    continuation of the turn before. A label on an empty paragraph ("**Break:** [25:57]")
    marks an event, not a speaker, and is not carried on.
    """
    by_turn = any(unit.start is None and unit.text for unit in units)
    current: str | None = None
    for unit in units:
        if unit.speaker is not None:
            if unit.text:
                current = unit.speaker
            continue
        if by_turn:
            unit.speaker = current
