"""Use case: podcasts by feed. Subscribe to a feed URL or an OPML file, refresh, list,
remove; export the subscriptions as OPML.

A feed is fetched only when the user asks (subscribe, refresh) and only from the URL they
gave: `fetch` caps its size and its redirects, and takes http and https only. The parsed
feed is stored in one transaction (desktop/core/store/shows.py), so a feed that fails to
download or parse leaves the library as it was and says why in one line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from desktop.core.downloads import DownloadError, fetch
from desktop.core.errors import EarmarkError
from desktop.core.feeds import Feed, FeedError, OpmlFeed, parse_feed, read_opml, write_opml
from desktop.core.feeds.parse import MAX_FEED_BYTES
from desktop.core.model import Show, ShowItem
from desktop.core.store import Library

MAX_FEED_REDIRECTS = 5
# A scheme ("https:", "javascript:"), not a host with its port ("localhost:8080").
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:(?!\d)")
MAX_OPML_BYTES = 4 * 1024 * 1024


@dataclass(slots=True)
class Refreshed:
    """What one feed's refresh did: the show as it now is and its new items, or why not."""

    url: str
    show: Show | None = None
    new: list[ShowItem] = field(default_factory=list)
    error: str | None = None
    added: bool = False  # subscribed by this call

    def line(self, with_id: bool = True) -> str:
        """'#3 Show: subscribed, 12 episodes, 12 new episodes' (the id for the CLI)."""
        if self.error is not None:
            return f"{self.url}: {self.error}"
        assert self.show is not None
        news = f"{len(self.new)} new episode{'s' if len(self.new) != 1 else ''}"
        verb = "subscribed" if self.added else "refreshed"
        name = f"#{self.show.id} {self.show.title}" if with_id else self.show.title
        return f"{name}: {verb}, {self.show.item_count} episodes, {news}"


def feed_url(text: str) -> str:
    """The URL a user typed or pasted, checked: http or https only (a bare host gets
    https://); a feed:// or podcast:// link is the http feed it stands for."""
    url = text.strip()
    for prefix in ("feed://", "podcast://", "pcast://", "itpc://"):
        if url.lower().startswith(prefix):
            url = "https://" + url[len(prefix) :]
    if not _SCHEME.match(url) and not url.startswith("/"):
        url = "https://" + url  # "example.org/feed.xml", "localhost:8080/feed"
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise EarmarkError(f"{text.strip()}: not a feed address; give an http or https URL")
    return url


def download_feed(url: str) -> Feed:
    """Fetch and parse one feed; FeedError or DownloadError naming the URL."""
    fetched = fetch(url, max_bytes=MAX_FEED_BYTES, max_redirects=MAX_FEED_REDIRECTS)
    return parse_feed(fetched.body, url)


def subscribe(library: Library, text: str) -> Refreshed:
    """Subscribe to a feed (a known one is refreshed instead); raises on failure."""
    url = feed_url(text)
    known = library.find_show(url)
    feed = download_feed(url)
    show, new = library.save_feed(feed, known.id if known else None)
    return Refreshed(url, show, new, added=known is None)


def refresh(
    library: Library,
    show_ids: list[int] | None = None,
    on_result: Callable[[Refreshed], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[Refreshed]:
    """Refresh the given shows (all when None), one after another; a feed that fails is
    reported with its reason and its show left as it was, and the others go on."""
    shows = [library.show(i) for i in show_ids] if show_ids else library.shows()
    results = []
    for show in shows:
        if cancelled is not None and cancelled():
            break
        try:
            feed = download_feed(show.feed_url)
            saved, new = library.save_feed(feed, show.id)
            result = Refreshed(show.feed_url, saved, new)
        except (FeedError, DownloadError) as exc:
            result = Refreshed(
                show.feed_url, show, error=str(exc).removeprefix(f"{show.feed_url}: ")
            )
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


def import_opml(
    library: Library, path: Path, on_result: Callable[[Refreshed], None] | None = None
) -> list[Refreshed]:
    """Subscribe to every feed an OPML file lists; each one fetched and reported on its
    own, so one dead feed does not stop the rest."""
    path = Path(path)
    try:
        data = path.read_bytes() if path.stat().st_size <= MAX_OPML_BYTES else None
    except OSError as exc:
        raise EarmarkError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if data is None:
        raise EarmarkError(f"{path}: over {MAX_OPML_BYTES // 1024 // 1024} MB; not an OPML list")
    results = []
    for listed in read_opml(data, str(path)):
        try:
            result = subscribe(library, listed.url)
        except (FeedError, DownloadError, EarmarkError) as exc:
            result = Refreshed(listed.url, error=str(exc).removeprefix(f"{listed.url}: "))
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


def export_opml(library: Library) -> str:
    return write_opml([OpmlFeed(show.title, show.feed_url) for show in library.shows()])


def find_show(library: Library, text: str) -> Show:
    """A show by its id, its feed URL, or a unique part of its title."""
    if text.strip().isdigit():
        return library.show(int(text))
    by_url = library.find_show(text.strip())
    if by_url is not None:
        return by_url
    wanted = text.strip().casefold()
    matches = [s for s in library.shows() if wanted in s.title.casefold()]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise EarmarkError(f"no show matches {text!r}; 'earmark feed list' shows them")
    names = ", ".join(f"#{s.id} {s.title}" for s in matches[:5])
    raise EarmarkError(f"{text!r} matches several shows ({names}); give its id")
