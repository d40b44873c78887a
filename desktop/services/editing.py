"""Use cases: correcting what the recogniser got wrong, and naming speakers.

Every change is one transaction, and the segments' FTS5 index follows through its update
trigger, so a search right after an edit finds the new words and not the old ones.

Undo and redo: edit_segment returns (before, after) as full Segment values (text, words,
edited flag); restore_segment(library, episode_id, idx, before, expected=after) undoes the
edit exactly and restore_segment(..., after, expected=before) redoes it. rename_speaker
returns the indices it renamed, read in the transaction that renames them; undo is
set_speaker(library, episode_id, those indices, old, expected=new), redo rename_speaker
again. An undo or redo writes only when the rows are still what the program left there
(`expected`): a change made since by someone else (`earmark edit` in a terminal, another
window) is never overwritten; ChangedElsewhereError says which rows, and nothing is written.

Word timings after an edit: the old words and the new text's tokens (split on whitespace)
are compared after normalising both (case folded, punctuation and accents dropped) with
difflib.SequenceMatcher. A word whose token is still there, in order, keeps its timing
(its text becomes the token as now typed, e.g. with a corrected capital or comma); words
that were changed, removed or added have no timing. No surviving word: no word timings.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

from desktop.core.errors import ChangedElsewhereError, EarmarkError
from desktop.core.model import Segment, Word
from desktop.core.store import Library
from desktop.core.text import clean_line

__all__ = [
    "align_words",
    "edit_segment",
    "rename_speaker",
    "restore_segment",
    "set_speaker",
    "speaker_segments",
    "speakers",
]

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def edit_segment(library: Library, episode_id: int, idx: int, text: str) -> tuple[Segment, Segment]:
    """Correct segment `idx`'s text; returns (before, after).

    Times and speaker stay; whitespace runs become single spaces; the segment is marked
    edited and keeps the word timings of the words that did not change. The same text
    again changes nothing (and does not mark the segment edited).
    """
    new_text = clean_line(text)  # also no lone surrogates or control characters
    if not new_text:
        raise EarmarkError(
            f"the new text of segment {idx} of episode {episode_id} is empty; "
            "a segment needs some text"
        )
    with library.transaction():
        before = library.segment(episode_id, idx)
        if new_text == before.text:
            return before, before
        words = align_words(before.words, new_text)
        after = library.update_segment(episode_id, idx, new_text, words, edited=True)
    return before, after


def restore_segment(
    library: Library, episode_id: int, idx: int, segment: Segment, *, expected: Segment
) -> Segment:
    """Write `segment`'s text, words and edited flag back to segment `idx` (undo/redo).

    Only when the stored row still has `expected`'s text and times (what the edit being
    undone or redone left there); else ChangedElsewhereError, and nothing is written.
    """
    if not segment.text.strip():
        raise EarmarkError(f"cannot restore segment {idx} of episode {episode_id}: no text")
    with library.transaction():
        stored = library.segment(episode_id, idx)
        if (stored.text, stored.start, stored.end) != (expected.text, expected.start, expected.end):
            raise ChangedElsewhereError(
                f"segment {idx} was changed elsewhere since (by `earmark edit`?)"
            )
        return library.update_segment(episode_id, idx, segment.text, segment.words, segment.edited)


def rename_speaker(library: Library, episode_id: int, old: str, new: str) -> list[int]:
    """Every segment of the episode spoken by `old` is now spoken by `new`.

    Returns the indices of the segments renamed, read in the same transaction that renames
    them (so a write by another process cannot slip in between: an undo gives exactly these
    rows their old name back). Renaming to a name already used merges the two.
    """
    name = clean_line(new)
    if not name:
        raise EarmarkError("a speaker needs a name")
    with library.transaction():
        library.episode(episode_id)
        speakers = [s for s, _ in library.speakers(episode_id)]
        if old not in speakers:
            known = ", ".join(repr(s) for s in speakers) or "none"
            raise EarmarkError(
                f"no segment of episode {episode_id} is spoken by {old!r} (speakers: {known})"
            )
        if name == old:
            return []
        indices = library.segments_with_speaker(episode_id, old)
        library.set_speaker(episode_id, indices, name)
        return indices


def speakers(library: Library, episode_id: int) -> list[tuple[str, int]]:
    """The episode's speakers with their number of segments, in order of first appearance."""
    library.episode(episode_id)
    return library.speakers(episode_id)


def speaker_segments(library: Library, episode_id: int, speaker: str | None) -> list[int]:
    """Indices of the segments spoken by `speaker` (None: segments without a speaker)."""
    library.episode(episode_id)
    return library.segments_with_speaker(episode_id, speaker)


def set_speaker(
    library: Library,
    episode_id: int,
    indices: Iterable[int],
    speaker: str | None,
    *,
    expected: str | None,
) -> int:
    """Give exactly these segments this speaker (None: no speaker); how many changed.

    The undo of rename_speaker: set_speaker(library, id, renamed, old, expected=new). Only
    when every one of those segments is still spoken by `expected` (as stored: spaces
    tidied); else ChangedElsewhereError naming the rows, and nothing is written.
    """
    rows = list(indices)
    want = clean_line(expected) if expected is not None else None
    with library.transaction():
        library.episode(episode_id)
        still = set(library.segments_with_speaker(episode_id, want))
        changed = [i for i in rows if i not in still]
        if changed:
            shown = ", ".join(str(i) for i in changed[:5]) + (", …" if len(changed) > 5 else "")
            which = f"segment {shown} was" if len(changed) == 1 else f"segments {shown} were"
            raise ChangedElsewhereError(
                f"{which} given another speaker elsewhere since (by `earmark speaker rename`?)"
            )
        return library.set_speaker(episode_id, rows, speaker)


def align_words(words: list[Word] | None, text: str) -> list[Word] | None:
    """The old word timings that still fit `text` (see the module's docstring)."""
    if not words:
        return None
    tokens = text.split()
    old = [_norm(w.text) for w in words]
    new = [_norm(t) for t in tokens]
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    kept: list[Word] = []
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            word = words[block.a + k]
            if not old[block.a + k]:
                continue  # punctuation on its own carries no timing worth keeping
            token = tokens[block.b + k]
            if word.text.strip() != token:
                lead = word.text[: len(word.text) - len(word.text.lstrip())]
                word = Word(word.start, word.end, lead + token, word.probability)
            kept.append(word)
    return kept or None


def _norm(token: str) -> str:
    folded = unicodedata.normalize("NFKD", token.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _NON_WORD.sub("", folded)
