"""Exporters: exact SRT/VTT/TXT output, JSON round trip, the public API."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from desktop.core.errors import EarmarkError
from desktop.core.exporters import FORMATS, default_filename, export_episode, render
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


def small_doc() -> EpisodeDocument:
    episode = Episode(
        id=7,
        title="Small talk",
        status=EpisodeStatus.DONE,
        source=EpisodeSource.TRANSCRIBED,
        created="2024-05-01T10:00:00Z",
        updated="2024-05-01T10:05:00Z",
        media_path="/media/small.mp3",
        media_sha256="ab" * 32,
        duration=3725.5,
        language="en",
        engine="faster-whisper",
        model="tiny.en",
        segment_count=4,
    )
    segments = [
        Segment(0.0, 2.5, "Hello and welcome.", "Speaker 1"),
        Segment(2.5, 5.25, "Thanks   for\nhaving me.", "Speaker 2"),
        Segment(3661.123, 3661.123, "Same start and end.", None),  # zero length cue
        Segment(3662.0, 3663.0, "   ", "Speaker 1"),  # blank: skipped
        Segment(3663.0, 3664.5, "Tom & Jerry <b>tags</b> --> arrows", "Speaker 1"),
    ]
    return EpisodeDocument(episode=episode, segments=segments)


def test_formats_tuple() -> None:
    assert FORMATS == ("md", "srt", "vtt", "txt", "json", "chapters")


def test_srt_exact() -> None:
    assert render(small_doc(), "srt") == (
        "1\n"
        "00:00:00,000 --> 00:00:02,500\n"
        "Speaker 1: Hello and welcome.\n"
        "\n"
        "2\n"
        "00:00:02,500 --> 00:00:05,250\n"
        "Speaker 2: Thanks for having me.\n"
        "\n"
        "3\n"
        "01:01:01,123 --> 01:01:01,124\n"
        "Same start and end.\n"
        "\n"
        "4\n"
        "01:01:03,000 --> 01:01:04,500\n"
        "Speaker 1: Tom & Jerry <b>tags</b> -> arrows\n"
    )


def test_vtt_exact() -> None:
    doc = small_doc()
    assert render(doc, "vtt") == (
        f"WEBVTT - {doc.episode.title}\n"
        "\n"
        "00:00:00.000 --> 00:00:02.500\n"
        "<v Speaker 1>Hello and welcome.\n"
        "\n"
        "00:00:02.500 --> 00:00:05.250\n"
        "<v Speaker 2>Thanks for having me.\n"
        "\n"
        "01:01:01.123 --> 01:01:01.124\n"
        "Same start and end.\n"
        "\n"
        "01:01:03.000 --> 01:01:04.500\n"
        "<v Speaker 1>Tom &amp; Jerry &lt;b&gt;tags&lt;/b&gt; --&gt; arrows\n"
    )


def test_vtt_never_has_arrow_in_text_and_escapes_speaker() -> None:
    doc = small_doc()
    doc.segments = [Segment(1.0, 2.0, "a --> b", "A <x> & B")]
    vtt = render(doc, "vtt")
    body = vtt.split("\n")
    assert body[3] == "<v A &lt;x&gt; &amp; B>a --&gt; b"
    assert sum(line.count("-->") for line in body) == 1


def test_cue_end_before_start_is_fixed() -> None:
    doc = small_doc()
    doc.segments = [Segment(10.0, 9.0, "backwards"), Segment(11.0, 11.0002, "tiny")]
    srt = render(doc, "srt")
    assert "00:00:10,000 --> 00:00:10,001" in srt
    assert "00:00:11,000 --> 00:00:11,001" in srt
    assert "00:00:10.000 --> 00:00:10.001" in render(doc, "vtt")


def test_txt_exact() -> None:
    assert render(small_doc(), "txt") == (
        "[00:00:00] Speaker 1: Hello and welcome.\n"
        "[00:00:02] Speaker 2: Thanks for having me.\n"
        "[01:01:01] Same start and end.\n"
        "[01:01:03] Speaker 1: Tom & Jerry <b>tags</b> --> arrows\n"
    )


def test_empty_document_renders_every_format() -> None:
    doc = small_doc()
    doc.segments = []
    assert render(doc, "srt") == ""
    assert render(doc, "vtt") == f"WEBVTT - {doc.episode.title}\n"
    assert render(doc, "txt") == ""
    assert json.loads(render(doc, "json"))["segments"] == []
    md = render(doc, "md")
    assert md.endswith("\n") and not md.endswith("\n\n")
    assert "## Transcript" not in md


def full_doc() -> EpisodeDocument:
    doc = small_doc()
    doc.segments[0].words = [Word(0.0, 0.4, "Hello", 0.98), Word(0.4, 0.9, "and", None)]
    doc.chapters = [Chapter(0.0, "Intro"), Chapter(3600.0, "Später 🎧")]
    doc.notes = [
        Note(1, 7, "Remember this", "2024-05-02T09:00:00Z", segment_idx=1),
        Note(2, 7, "Free note", "2024-05-02T09:01:00Z", time=12.5),
    ]
    doc.insights = Insights(
        tldr="Short.",
        summary="Long summary.",
        engine="extractive",
        created="2024-05-02T10:00:00Z",
        key_insights=[KeyInsight("🧠", "Idea", "Text", 1.0)],
        qa=[QuestionAnswer("Why?", "Because.", 2.5)],
        takeaways=[Takeaway("Do it", 3661.0)],
    )
    return doc


def test_json_round_trip() -> None:
    doc = full_doc()
    data = json.loads(render(doc, "json"))
    assert data["format"] == "earmark"
    assert data["version"] == 1
    ep = data["episode"]
    assert ep == {
        "id": 7,
        "title": "Small talk",
        "status": "done",
        "source": "transcribed",
        "created": "2024-05-01T10:00:00Z",
        "updated": "2024-05-01T10:05:00Z",
        "media_path": "/media/small.mp3",
        "media_sha256": "ab" * 32,
        "source_path": None,
        "source_sha256": None,
        "duration": 3725.5,
        "language": "en",
        "engine": "faster-whisper",
        "model": "tiny.en",
        "segment_count": 4,
    }
    # Segments read back to equal values.
    back = [
        Segment(
            s["start"],
            s["end"],
            s["text"],
            s["speaker"],
            None
            if s["words"] is None
            else [Word(w["start"], w["end"], w["word"], w["probability"]) for w in s["words"]],
        )
        for s in data["segments"]
    ]
    assert back == doc.segments
    assert data["segments"][0]["words"][0] == {
        "word": "Hello",
        "start": 0.0,
        "end": 0.4,
        "probability": 0.98,
    }
    assert data["segments"][1]["words"] is None
    assert [Chapter(**c) for c in data["chapters"]] == doc.chapters
    assert [Note(**n) for n in data["notes"]] == doc.notes
    assert Insights.from_dict(data["insights"]) == doc.insights


def test_json_is_utf8_and_valid_with_nan() -> None:
    doc = full_doc()
    doc.episode.duration = math.nan
    text = render(doc, "json")
    assert "Später 🎧" in text  # ensure_ascii=False
    assert json.loads(text)["episode"]["duration"] is None
    assert json.loads(text)["insights"] is not None
    doc.insights = None
    assert json.loads(render(doc, "json"))["insights"] is None


def test_unknown_format_lists_formats() -> None:
    with pytest.raises(EarmarkError) as info:
        render(small_doc(), "docx")
    assert "md, srt, vtt, txt, json" in str(info.value)
    with pytest.raises(EarmarkError):
        default_filename(small_doc(), "pdf")
    assert render(small_doc(), ".SRT") == render(small_doc(), "srt")


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_episode_writes_file(tmp_path: Path, fmt: str) -> None:
    doc = full_doc()
    target = tmp_path / f"out.{fmt}"
    assert export_episode(doc, fmt, target) == target
    assert target.read_text(encoding="utf-8") == render(doc, fmt)
    assert list(tmp_path.iterdir()) == [target]  # no temp file left behind


def test_export_episode_into_folder_uses_default_name(tmp_path: Path) -> None:
    written = export_episode(small_doc(), "md", tmp_path)
    assert written == tmp_path / "Small talk.md"
    assert written.read_text(encoding="utf-8").startswith("---\n")


def test_export_episode_missing_folder_is_earmark_error(tmp_path: Path) -> None:
    with pytest.raises(EarmarkError, match="nope"):
        export_episode(small_doc(), "txt", tmp_path / "nope" / "x.txt")
