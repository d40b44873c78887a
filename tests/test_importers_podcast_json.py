"""Podcasting 2.0 JSON transcripts through the real importer (load_transcript)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from desktop.core.importers import load_transcript, sniff_format
from desktop.core.importers.podcast_json import MAX_CUE_SECONDS
from desktop.core.model import Word

DATA = Path(__file__).parent / "data" / "feeds"


def write(tmp_path: Path, document: Any, name: str = "transcript.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_word_per_segment_file_becomes_sentences() -> None:
    t = load_transcript(DATA / "ep12.transcript.json")
    assert t.format == "json"
    assert t.warnings == []
    assert [(s.start, s.end, s.speaker, s.text) for s in t.segments] == [
        (0.5, 2.55, "Ada Palmer", "Welcome back to Field Notes and Margins."),
        (2.8, 6.15, "Ada Palmer", "Today we are talking about paper, and why it still wins."),
        (6.6, 7.15, "Sam Reyes", "Thanks Ada"),  # the speaker changed
        (9.7, 10.85, "Sam Reyes", "Sorry, my coffee spilled."),  # a 2.5 s pause
    ]
    # Each one-word segment is kept as a word timing; "," joined the word before it.
    words = t.segments[1].words
    assert words is not None
    assert [w.text for w in words] == [
        "Today", "we", "are", "talking", "about", "paper,", "and", "why", "it", "still", "wins.",
    ]  # fmt: skip
    assert words[5] == Word(4.3, 4.65, "paper,")  # to the end of the "," segment
    assert t.segments[2].words == [Word(6.6, 6.85, "Thanks"), Word(6.9, 7.15, "Ada")]


def test_spec_example(tmp_path: Path) -> None:
    # The example in the Podcasting 2.0 transcript spec, numbers as written there.
    document = {
        "version": "1.0.0",
        "segments": [
            {"speaker": "Darth Vader", "startTime": 0.5, "endTime": 0.75, "body": "I"},
            {"speaker": "Darth Vader", "startTime": 1, "endTime": 1.25, "body": "am"},
            {"speaker": "Darth Vader", "startTime": 1.5, "endTime": 2.0, "body": "your"},
            {"speaker": "Darth Vader", "startTime": 2.25, "endTime": 2.50, "body": "father."},
            {"speaker": "Luke", "startTime": 2.75, "endTime": 3.0, "body": "Nooooo"},
        ],
    }
    t = load_transcript(write(tmp_path, document))
    assert [(s.start, s.end, s.speaker, s.text) for s in t.segments] == [
        (0.5, 2.5, "Darth Vader", "I am your father."),
        (2.75, 3.0, "Luke", "Nooooo"),
    ]


def test_phrase_segments_keep_no_word_timings(tmp_path: Path) -> None:
    document = {
        "version": "1.0.0",
        "segments": [
            {"speaker": "Ada", "startTime": 0, "endTime": 3.5, "body": "Hello and welcome"},
            {"speaker": "Ada", "startTime": 3.6, "endTime": 6, "body": "to the show."},
            {"startTime": 6.2, "endTime": 8, "body": "No speaker here,"},
            # Times written as strings, an empty speaker (none), whitespace in the body.
            {
                "speaker": "",
                "startTime": "00:00:08.5",
                "endTime": "9.75",
                "body": "  times\n as text.",
            },
            {"speaker": "Ada", "startTime": 10, "body": "no end time"},
        ],
    }
    t = load_transcript(write(tmp_path, document, "phrases.txt"))  # misnamed: content decides
    assert [(s.start, s.end, s.speaker, s.text, s.words) for s in t.segments] == [
        (0.0, 6.0, "Ada", "Hello and welcome to the show.", None),
        (6.2, 9.75, None, "No speaker here, times as text.", None),
        (10.0, 11.2, "Ada", "no end time", None),  # end estimated from its words
    ]


def test_long_unpunctuated_speech_is_cut_at_30_seconds(tmp_path: Path) -> None:
    segments = [
        {"speaker": "Sam", "startTime": n * 0.5, "endTime": n * 0.5 + 0.4, "body": f"w{n}"}
        for n in range(150)  # 75 s of words without a full stop or a pause
    ]
    t = load_transcript(write(tmp_path, {"segments": segments}))
    assert [(s.start, s.end) for s in t.segments] == [(0.0, 29.9), (30.0, 59.9), (60.0, 74.9)]
    assert all(s.end - s.start <= MAX_CUE_SECONDS for s in t.segments)
    assert [len(s.words or []) for s in t.segments] == [60, 60, 30]
    assert t.segments[1].text.split()[0] == "w60"


def test_bad_segments_are_skipped_with_warnings(tmp_path: Path) -> None:
    document = {
        "version": "1.0.0",
        "segments": [
            {"speaker": "Ada", "startTime": 0, "endTime": 1, "body": "Fine."},
            {"speaker": "Ada", "startTime": -4, "endTime": 1, "body": "negative"},
            {"speaker": "Ada", "endTime": 2, "body": "no start"},
            {"speaker": "Ada", "startTime": True, "body": "boolean"},
            "not an object",
            {"speaker": "Ada", "startTime": 3, "endTime": 4, "body": ""},
            {"speaker": "Ada", "startTime": 5, "endTime": 6, "body": "Also fine\u0007."},
        ],
    }
    t = load_transcript(write(tmp_path, document))
    assert [(s.start, s.text) for s in t.segments] == [(0.0, "Fine."), (5.0, "Also fine.")]
    assert t.warnings == [
        "segment 2: missing or invalid startTime, skipped",
        "segment 3: missing or invalid startTime, skipped",
        "segment 4: missing or invalid startTime, skipped",
        "segment 5: not an object, skipped",
    ]


def test_sniffing_keeps_whisper_json_apart(tmp_path: Path) -> None:
    podcast = (DATA / "ep12.transcript.json").read_text(encoding="utf-8")
    assert sniff_format(podcast, ".json") == "json"
    # Whisper JSON whose text merely mentions the other format's keys stays Whisper JSON.
    whisper = {
        "text": 'say "body": and "startTime": out loud',
        "segments": [{"start": 1.0, "end": 2.0, "text": 'say "body": and "startTime": out loud'}],
    }
    t = load_transcript(write(tmp_path, whisper))
    assert [(s.start, s.end, s.text) for s in t.segments] == [
        (1.0, 2.0, 'say "body": and "startTime": out loud')
    ]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"segments": [{"body": "x", "startTime": None}]}, "first problem: segment 1: missing"),
        ({"segments": [{"body": "", "startTime": 0}]}, "no segments found in the Podcasting 2.0"),
    ],
)
def test_nothing_usable(tmp_path: Path, document: Any, message: str) -> None:
    with pytest.raises(Exception, match=message) as caught:
        load_transcript(write(tmp_path, document))
    assert type(caught.value).__name__ == "TranscriptFormatError"
    assert str(caught.value).startswith(str(tmp_path / "transcript.json"))
