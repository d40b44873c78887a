"""Use case: chapters Earmark makes for an episode that has none (desktop/core/chapters/
made.py), stored marked as made. Chapters the episode came with (a Markdown transcript's
headings, a podcast's chapters file or show notes) are never replaced; nor are those a
reader named, added or moved (desktop/core/chapters/edit.py), each edit one transaction
that returns the chapters before and after it for an undo step."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from desktop.core.chapters import edit
from desktop.core.chapters.made import make_chapters
from desktop.core.errors import ChangedElsewhereError, EarmarkError
from desktop.core.insights.engine import CancelFn, InsightError, ProgressFn
from desktop.core.model import Chapter
from desktop.core.store import Library

if TYPE_CHECKING:
    from desktop.core.insights.llm import ChatInsightEngine


def make_episode_chapters(
    library: Library,
    episode_id: int,
    titler: ChatInsightEngine | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
    say: Callable[[str], None] | None = None,
) -> list[Chapter]:
    """Make and store chapters (replacing chapters made before); refused when the
    episode has chapters of its own or too little transcript to cut. With `titler` (the
    chat model the user chose for insights) each title is the model's where it proves
    itself, else the keyphrase's; `say` hears one line on how that went (a model that
    cannot be reached leaves the keyphrases)."""
    episode = library.episode(episode_id)
    _refuse_over_own(library, episode_id, episode.title)
    segments = library.segments(episode_id)
    chapters = [replace(c, made=True) for c in make_chapters(segments)]
    if not chapters:
        raise EarmarkError(
            f"#{episode.id} {episode.title} is too short to cut into chapters (under 3 "
            "minutes of transcript)"
        )
    told = None
    if titler is not None:
        from desktop.core.insights.llm.chapter_titles import title_chapters

        try:
            titled = title_chapters(titler, episode.title, segments, chapters, progress, cancelled)
        except InsightError as exc:
            told = f"the chapters keep their keyphrase titles: the model did not answer ({exc})"
        else:
            chapters = titled.chapters
            told = (
                f"{titled.by_model} of {len(chapters)} titles written by "
                f"{titler.limits.model} (the rest: keyphrases)"
            )
    with library.transaction():
        _refuse_over_own(library, episode_id, episode.title, meanwhile=True)
        library.set_chapters(episode_id, chapters)
    if told is not None and say is not None:
        say(told)
    return chapters


def titler_from_settings(engine: str | None = None) -> ChatInsightEngine | None:
    """The chat model that titles made chapters: `engine` ("openai", "local"), else the
    insight engine chosen in the settings; None for the extractive engine (keyphrases).
    Raises EarmarkError naming what is missing (no server model, no model file)."""
    from desktop.core.settings import load_settings
    from desktop.services.insights import LLM_ENGINES, llm_engine

    settings = load_settings()
    engine = engine or settings.insight_engine or "extractive"
    if engine not in LLM_ENGINES:
        return None
    if engine == "openai":
        from desktop.services.llm_settings import llm_config

        return llm_engine(engine, llm_config(settings=settings), None)
    from desktop.services.llm_models import local_config

    return llm_engine(engine, None, local_config(settings))


def _refuse_over_own(
    library: Library, episode_id: int, title: str, meanwhile: bool = False
) -> None:
    own = [c for c in library.chapters(episode_id) if not c.made]
    if own and meanwhile:  # added while the chapters were being made
        raise EarmarkError(f"#{episode_id} got chapters of its own meanwhile; kept")
    if own:
        raise EarmarkError(
            f"#{episode_id} {title} has {len(own)} chapters of its own; they are "
            "kept, never replaced by made ones"
        )


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
