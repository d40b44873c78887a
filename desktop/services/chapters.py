"""Use case: chapters Earmark makes for an episode that has none (desktop/core/chapters/
made.py), stored marked as made. Chapters the episode came with (a Markdown transcript's
headings, a podcast's chapters file or show notes) are never replaced."""

from __future__ import annotations

from dataclasses import replace

from desktop.core.chapters.made import make_chapters
from desktop.core.errors import EarmarkError
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
