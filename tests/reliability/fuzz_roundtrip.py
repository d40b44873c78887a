"""Export, write, import again: what "the same segments" means for each format.

Every format goes through the importers' shared normalisation, so "the same text" is
`collapse(text)` everywhere: control characters dropped, whitespace runs one space, trimmed
(segments left with no text are not exported). Beyond that, per format:

- json: lossless to the millisecond. Times are rounded to 1 ms by the importer; text,
  speaker, title, chapters (start and title) and word timings come back as they were.
- vtt: times to the millisecond, a cue's end at least 1 ms after its start (players need
  end > start). Text exact, `<`, `&` and `-->` included (escaped as entities). A segment's
  speaker comes back exactly (a `<v>` voice tag). A segment without one may come back
  with a speaker when its own text begins with "Name: " in a file that uses such prefixes
  consistently (the captions convention); the line shown, "Name: text", is the same.
  The title comes back from the signature line ("WEBVTT - title"), `-->` written as `->`.
  VTT has no chapters.
- srt: times as for VTT. SubRip has no speaker field and no escaping: the speaker is
  written before the text as "Name: ", `-->` in text as `->`, and tags (`<b>`), ASS
  blocks (`{\\an8}`) and entities (`&amp;`) are markup to every reader, so documents for
  this check hold no `<`, `{` or `&`. Same = each segment comes back, in order, and the
  line shown ("Name: text" or "text") ends with the segment's text; a consistently
  labelled file gives the speakers back, and an unlabelled cue continues the speaker
  before it (the captions convention).
- md: paragraphs join a speaker's consecutive segments and carry whole seconds, so same =
  the title ("Episode <id>" when there is none), every word in order, the sequence of
  speaker turns, and the chapter titles in order (a chapter with no text of its own under
  it gives way to the next one).
- txt: one line per segment, "[hh:mm:ss] Name: text", with no end and no escaping. Same =
  every character of the lines shown, in order, whitespace aside ("so : x" reads as the
  label "so:"), and every segment's start in whole seconds. A line lasts until the next
  one starts, and one lasting over 30 s is split into pieces that each repeat the
  speaker label, so the documents for this check keep lines at most 20 s apart; text
  that a stamped line cannot carry unambiguously (see strategies.unambiguous_line) gets
  a word before it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from desktop.core.errors import TranscriptFormatError
from desktop.core.exporters import render
from desktop.core.exporters.subtitles import cue_times
from desktop.core.importers import load_transcript
from desktop.core.model import EpisodeDocument, Segment, Transcript
from desktop.core.timecode import hms
from tests.reliability.strategies import collapse

ROUND_TRIP_FORMATS = ("json", "vtt", "srt", "md", "txt")
HOLD_CUE_SECONDS = 0.05


def kept(doc: EpisodeDocument) -> list[Segment]:
    """The segments an export carries: those with text left after collapsing."""
    return [s for s in doc.segments if collapse(s.text)]


def cues(doc: EpisodeDocument, voices: bool) -> list[Segment]:
    """The segments a subtitle export carries and its import keeps: YouTube's hold cues
    (<= 50 ms, repeating the cue before word for word, same voice) are left out."""
    found: list[Segment] = []
    before: tuple[str, str | None] | None = None
    for seg in kept(doc):
        start, end = cue_times(seg.start, seg.end)
        speaker, text = collapse(seg.speaker or "") or None, collapse(seg.text)
        # In SubRip the speaker is part of the line, and "-->" is written "->".
        srt_line = (f"{speaker}: {text}" if speaker else text).replace("-->", "->")
        line = (text, speaker) if voices else (srt_line, None)
        if not (end - start <= HOLD_CUE_SECONDS and line == before):
            found.append(seg)
        before = line
    return found


def shown(seg: Segment) -> str:
    """The line a subtitle or text reader shows: "Name: text" or "text"."""
    return f"{seg.speaker}: {seg.text}" if seg.speaker else seg.text


def round_trip(folder: Path, doc: EpisodeDocument, fmt: str) -> Transcript | None:
    """Render, write as UTF-8, import by sniffing; None when the export holds no segment
    (then the import must fail with the documented error)."""
    path = folder / f"episode.{fmt}"
    path.write_text(render(doc, fmt), encoding="utf-8")
    if not kept(doc):
        try:
            load_transcript(path)
        except TranscriptFormatError:
            return None
        raise AssertionError("an export without text imported as a transcript")
    back = load_transcript(path)
    assert back.format == fmt, f"sniffed as {back.format}"
    return back


def check_round_trip(folder: Path, doc: EpisodeDocument, fmt: str) -> None:
    back = round_trip(folder, doc, fmt)
    if back is not None:
        _CHECKS[fmt](doc, back)


def _json(doc: EpisodeDocument, back: Transcript) -> None:
    want = kept(doc)
    assert [(s.start, s.end) for s in back.segments] == [
        (round(s.start, 3), round(s.end, 3)) for s in want
    ]
    assert [s.text for s in back.segments] == [collapse(s.text) for s in want]
    assert [s.speaker for s in back.segments] == [collapse(s.speaker or "") or None for s in want]
    assert [_words(s) for s in back.segments] == [_words(s) for s in want]
    assert back.title == (collapse(doc.episode.title) or None)
    assert [(c.start, c.title) for c in back.chapters] == [
        (c.start, collapse(c.title)) for c in doc.chapters if collapse(c.title)
    ]


def _words(seg: Segment) -> list[tuple[float, float, str]] | None:
    if not seg.words:
        return None
    return [(w.start, w.end, collapse(w.text)) for w in seg.words if collapse(w.text)] or None


def _times(want: list[Segment], back: Transcript) -> None:
    assert [(s.start, s.end) for s in back.segments] == [cue_times(s.start, s.end) for s in want]


def _vtt(doc: EpisodeDocument, back: Transcript) -> None:
    want = cues(doc, voices=True)
    _times(want, back)
    for old, new in zip(want, back.segments, strict=True):
        if old.speaker and collapse(old.speaker):
            assert (new.speaker, new.text) == (collapse(old.speaker), collapse(old.text))
        else:
            assert shown(new).endswith(collapse(old.text)) and new.text in collapse(old.text)
    assert back.title == (collapse(doc.episode.title).replace("-->", "->") or None)


def _srt(doc: EpisodeDocument, back: Transcript) -> None:
    want = cues(doc, voices=False)
    _times(want, back)
    for old, new in zip(want, back.segments, strict=True):
        assert shown(new).endswith(collapse(old.text).replace("-->", "->")), (old, new)


def _txt(doc: EpisodeDocument, back: Transcript) -> None:
    # Text, not segments: a line has only a start, and the importer may split it (up to
    # 30 s, at sentence ends) or read "so : the" as the label "so:" (whitespace aside).
    want = kept(doc)
    assert _unspaced(shown(s) for s in back.segments) == _unspaced(
        shown(Segment(s.start, s.end, collapse(s.text), collapse(s.speaker or ""))) for s in want
    )
    assert {int(s.start) for s in want} <= {int(s.start) for s in back.segments}


def _unspaced(lines: Iterable[str]) -> str:
    return "".join("".join(lines).split())


def _md(doc: EpisodeDocument, back: Transcript) -> None:
    want = kept(doc)
    assert (
        " ".join(s.text for s in back.segments).split()
        == " ".join(collapse(s.text) for s in want).split()
    )
    assert _turns(back.segments) == _turns(want)
    # A page needs a heading: an episode without a title is written as "Episode <id>".
    assert back.title == (collapse(doc.episode.title) or f"Episode {doc.episode.id}")
    _md_chapters(doc, [c.title for c in back.chapters])


def _md_chapters(doc: EpisodeDocument, back: list[str]) -> None:
    """A heading takes the time of the paragraph after it, in whole seconds, and is placed
    before the first segment whose midpoint is at or after the chapter's start: a chapter
    without text of its own under it (the next starts in the same second or segment)
    gives way to the next. So the titles come back in order, none invented, and some
    come back when some chapter has text under it."""
    # A chapter without a title is written with its time as the heading.
    titles = iter(collapse(c.title) or hms(c.start) for c in doc.chapters)
    assert all(title in titles for title in back), "titles in order, none invented"
    middles = [(s.start + s.end) / 2 for s in kept(doc)]
    has_text = any(max(middles) >= c.start for c in doc.chapters)
    assert bool(back) == has_text


def _turns(segments: list[Segment]) -> list[str | None]:
    speakers = [collapse(s.speaker or "") or None for s in segments]
    return [s for i, s in enumerate(speakers) if i == 0 or s != speakers[i - 1]]


_CHECKS = {"json": _json, "vtt": _vtt, "srt": _srt, "md": _md, "txt": _txt}
