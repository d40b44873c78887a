"""What a podcast feed holds, as plain values: no feedparser objects escape this package."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One episode as the feed describes it; every text field is clean plain text.

    `guid` is what identifies the episode across refreshes: the item's <guid>, else its
    enclosure URL, else a SHA-256 of link and title. Every URL is http or https (anything
    else is None): the services fetch them, and a feed must not point them at local files.
    """

    guid: str
    title: str  # never empty: the enclosure's file name, then "Untitled episode"
    published: str | None  # ISO 8601 UTC, seconds precision
    duration: float | None  # seconds, from itunes:duration
    description: str  # show notes as plain text (line breaks kept, no markup)
    enclosure_url: str | None  # None: not downloadable (no enclosure, or not http/https)
    enclosure_type: str | None
    enclosure_length: int | None  # bytes, as the feed claims (often wrong; a hint only)
    transcript_url: str | None  # the best <podcast:transcript> for our importers
    transcript_type: str | None  # its MIME type as the feed gives it
    chapters_url: str | None  # <podcast:chapters>: Podcasting 2.0 JSON chapters
    link: str | None
    season: int | None = None
    number: int | None = None  # itunes:episode


@dataclass(frozen=True, slots=True)
class Feed:
    """A parsed feed: the show and its episodes, newest first (undated ones last)."""

    url: str
    title: str
    link: str | None
    description: str
    author: str | None
    artwork_url: str | None  # itunes:image, else the RSS <image>
    items: list[FeedItem]
    language: str | None = None  # the channel's <language>, as a code: "de" for "de-DE"


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    """One subscription in an OPML file."""

    title: str
    url: str
