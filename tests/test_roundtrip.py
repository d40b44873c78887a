"""Export then import again: each format keeps what it can carry."""

from __future__ import annotations

import pytest

from desktop.core.exporters import FORMATS, render
from desktop.core.importers import parse_transcript
from desktop.core.insights import Insights, KeyInsight, QuestionAnswer, Takeaway
from desktop.core.model import Chapter, EpisodeDocument
from desktop.core.store import Library
from desktop.services.editing import edit_segment
from desktop.services.importing import import_transcript
from tests.conftest import DATA, SAMPLE_VTT

CORPUS_VTT = DATA / "importers" / "9EN_HoEk3KY.vtt"


@pytest.fixture(params=[SAMPLE_VTT, CORPUS_VTT], ids=["sample", "corpus"])
def document(request, library: Library) -> EpisodeDocument:
    episode = import_transcript(library, request.param).episode
    library.set_chapters(episode.id, [Chapter(0.0, "Opening"), Chapter(60.0, "Middle part")])
    library.add_note(episode.id, "remember this", segment_idx=2, time=20.0)
    edit_segment(library, episode.id, 4, "A corrected line, as a person typed it.")
    segments = library.segments(episode.id)
    library.save_insights(
        episode.id,
        Insights(
            tldr="A short talk.",
            summary="It covers things.",
            engine="extractive",
            key_insights=[KeyInsight("💡", "Idea", "One idea.", segments[1].start)],
            qa=[QuestionAnswer("Why?", "Because.", segments[3].start)],
            takeaways=[Takeaway("Do it.", segments[5].start)],
        ),
    )
    return library.document(episode.id)


def _words(text: str) -> list[str]:
    return text.split()


def test_json_is_lossless(document: EpisodeDocument) -> None:
    back = parse_transcript(render(document, "json"), "json")
    assert [s.edited for s in back.segments].count(True) == 1  # the correction says so
    assert back.segments == document.segments
    assert back.chapters == document.chapters
    assert back.title == document.episode.title


def test_vtt_keeps_times_speakers_text_and_title(document: EpisodeDocument) -> None:
    back = parse_transcript(render(document, "vtt"), "vtt")
    assert back.title == document.episode.title
    assert [(s.start, s.text, s.speaker) for s in back.segments] == [
        (round(s.start, 3), s.text, s.speaker) for s in document.segments
    ]


def test_srt_keeps_times_and_text(document: EpisodeDocument) -> None:
    back = parse_transcript(render(document, "srt"), "srt")
    assert len(back.segments) == len(document.segments)
    for old, new in zip(document.segments, back.segments, strict=True):
        assert new.start == round(old.start, 3)
        assert new.text.endswith(old.text)  # a speaker, when set, is written before the text


def test_txt_keeps_seconds_speakers_and_text(document: EpisodeDocument) -> None:
    back = parse_transcript(render(document, "txt"), "txt")
    assert [(int(s.start), s.speaker, s.text) for s in back.segments] == [
        (int(s.start), s.speaker, s.text) for s in document.segments
    ]


def test_markdown_keeps_every_word_turns_and_chapters(document: EpisodeDocument) -> None:
    markdown = render(document, "md")
    for heading in (
        "## TL;DR",
        "## Key Insights",
        "## Questions & Answers",
        "## Summary",
        "## Key Takeaways",
        "## Notes",
        "## Transcript",
        "### Middle part",
    ):
        assert heading in markdown
    back = parse_transcript(markdown, "md")
    assert back.title == document.episode.title
    assert _words(" ".join(s.text for s in back.segments)) == _words(
        " ".join(s.text for s in document.segments)
    )
    turns = [s.speaker for s in document.segments]
    back_turns = [s.speaker for s in back.segments]
    assert [t for i, t in enumerate(turns) if i == 0 or t != turns[i - 1]] == [
        t for i, t in enumerate(back_turns) if i == 0 or t != back_turns[i - 1]
    ]
    assert [c.title for c in back.chapters] == ["Opening", "Middle part"]


def test_every_format_round_trips_through_sniffing(document: EpisodeDocument) -> None:
    for fmt in FORMATS:
        assert parse_transcript(render(document, fmt)).segments, fmt


def test_a_correction_survives_export_and_import_into_another_library(
    document: EpisodeDocument, tmp_path
) -> None:
    exported = tmp_path / "episode.json"
    exported.write_text(render(document, "json"), encoding="utf-8")
    with Library.open(tmp_path / "other.sqlite3") as other:
        episode = import_transcript(other, exported).episode
        assert other.segments(episode.id) == document.segments
        assert other.segment(episode.id, 4).edited
