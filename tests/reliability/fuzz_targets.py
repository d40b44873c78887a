"""The fuzz targets: one check per component, shared by tests/reliability/test_fuzz_*.py
(a few hundred examples each) and bench/fuzz.py (10,000 each).

A check returns normally when the component did the right thing with the example: a
result that passes its validity checks, or the documented error (TranscriptFormatError
naming the file, EarmarkError, InsightError, PayloadError). Anything else, an assertion
or any other exception, is a bug.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from desktop.core.errors import EarmarkError, TranscriptFormatError
from desktop.core.exporters import render
from desktop.core.importers import load_transcript, parse_transcript
from desktop.core.insights.engine import InsightError, InsightInput, ungrounded_items
from desktop.core.insights.payload import Insights, PayloadError
from desktop.core.model import EpisodeDocument, EpisodeSource, EpisodeStatus, Segment, Transcript
from desktop.core.search import MARK_CLOSE, MARK_OPEN, highlight, search
from desktop.core.store import Library
from tests.reliability.strategies import HOSTILE_PIECES, collapse

SEARCH_PAGE = 50  # search()'s default limit

SEARCH_WORDS = (
    "the", "deep", "learning", "paper", "notebook", "C++", "AT&T", ".NET", "24/7", "self-play",
    "Montréal",
)  # fmt: skip

# -- importers ---------------------------------------------------------------------------------


def check_transcript(transcript: Transcript) -> None:
    """What every importer promises about a Transcript it returns."""
    assert isinstance(transcript, Transcript)
    assert transcript.segments, "a transcript without segments must be an error instead"
    starts = [s.start for s in transcript.segments]
    assert starts == sorted(starts), "segments are in time order"
    for seg in transcript.segments:
        assert math.isfinite(seg.start) and math.isfinite(seg.end)
        assert 0 <= seg.start <= seg.end, (seg.start, seg.end)
        assert seg.text and seg.text == " ".join(seg.text.split()), repr(seg.text)
        assert seg.speaker is None or seg.speaker == " ".join(seg.speaker.split()) != ""
        # Text that SQLite can store: no lone surrogates (sqlite3 refuses to encode them).
        seg.text.encode("utf-8")
    for chapter in transcript.chapters:
        assert math.isfinite(chapter.start) and chapter.start >= 0 and chapter.title
    assert transcript.title is None or transcript.title.strip()


def check_load(folder: Path, name: str, data: bytes) -> None:
    """load_transcript on a file: a valid Transcript or a TranscriptFormatError naming it."""
    path = folder / name
    path.write_bytes(data)
    try:
        transcript = load_transcript(path)
    except TranscriptFormatError as err:
        assert name in str(err), f"the error names the file: {err}"
        return
    check_transcript(transcript)


def check_parse(text: str, fmt: str | None) -> None:
    """parse_transcript on text in memory, with or without a format name."""
    path = Path(f"fuzz.{fmt or 'txt'}")
    try:
        transcript = parse_transcript(text, fmt, path)
    except TranscriptFormatError as err:
        assert path.name in str(err), f"the error names the file: {err}"
        return
    check_transcript(transcript)


# -- search ------------------------------------------------------------------------------------


def check_search(
    library: Library, query: str, episode_id: int | None, rank_cap: int | None
) -> None:
    """Any query string gives hits (or EarmarkError); every hit is a stored row, and its
    snippet, marks removed, is a piece of that row's text."""
    try:
        hits = search(library.conn, query, episode_id=episode_id, rank_cap=rank_cap)
        paged = search(library.conn, query, episode_id=episode_id, rank_cap=rank_cap, offset=1)
    except EarmarkError:
        return
    # The next page starts one hit later: it drops the first hit and nothing else, and when
    # this page is full it may bring one hit more (the 51st), never more than a page.
    assert len(hits) <= SEARCH_PAGE and len(paged) <= SEARCH_PAGE
    assert paged[: len(hits) - 1] == hits[1:], "paging drops the first hit and nothing else"
    assert len(paged) == max(0, len(hits) - 1) or len(hits) == SEARCH_PAGE, (len(hits), len(paged))
    for hit in hits:
        assert episode_id is None or hit.episode_id == episode_id
        assert hit.snippet.count(MARK_OPEN) == hit.snippet.count(MARK_CLOSE)
        # FTS5's snippet() leaves out control characters between tokens: compare without.
        plain = collapse(highlight(hit.snippet, "", "").strip("…"))
        assert plain in collapse(hit.text), (plain, hit.text)


