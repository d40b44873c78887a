"""Hypothesis strategies shared by the fuzz tests (tests/reliability/test_fuzz_*.py) and
bench/fuzz.py: hostile transcript text, ordered segments, whole episode documents, raw and
mutated transcript files, search queries (LLM replies and stored insight payloads are in
strategies_insights.py).

Hostile means what real files and people produce and parsers trip over: HTML and Qt
rich-text tags, Markdown and subtitle syntax, YAML front-matter fences, bidi marks,
NUL and other control characters, lone surrogates, very long lines.
"""

from __future__ import annotations

import codecs
import re
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from desktop.core.insights.payload import Insights, KeyInsight, QuestionAnswer, Takeaway
from desktop.core.model import (
    Chapter,
    Episode,
    EpisodeDocument,
    EpisodeSource,
    EpisodeStatus,
    Note,
    Segment,
    Word,
)

ROOT = Path(__file__).resolve().parents[2]
IMPORTER_DATA = ROOT / "tests" / "data" / "importers"
CORPUS_TRANSCRIPTS = ROOT.parent / "shared" / "corpus" / "transcripts"
SEED_SUFFIXES = (".srt", ".vtt", ".json", ".txt", ".md")
# A window of a big seed file: parsing 120 KB per example would make 10,000 examples slow,
# and the bugs live in local structure, not in the file's length.
SEED_WINDOW = 3000


def fuzz_settings(examples: int) -> settings:
    """Settings for a fuzz test in the suite: no deadline and no speed health checks (the
    machine may be busy; wall-clock limits make flaky tests), fixtures shared by examples
    (each check only reads them, or overwrites the one file it writes)."""
    relaxed = [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ]
    return settings(max_examples=examples, deadline=None, suppress_health_check=relaxed)


# -- text ---------------------------------------------------------------------------------

# Fragments each parser or renderer gives meaning to, plus characters that break naive code.
HOSTILE_PIECES: tuple[str, ...] = (
    "<b>", "</b>", "<i>", "<u>", "<font color=\"red\">", "</font>", "<v Bob>", "</v>",
    "<c.yellow>", "<00:00:01.000>", "<ruby>", "<qt>", "<html><body>", "<br/>", "<p style=x>",
    "<script>x</script>", "<!-- note -->", "&amp;", "&lt;", "&gt;", "&nbsp;", "&#0;", "&#x1F600;",
    "*", "**", "_", "__", "`", "```", "#", "# ", "## ", "### ", "[x](y)", "![i](j)", "[[link]]",
    ">", "> ", "- ", "+ ", "1. ", "2) ", "|", "\\", "\\*", "$", "$$", "==", "~~", "%%", " ^ref",
    "---", "\n---\n", "---\ntitle: x\n---\n", "title: \"x\"", "...", "{{ liquid }}",
    "{% raw %}", "{\\an8}", "-->", " --> ", "->", "00:00:01,000", "00:01.500", "1:02:03",
    "[00:01]", "(12:34)", "[1:05](https://x)", "**Host:**", "Speaker 1:", "Host: ", ":",
    "WEBVTT", "NOTE", "STYLE", "REGION", "\n\n", "\n", "\r\n", "\r", "\t", " ", "  ",
    "\u200f", "\u200e", "\u202e", "\u2066", "\u2069", "\u061c", "\u200b", "\u00a0", "\u2028",
    "\u2029", "\u0085", "\ufeff", "\x00", "\x01", "\x07", "\x1b", "\x1c", "\x7f", "\x9b",
    "e\u0301", "\U0001f600", "\U0001f469\u200d\U0001f4bb", "مرحبا", "שלום", "日本語", "İ", "ß",
    "{", "}", "[", "]", "\"", "'", "1e999", "NaN", "-0",
)  # fmt: skip
LONG_LINE = "word " * 1200  # a 6,000-character line with no newline
WORDS = st.sampled_from(
    ("the", "a", "deep", "learning", "paper", "notebook", "slowly", "think", "why", "because",
     "we", "you", "said", "yes", "no", "Bob", "Alice", "C++", "AT&T", ".NET", "24/7",
     "self-play", "Montréal", "naïve", "café", "100%", "e-mail")
)  # fmt: skip


