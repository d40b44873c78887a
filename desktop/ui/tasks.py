"""The work the window runs in the background, as plain functions of a job context.

No Qt here, on purpose: a ProcessJob's child imports this module to find its work, and
should not pay for (or initialise) Qt to do so.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from desktop.core.errors import EarmarkError
from desktop.core.insights.llm import LLMConfig
from desktop.core.insights.llm.local import LocalModelConfig
from desktop.core.model import Episode
from desktop.core.store import Library
from desktop.services.opening import engine_choice, engine_on, open_path
from desktop.services.retranscription import Retranscribed, retranscribe

if TYPE_CHECKING:
    from desktop.services.feed_episodes import GotEpisode
    from desktop.services.feeds import Refreshed
    from desktop.services.insights import InsightsResult
    from desktop.ui.jobs import JobContext


def open_file(
    context: JobContext, library_path: Path, path: Path, slot: str | None = None
) -> Episode:
    """Import a transcript or transcribe (or resume) media, reporting Progress; on the
    engine of the queue's `slot` (None: the default one)."""
    with Library.open(library_path) as library:
        return open_path(library, path, engine_on(slot), context.report, context.cancel)


def make_insights(
    context: JobContext,
    library_path: Path,
    episode_id: int,
    engine: str,
    llm: LLMConfig | None,
    local: LocalModelConfig | None = None,
) -> InsightsResult:
    """Insights for one episode, reporting InsightProgress (sections made so far too)."""
    from desktop.services.insights import generate_insights  # scikit-learn: ~1 s to load

    with Library.open(library_path) as library:
        return generate_insights(
            library, episode_id, engine, llm, context.report, context.cancelled, local
        )


def retranscribe_episode(
    context: JobContext, library_path: Path, episode_id: int, model: str
) -> Retranscribed:
    """Transcribe an episode again with `model` (a listed name or a folder), reporting
    Progress; the old transcript stays until the new one is complete."""
    choice = engine_choice(model)
    with Library.open(library_path) as library:
        return retranscribe(
            library, episode_id, choice.loader(), choice.options, context.report, context.cancel
        )


def subscribe_feed(context: JobContext, library_path: Path, source: str) -> list[Refreshed]:
    """Subscribe to a feed URL, or to every feed of an OPML file (each reported)."""
    from desktop.services import feeds

    with Library.open(library_path) as library:
        if Path(source).suffix.lower() in (".opml", ".xml") and Path(source).is_file():
            return feeds.import_opml(library, Path(source), context.report)
        return [feeds.subscribe(library, source)]


def refresh_feeds(
    context: JobContext, library_path: Path, show_ids: list[int] | None
) -> list[Refreshed]:
    """Fetch the feeds again, reporting each show as it is done."""
    from desktop.services import feeds

    with Library.open(library_path) as library:
        return feeds.refresh(library, show_ids, context.report, context.cancelled)


def get_feed_item(
    context: JobContext, library_path: Path, item_id: int, slot: str | None = None
) -> GotEpisode:
    """Download a podcast episode and import its transcript or transcribe it, reporting
    DownloadProgress, then Progress."""
    from desktop.services.feed_episodes import get_item

    with Library.open(library_path) as library:
        return get_item(
            library, item_id, engine_on(slot), context.report, context.report, context.cancel
        )


def download_feed_item(context: JobContext, library_path: Path, item_id: int) -> Path:
    """Download a podcast episode's media only (to listen or transcribe later)."""
    from desktop.services.feed_episodes import download_item

    with Library.open(library_path) as library:
        return download_item(library, library.show_item(item_id), context.report, context.cancelled)


def make_chapters(context: JobContext, library_path: Path, episode_id: int) -> list[str]:
    """Chapters made from an episode's transcript (a ProcessJob's work), titled by the
    chat model chosen for insights when there is one; what to tell the reader."""
    from desktop.services.chapters import make_episode_chapters, titler_from_settings

    told: list[str] = []
    try:
        titler = titler_from_settings()
    except EarmarkError as exc:  # the engine chosen is not set up: keyphrases, and why
        titler = None
        told.append(f"chapters titled by keyphrases: {exc}")
    with Library.open(library_path) as library:
        make_episode_chapters(
            library, episode_id, titler, context.report, context.cancelled, told.append
        )
    return told