# -- exporters ---------------------------------------------------------------------------------

EXPORT_FORMATS = ("md", "srt", "vtt", "txt", "json")


def check_render(doc: EpisodeDocument) -> None:
    """Every exporter renders any document to text that is well-formed for its format."""
    for fmt in EXPORT_FORMATS:
        text = render(doc, fmt)
        assert isinstance(text, str)
        if fmt == "json":
            assert json.loads(text)["segments"] is not None
        if fmt == "vtt":
            assert text.startswith("WEBVTT") and "\n" not in text.split("\n\n")[0].strip("\n")
        if fmt in ("srt", "vtt"):
            # A cue's text never holds a timing arrow or a blank line (both end a cue).
            for block in text.split("\n\n")[1 if fmt == "vtt" else 0 :]:
                assert block.count("-->") <= 1, block


# -- insights ----------------------------------------------------------------------------------


def check_insights(insights: Insights, source: InsightInput) -> None:
    """A payload an engine may hand back: grounded, storable, and stable through JSON."""
    assert isinstance(insights, Insights)
    # Empty is allowed (the extractive engine finds no sentence that stands on its own in
    # noise); the exporters leave such sections out.
    assert isinstance(insights.tldr, str) and isinstance(insights.summary, str)
    assert not ungrounded_items(insights, source.segments)
    stored = json.loads(json.dumps(insights.to_dict(), allow_nan=False))
    assert Insights.from_dict(stored) == insights


def check_payload(value: object) -> None:
    """Insights.from_dict on any JSON value: an Insights that survives JSON, or PayloadError."""
    try:
        insights = Insights.from_dict(value)
    except PayloadError:
        return
    assert all(isinstance(v, str) for v in (insights.tldr, insights.summary, insights.engine))
    assert all(v is None or isinstance(v, str) for v in (insights.model, insights.created))
    assert isinstance(insights.version, int)
    for item in [*insights.key_insights, *insights.qa, *insights.takeaways]:
        assert math.isfinite(item.start) and item.start >= 0, item.start
    stored = json.loads(json.dumps(insights.to_dict(), allow_nan=False))
    assert Insights.from_dict(stored) == insights


def generate_or_error(engine: object, source: InsightInput, answerable: bool) -> None:
    """engine.generate: a valid payload or InsightError, never anything else; and for an
    `answerable` input (a transcript with sentences to take, a well-formed server reply) a
    payload: an engine that gives up on everything must not pass."""
    try:
        insights = engine.generate(source)  # type: ignore[attr-defined]
    except InsightError as err:
        assert not answerable, f"an answerable input failed: {err}"
        assert str(err).strip(), "the error says what went wrong"
        return
    check_insights(insights, source)
    if answerable:
        assert insights.tldr or insights.summary or insights.key_insights or insights.takeaways


def populate(library: Library) -> list[int]:
    """Two episodes whose rows and notes hold words, symbols and hostile fragments (no
    lone surrogates: the store never holds them); returns the episode ids."""
    words = SEARCH_WORDS
    pieces = [p for p in HOSTILE_PIECES if p.isprintable() or p.strip()]
    ids = []
    for n in range(2):
        title = f"Episode {n} <b>&"
        episode = library.create_episode(title, EpisodeSource.IMPORTED, EpisodeStatus.DONE)
        texts = [
            f"{words[i % len(words)]} {pieces[(i * 7 + n) % len(pieces)]} {words[i * 3 % 11]}"
            for i in range(60)
        ]
        rows = [Segment(i * 2.0, i * 2.0 + 1.5, text) for i, text in enumerate(texts)]
        library.append_segments(episode.id, rows)
        for i in range(0, 60, 12):
            note = f"note {texts[i]} {pieces[i % len(pieces)]}"
            library.add_note(episode.id, note, segment_idx=i, time=i * 2.0)
        ids.append(episode.id)
    return ids


def llm_source(segments: int = 6) -> InsightInput:
    """A short interview for the LLM engine: segment ids 0..segments-1."""
    lines = [
        Segment(10.0 * i + 0.5, 10.0 * i + 9.5, f"Line {i}: notebooks help people think.")
        for i in range(segments)
    ]
    for i, line in enumerate(lines):
        line.speaker = "Host" if i % 2 else "Guest"
    return InsightInput(title="Back to paper", segments=lines)