def _characters(surrogates: bool) -> st.SearchStrategy[str]:
    # Hypothesis leaves out surrogates (category Cs) unless asked; everything else is in.
    excluded = () if surrogates else ("Cs",)
    return st.characters(exclude_categories=excluded)


def hostile_text(max_pieces: int = 30, surrogates: bool = False) -> st.SearchStrategy[str]:
    """Any text: arbitrary characters, hostile fragments, real words and long lines mixed."""
    piece = st.one_of(
        st.sampled_from(HOSTILE_PIECES),
        WORDS,
        st.text(_characters(surrogates), max_size=12),
        st.just(" "),
    )
    return st.one_of(
        st.text(_characters(surrogates), max_size=200),
        st.lists(piece, max_size=max_pieces).map("".join),
        st.lists(piece, max_size=5).map(lambda parts: "".join(parts) + LONG_LINE),
    )


def spoken_text(max_words: int = 14) -> st.SearchStrategy[str]:
    """Ordinary transcript text with hostile fragments here and there (never empty)."""
    token = st.one_of(WORDS, WORDS, WORDS, st.sampled_from(HOSTILE_PIECES))
    return st.lists(token, min_size=1, max_size=max_words).map(" ".join)


def collapse(text: str) -> str:
    """What "the same text" means after a round trip: control characters dropped (no
    export format can carry NUL or ESC; exporters drop them), then every whitespace run
    one space, no space at either end (importers normalise whitespace)."""
    kept = "".join(ch for ch in text if ch.isspace() or not _is_control(ch))
    return " ".join(kept.split())


def _is_control(ch: str) -> bool:
    return ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0


def sentences(max_sentences: int = 6) -> st.SearchStrategy[str]:
    """Speech-like text: sentences ending in `.`, `?` or `!` (questions reach Q&A paths)."""
    sentence = st.tuples(spoken_text(12), st.sampled_from([".", "?", "!", "", "..."])).map("".join)
    return st.lists(sentence, min_size=1, max_size=max_sentences).map(" ".join)


def without_markup(text: str) -> str:
    """Text SubRip can carry literally: no `<`, `{` or `&` (tags, ASS blocks and entities
    are markup to every SRT reader, and SRT has no escaping)."""
    return text.replace("<", "‹").replace("{", "(").replace("&", "+")


def unambiguous_line(text: str) -> str:
    """Text a plain-text line "[00:01:02] text" can carry as it is. Plain text has no
    escaping: after a stamp, `**Name:**` is a Markdown label (the file a Markdown
    transcript), and ":", "- " or "| " is the separator some tools write. Such text gets a
    word before it. And a line lasts until the next one starts: one lasting over 30 s is
    split into pieces that each repeat the speaker label, so no line is left empty (an
    empty segment is not exported), keeping lines at most 20 s apart."""
    line = collapse(text)
    ambiguous = line.startswith(("**", "__", ":")) or re.match(r"[-–—|](?:\s|$)", line)
    return f"so {text}" if ambiguous or not line else text


# -- segments and documents ----------------------------------------------------------------

SPEAKERS = st.sampled_from(
    ["Host", "Guest", "Dr. Ada Lovelace", "O'Brien", "Speaker 1", "مُضيف", "Bob <b>", "A*B", "x:y"]
)


@st.composite
def segments(
    draw: st.DrawFn,
    text: st.SearchStrategy[str] | None = None,
    min_size: int = 1,
    max_size: int = 12,
    max_seconds: float = 30.0,
    words: bool = True,
) -> list[Segment]:
    """Segments in time order; each lasts 0..max_seconds (30 s: importers split longer cues)."""
    text = text if text is not None else spoken_text()
    count = draw(st.integers(min_size, max_size))
    speakers = draw(st.sampled_from(["none", "one", "many"]))
    clock = draw(st.floats(0, 36_000, allow_nan=False))
    found: list[Segment] = []
    for _ in range(count):
        clock += draw(st.floats(0, 20, allow_nan=False))  # a pause
        duration = draw(st.floats(0, max_seconds, allow_nan=False))
        body = draw(text)
        speaker = (
            None
            if speakers == "none"
            else draw(SPEAKERS if speakers == "many" else st.just("Host"))
        )
        timed = draw(st.booleans()) if words else False
        found.append(
            Segment(
                clock,
                clock + duration,
                body,
                speaker,
                _words(clock, duration, body) if timed else None,
            )
        )
    return found


