"""Use cases: a person's notes on an episode, at a moment or on a segment.

Every call writes at once, in one transaction, and the notes' FTS5 index follows (so
`desktop.core.search.search` finds them). The calls that change a note hand back what an
undo needs: edit_note returns (before, after), delete_note the deleted note, which
restore_note writes back under its old id. An undo or redo names what it expects to find
(`expected`: the note as the program left it, or None for a note that must be gone) and
writes only when the note is still that: a note edited or deleted since by someone else
(`earmark note`, another window) is never overwritten; ChangedElsewhereError says so.
"""

from __future__ import annotations

import math
import re

from desktop.core.errors import ChangedElsewhereError, EarmarkError, NotFoundError
from desktop.core.model import Note
from desktop.core.store import Library
from desktop.core.text import clean_text
from desktop.core.timecode import short

__all__ = ["add_note", "delete_note", "edit_note", "notes", "parse_time", "restore_note"]

_CLOCK = re.compile(r"^(?:(\d+):)?(\d+):(\d{1,2}(?:\.\d+)?)$")
_SECONDS = re.compile(r"^\d+(?:\.\d+)?$")


def parse_time(text: str) -> float:
    """Seconds from `m:ss`, `h:mm:ss` (a fraction allowed on the seconds) or plain seconds."""
    value = text.strip()
    if _SECONDS.match(value):
        return float(value)
    match = _CLOCK.match(value)
    if match is None:
        raise EarmarkError(f"{text!r} is not a time; use m:ss, h:mm:ss or seconds (e.g. 12:34)")
    hours, minutes, seconds = match.groups()
    if float(seconds) >= 60 or (hours is not None and int(minutes) >= 60):
        raise EarmarkError(f"{text!r} is not a time: minutes and seconds go up to 59")
    return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)


def notes(library: Library, episode_id: int) -> list[Note]:
    """The episode's notes in time order (notes without a time last)."""
    library.episode(episode_id)
    return library.notes(episode_id)


def add_note(
    library: Library,
    episode_id: int,
    text: str,
    at: float | None = None,
    segment_idx: int | None = None,
) -> Note:
    """Store a note at `at` seconds and/or on segment `segment_idx` (neither: the episode).

    A note with a time but no segment is attached to the segment playing at that time, so
    the window can put its marker there. Errors name the unknown episode or segment, an
    empty text, or a time before the start or past the end of the episode.
    """
    body = _clean(text)
    with library.transaction():
        episode = library.episode(episode_id)
        if segment_idx is not None:
            library.segment(episode_id, segment_idx)  # NotFoundError naming the range
        if at is not None:
            _check_time(library, episode_id, at, episode.duration)
            if segment_idx is None:
                segment_idx = library.segment_at(episode_id, at)
        return library.add_note(episode_id, body, segment_idx=segment_idx, time=at)


def edit_note(library: Library, note_id: int, text: str) -> tuple[Note, Note]:
    """Replace a note's text; returns (before, after)."""
    body = _clean(text)
    with library.transaction():
        before = library.note(note_id)
        return before, library.update_note(note_id, body)


def delete_note(library: Library, note_id: int, *, expected: Note | None = None) -> Note:
    """Remove a note; returns it as it was, for restore_note (undo).

    With `expected` (an undo or redo): only when the note is still that note (text, time
    and segment); else ChangedElsewhereError and nothing is deleted.
    """
    with library.transaction():
        if expected is not None:
            _check_unchanged(library, expected)
        return library.delete_note(note_id)


def restore_note(library: Library, note: Note, *, expected: Note | None) -> Note:
    """Put a deleted note back exactly as it was (same id), or a note's old text back.

    `expected` is what the undo or redo should find: None, a note that is gone (it puts a
    deleted note back); a Note, that note unchanged (it puts its other text back). Anything
    else found is ChangedElsewhereError, and nothing is written.
    """
    with library.transaction():
        if expected is None:
            try:
                library.note(note.id)
            except NotFoundError:
                return library.restore_note(note)
            raise ChangedElsewhereError(
                f"{_named(note)} is back already: it was restored or added elsewhere since"
            )
        _check_unchanged(library, expected)
        return library.update_note(note.id, note.text)


def _check_unchanged(library: Library, expected: Note) -> None:
    try:
        stored = library.note(expected.id)
    except NotFoundError:
        raise ChangedElsewhereError(
            f"{_named(expected)} was deleted elsewhere since (by `earmark note delete`?)"
        ) from None
    if (stored.text, stored.time, stored.segment_idx) != (
        expected.text,
        expected.time,
        expected.segment_idx,
    ):
        raise ChangedElsewhereError(
            f"{_named(expected)} was changed elsewhere since (by `earmark note edit`?)"
        )


def _named(note: Note) -> str:
    text = " ".join(note.text.split())
    text = text if len(text) <= 30 else text[:29].rstrip() + "…"
    return f"the note “{text}”"


def _clean(text: str) -> str:
    # No lone surrogates (sqlite3 cannot store them) and no control characters.
    body = clean_text(text).strip()
    if not body:
        raise EarmarkError("a note needs some text")
    return body


def _check_time(library: Library, episode_id: int, at: float, duration: float | None) -> None:
    if not math.isfinite(at) or at < 0:
        raise EarmarkError(f"a note's time must be 0 or later, not {at}")
    end = max(duration or 0.0, library.last_segment_end(episode_id))
    # Times are typed in whole seconds: allow up to the end's next whole second.
    if end > 0 and at > math.ceil(end):
        raise EarmarkError(
            f"{short(at)} is past the end of episode {episode_id} ({short(math.ceil(end))})"
        )
