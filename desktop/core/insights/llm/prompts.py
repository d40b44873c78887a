"""Prompts: the transcript as numbered lines, and the single, map and reduce requests.

The model cites lines by the id in brackets; ids are segment indexes, so the engine can
ground every item to a real segment start without trusting times the model writes.
"""

from __future__ import annotations

import json
from typing import Any

from desktop.core.model import Segment


def clock(seconds: float) -> str:
    total = max(0, int(seconds))
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def transcript_line(index: int, segment: Segment) -> str:
    speaker = f"{segment.speaker}: " if segment.speaker else ""
    text = " ".join(segment.text.split())
    return f"[{index}] ({clock(segment.start)}) {speaker}{text}"


SYSTEM = (
    "You write insight notes about a podcast episode from its transcript. "
    "The transcript is given as numbered lines: [id] (hh:mm:ss) Speaker: text. "
    'Every item you write must cite, in its "segment" field, the id of the one line '
    'that best supports it, and copy into its "quote" field 5 to 25 words of that line '
    "exactly as they are written there (the quote may run on into the next line). "
    "Cite only ids that appear in the text you are given. "
    "Write in the language of the transcript. Use only what the episode says. "
    "Answer with a single JSON object and nothing else."
)

FINAL_TASK = (
    'Write: "tldr" (one sentence), "summary" (one short paragraph), '
    '"key_insights" (up to 6: an emoji, a short title, one or two sentences of text), '
    '"qa" (up to 5 questions raised in the episode, with the answer the episode gives), '
    '"takeaways" (up to 5 concrete things a listener can use).'
)

NOTES_TASK = (
    "This is part {part} of {parts} of the transcript. Take notes on this part only: "
    '"points" (up to 6 important statements), "questions" (up to 4 questions raised, '
    'with the answer given), "takeaways" (up to 4 concrete things a listener can use).'
)

REDUCE_INTRO = (
    "The episode was too long to read at once, so it was read in parts. Below are the "
    "notes on every part; each note starts with the id of the transcript line it cites "
    "and ends with the quote from that line. Combine them into insights about the whole "
    "episode, keeping the ids and copying the quotes exactly."
)

REQUOTE_TASK = (
    "Each item below cites a transcript line, but its quote is not in that line. For "
    'each item, copy into "quote" 5 to 25 words, exactly as written, from the lines '
    "shown under it that support the item best. Answer with the item numbers."
)


def schema_hint(schema: dict[str, Any]) -> str:
    """The schema pasted into the prompt, for servers that only know json_object mode."""
    return "The JSON object must match this JSON schema:\n" + json.dumps(schema)


def messages(user: str, schema: dict[str, Any] | None) -> list[dict[str, str]]:
    if schema is not None:
        user = f"{user}\n\n{schema_hint(schema)}"
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def final_prompt(title: str, lines: list[str]) -> str:
    return f"Episode: {title}\n\nTranscript:\n" + "\n".join(lines) + f"\n\n{FINAL_TASK}"


def notes_prompt(title: str, lines: list[str], part: int, parts: int) -> str:
    task = NOTES_TASK.format(part=part, parts=parts)
    return (
        f"Episode: {title}\n\nTranscript, part {part} of {parts}:\n"
        + "\n".join(lines)
        + f"\n\n{task}"
    )


def reduce_prompt(title: str, note_lines: list[str]) -> str:
    return (
        f"Episode: {title}\n\n{REDUCE_INTRO}\n\nNotes:\n"
        + "\n".join(note_lines)
        + f"\n\n{FINAL_TASK}"
    )


def condense_prompt(title: str, note_lines: list[str], part: int, parts: int) -> str:
    # Only for very long episodes: the notes themselves did not fit one reduce request.
    return (
        f"Episode: {title}\n\n{REDUCE_INTRO}\n\nNotes, group {part} of {parts}:\n"
        + "\n".join(note_lines)
        + "\n\nMerge these notes into fewer, keeping the most important and their ids: "
        '"points", "questions" (with answers), "takeaways".'
    )


def requote_prompt(items: list[tuple[str, list[str]]]) -> str:
    """Items whose quote was not found, each with the transcript lines around its citation."""
    blocks = [
        f"Item {n}: {description}\n" + "\n".join(lines)
        for n, (description, lines) in enumerate(items, 1)
    ]
    return "\n\n".join(blocks) + f"\n\n{REQUOTE_TASK}"


def note_lines(notes: dict[str, Any]) -> list[str]:
    """Render one part's validated notes as cited lines for the reduce prompt."""

    def quoted(item: dict[str, Any]) -> str:
        return f' quote: "{item["quote"]}"' if item.get("quote") else ""

    lines = [f"[{p['segment']}] point: {p['text']}{quoted(p)}" for p in notes.get("points", [])]
    lines += [
        f"[{q['segment']}] question: {q['question']} answer: {q['answer']}{quoted(q)}"
        for q in notes.get("questions", [])
    ]
    lines += [
        f"[{t['segment']}] takeaway: {t['text']}{quoted(t)}" for t in notes.get("takeaways", [])
    ]
    return lines