def _words(start: float, duration: float, text: str) -> list[Word] | None:
    tokens = text.split()
    if not tokens or len(tokens) > 60:  # a real segment has a few dozen words at most
        return None
    step = duration / len(tokens)
    return [Word(start + i * step, start + (i + 1) * step, t, 0.9) for i, t in enumerate(tokens)]


def episode(title: str, duration: float) -> Episode:
    return Episode(
        id=1,
        title=title,
        status=EpisodeStatus.DONE,
        source=EpisodeSource.IMPORTED,
        created="2024-01-01T00:00:00+00:00",
        updated="2024-01-01T00:00:00+00:00",
        duration=duration,
        language="en",
    )


@st.composite
def documents(
    draw: st.DrawFn,
    text: st.SearchStrategy[str] | None = None,
    title: st.SearchStrategy[str] | None = None,
    max_segments: int = 12,
    extras: bool = True,
) -> EpisodeDocument:
    """A whole episode as the exporters see it: title, segments, chapters, notes, insights."""
    segs = draw(segments(text=text, max_size=max_segments))
    starts = [s.start for s in segs]
    doc = EpisodeDocument(
        episode=episode(
            draw(title if title is not None else hostile_text(8)), max(s.end for s in segs)
        ),
        segments=segs,
    )
    if not extras:
        return doc
    chapter_starts = sorted(set(draw(st.lists(st.sampled_from(starts), max_size=3))))
    doc.chapters = [Chapter(t, draw(spoken_text(5))) for t in chapter_starts]
    doc.notes = [
        Note(n, 1, draw(hostile_text(6)), "2024-01-01T00:00:00+00:00", i, segs[i].start)
        for n, i in enumerate(draw(st.lists(st.integers(0, len(segs) - 1), max_size=3)), 1)
    ]
    if draw(st.booleans()):
        doc.insights = draw(insights(starts))
    return doc


def insights(starts: list[float]) -> st.SearchStrategy[Insights]:
    line = hostile_text(6)
    start = st.sampled_from(starts)
    return st.builds(
        Insights,
        tldr=line,
        summary=line,
        engine=st.sampled_from(["extractive", "openai"]),
        model=st.none() | st.just("m"),
        key_insights=st.lists(st.builds(KeyInsight, line, line, line, start), max_size=3),
        qa=st.lists(st.builds(QuestionAnswer, line, line, start), max_size=2),
        takeaways=st.lists(st.builds(Takeaway, line, start), max_size=2),
    )


@st.composite
def wild_documents(draw: st.DrawFn) -> EpisodeDocument:
    """Documents no importer would produce but a damaged or hand-edited library might hold:
    any times (NaN, infinite, negative, out of order), lone surrogates in the text."""
    doc = draw(
        documents(text=hostile_text(10, surrogates=True), title=hostile_text(6, surrogates=True))
    )
    times = st.floats() | st.floats(-1e12, 1e12)
    for seg in doc.segments:
        seg.start, seg.end = draw(times), draw(times)
    doc.chapters = [Chapter(draw(times), c.title) for c in doc.chapters]
    return doc


def round_trip_documents(fmt: str) -> st.SearchStrategy[EpisodeDocument]:
    """Documents as the store holds them (no lone surrogates), with text each format can
    carry (see fuzz_roundtrip's docstring for what each one cannot)."""
    text = spoken_text()
    title = hostile_text(8)
    if fmt == "srt":
        text, title = text.map(without_markup), title.map(without_markup)
    if fmt == "txt":
        text = text.map(unambiguous_line)
    return documents(text=text, title=title)


