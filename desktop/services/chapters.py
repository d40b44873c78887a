"""Use case: chapters Earmark makes for an episode that has none (desktop/core/chapters/
made.py), stored marked as made. Chapters the episode came with (a Markdown transcript's
headings, a podcast's chapters file or show notes) are never replaced; nor are those a
reader named, added or moved (desktop/core/chapters/edit.py), each edit one transaction
that returns the chapters before and after it for an undo step."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from desktop.core.chapters import edit
from desktop.core.chapters.made import make_chapters
from desktop.core.errors import ChangedElsewhereError, EarmarkError
from desktop.core.model import Chapter
from desktop.core.store import Library


def make_episode_chapters(library: Library, episode_id: int) -> list[Chapter]:
    """Make and store chapters (replacing chapters made before); refused when the
    episode has chapters of its own or too little transcript to cut."""
    episode = library.episode(episode_id)
    own = [c for c in library.chapters(episode_id) if not c.made]
    if own:
        raise EarmarkError(
            f"#{episode.id} {episode.title} has {len(own)} chapters of its own; they are "
            "kept, never replaced by made ones"
        )
    chapters = [replace(c, made=True) for c in make_chapters(library.segments(episode_id))]
    if not chapters:
        raise EarmarkError(
            f"#{episode.id} {episode.title} is too short to cut into chapters (under 3 "
            "minutes of transcript)"
        )
    with library.transaction():
        if any(not c.made for c in library.chapters(episode_id)):  # added meanwhile
            raise EarmarkError(f"#{episode.id} got chapters of its own meanwhile; kept")
        library.set_chapters(episode_id, chapters)
    return chapters


# --- a reader's edits: each returns the chapters (before, after) for one undo step ------


def rename_chapter(
    library: Library, episode_id: int, number: int, title: str
) -> tuple[list[Chapter], list[Chapter]]:
    return _change(library, episode_id, lambda cs, _d: edit.renamed(cs, number, title))


def add_chapter(
    library: Library, episode_id: int, start: float, title: str
) -> tuple[list[Chapter], list[Chapter]]:
    return _change(library, episode_id, lambda cs, d: edit.added(cs, start, title, d))


def delete_chapter(
    library: Library, episode_id: int, number: int
) -> tuple[list[Chapter], list[Chapter]]:
    return _change(library, episode_id, lambda cs, _d: edit.deleted(cs, number))


def move_chapter(
    library: Library, episode_id: int, number: int, start: float
) -> tuple[list[Chapter], list[Chapter]]:
    return _change(library, episode_id, lambda cs, d: edit.moved(cs, number, start, d))


def restore_chapters(
    library: Library, episode_id: int, chapters: list[Chapter], expected: list[Chapter]
) -> list[Chapter]:
    """Put `chapters` back (an undo or redo) only when the episode still has `expected`,
    what the step being undone left; else ChangedElsewhereError and nothing is written."""
    with library.transaction():
        episode = library.episode(episode_id)
        if library.chapters(episode_id) != sorted(expected, key=lambda c: c.start):
            raise ChangedElsewhereError(
                f"the chapters of “{episode.title}” were changed elsewhere since"
            )
        library.set_chapters(episode_id, chapters)
    return chapters


def _change(
    library: Library,
    episode_id: int,
    change: Callable[[list[Chapter], float | None], list[Chapter]],
) -> tuple[list[Chapter], list[Chapter]]:
    """Read, change and write the chapters in one transaction."""
    with library.transaction():
        episode = library.episode(episode_id)
        before = library.chapters(episode_id)
        after = change(before, episode.duration)
        library.set_chapters(episode_id, after)
    return before, after