# -- transcript files ------------------------------------------------------------------------


@cache
def seed_files() -> tuple[tuple[str, bytes], ...]:
    """(name, bytes) of every real transcript in tests/data/importers and the corpus."""
    paths = sorted(p for p in IMPORTER_DATA.iterdir() if p.suffix in SEED_SUFFIXES)
    if CORPUS_TRANSCRIPTS.is_dir():
        paths += sorted(p for p in CORPUS_TRANSCRIPTS.rglob("*") if p.suffix in SEED_SUFFIXES)
    return tuple((p.name, p.read_bytes()) for p in paths)


ENCODINGS = (
    "utf-8",
    "utf-8-sig",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "utf-32",
    "latin-1",
    "cp1252",
)


@st.composite
def _mutation(draw: st.DrawFn, data: bytes) -> bytes:
    kind = draw(
        st.sampled_from(["truncate", "flip", "insert", "delete", "duplicate", "encoding", "bom"])
    )
    lines = data.split(b"\n")
    where = draw(st.integers(0, max(0, len(data) - 1)))
    line_no = draw(st.integers(0, max(0, len(lines) - 1)))
    if kind == "truncate":
        return data[:where]
    if kind == "flip":
        return data[:where] + bytes([draw(st.integers(0, 255))]) + data[where + 1 :]
    if kind == "insert":
        piece = draw(hostile_text(6)).encode("utf-8", "surrogatepass")
        return b"\n".join([*lines[:line_no], piece, *lines[line_no:]])
    if kind == "delete":
        return b"\n".join(lines[:line_no] + lines[line_no + 1 :])
    if kind == "duplicate":
        return b"\n".join(lines[: line_no + 1] + lines[line_no:])
    if kind == "bom":
        bom = draw(st.sampled_from([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF32_BE]))
        return bom + data
    codec = draw(st.sampled_from(ENCODINGS))
    return data.decode("utf-8", "replace").encode(codec, "replace")


@st.composite
def mutated_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """(file name, bytes): a real transcript (a window of a big one), mutated 0-3 times."""
    name, data = draw(st.sampled_from(seed_files()))
    if len(data) > SEED_WINDOW:
        lines = data.split(b"\n")
        first = draw(st.integers(0, len(lines) - 1))
        data = b"\n".join(lines[first:])[:SEED_WINDOW]
    for _ in range(draw(st.integers(0, 3))):
        data = draw(_mutation(data))
    return name, data


def raw_files() -> st.SearchStrategy[tuple[str, bytes]]:
    """(file name, bytes): arbitrary bytes, or hostile text in some encoding, any suffix."""
    name = st.sampled_from(["x.srt", "x.vtt", "x.json", "x.txt", "x.md", "x.markdown"])
    text_bytes = st.builds(
        lambda text, codec: text.encode(codec, "replace"),
        hostile_text(40, surrogates=True),
        st.sampled_from(ENCODINGS),
    )
    return st.tuples(name, st.one_of(st.binary(max_size=800), text_bytes))


# -- search -----------------------------------------------------------------------------------

QUERY_SYNTAX = st.sampled_from(
    ['"', "*", "-", "(", ")", "^", ":", "+", "AND", "OR", "NOT", "NEAR", "NEAR(", " ", "'",
     "col:", "{", "}", "\\", "%", "_", "\x00", "\ud800", "\udcff", "C++", "C#", ".NET", "AT&T"]
)  # fmt: skip


def queries() -> st.SearchStrategy[str]:
    """Query strings: FTS5 and Earmark syntax, real words, anything (lone surrogates too:
    `earmark search` gets undecodable argv bytes as surrogate escapes)."""
    piece = st.one_of(QUERY_SYNTAX, WORDS, st.text(_characters(True), max_size=6))
    return st.one_of(
        st.text(_characters(True), max_size=60),
        st.lists(piece, max_size=12).map(" ".join),
        st.lists(piece, max_size=12).map("".join),
    )
