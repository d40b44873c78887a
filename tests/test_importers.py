"""Importers on real caption files and hand-written fixtures for each format feature."""

from __future__ import annotations

import codecs
import itertools
import json
from pathlib import Path

import pytest

from desktop.core.importers import FORMATS, load_transcript, parse_transcript, sniff_format
from desktop.core.model import Chapter, Transcript

DATA = Path(__file__).parent / "data" / "importers"
CORPUS_VTT = DATA / "9EN_HoEk3KY.vtt"
CORPUS_SRT = DATA / "9EN_HoEk3KY.srt"
CORPUS_TXT = DATA / "9EN_HoEk3KY.txt"
LIMIT = 30.0 + 1e-6


def texts(t: Transcript) -> list[str]:
    return [s.text for s in t.segments]


def assert_sorted(t: Transcript) -> None:
    assert all(a.start <= b.start for a, b in itertools.pairwise(t.segments))
    assert all(s.end >= s.start for s in t.segments)


# --- the ScribeSalad corpus files (CRLF, trailing spaces, zero-length cues, voice tags) ---


def test_corpus_vtt() -> None:
    t = load_transcript(CORPUS_VTT)
    assert t.format == "vtt"
    assert len(t.segments) == 923
    assert t.warnings == []
    first = t.segments[0]
    assert (first.start, first.end) == (0.06, 1.74)
    assert first.text == "Welcome back to six, says zero,"
    assert first.speaker == "Speaker 1"
    # Lines are joined with one space; the trailing space before the line break is not doubled.
    assert t.segments[2].text == (
        "Today we have Eylea says Giver, Cofounder and Research Director of Open"
    )
    assert {s.speaker for s in t.segments} == {f"Speaker {n}" for n in range(1, 11)}
    # Zero-length cues keep their text.
    zero = next(s for s in t.segments if s.start == 157.37)
    assert zero.end == 157.37
    assert zero.text == "theory behind this and the proofs of these statements."
    last = t.segments[-1]
    assert (last.start, last.end, last.text, last.speaker) == (
        3592.19,
        3597.19,
        "Thank you.",
        "Speaker 2",
    )
    assert_sorted(t)
    assert all("<" not in s.text and "  " not in s.text for s in t.segments)


def test_corpus_srt_matches_vtt() -> None:
    srt = load_transcript(CORPUS_SRT)
    vtt = load_transcript(CORPUS_VTT)
    assert srt.format == "srt"
    assert len(srt.segments) == 923
    assert [(s.start, s.end, s.text) for s in srt.segments] == [
        (s.start, s.end, s.text) for s in vtt.segments
    ]
    assert all(s.speaker is None for s in srt.segments)


def test_corpus_txt() -> None:
    t = load_transcript(CORPUS_TXT)
    assert t.format == "txt"
    assert t.warnings == []
    # 69 speaker paragraphs, the long ones split into pieces of at most 30 s.
    assert len(t.segments) > 69
    assert all(s.end - s.start <= LIMIT for s in t.segments)
    assert_sorted(t)
    first = t.segments[0]
    assert first.start == 0.0
    assert first.speaker == "Speaker 1"
    assert first.text.startswith("Welcome back to six, says zero, nine, nine artificial")
    # The pieces of a split paragraph meet end to start and end where the next turn begins.
    thanks = next(s for s in t.segments if s.speaker == "Speaker 2")
    assert (thanks.start, thanks.end, thanks.text) == (56.0, 59.0, "Thanks.")
    before = t.segments[t.segments.index(thanks) - 1]
    assert before.end == 56.0
    # Split pieces end at sentence boundaries.
    assert all(s.text.endswith((".", "?", "!")) for s in t.segments[:3])
    assert {s.speaker for s in t.segments} == {f"Speaker {n}" for n in range(1, 11)}
    last = t.segments[-1]
    assert (last.start, last.text, last.speaker) == (3592.0, "Thank you.", "Speaker 2")
    assert last.end == pytest.approx(3593.0)  # one word: the minimum 1 s estimate
    # Every word of the file is kept exactly once.
    raw = CORPUS_TXT.read_text()
    # Each paragraph line is "Speaker N:", a stamp, then its words.
    assert sum(len(s.text.split()) for s in t.segments) == sum(
        len(line.split()) - 3 for line in raw.splitlines() if line.strip()
    )


def test_a_2000_cue_vtt_keeps_every_cue() -> None:
    """The corpus file three times over (its speed is measured in bench/import.py)."""
    body = CORPUS_VTT.read_text().split("\n", 1)[1]
    shifted = body.replace("00:", "01:", 1)  # a time-shifted copy; order does not matter here
    text = "WEBVTT\n" + body + shifted + body
    t = parse_transcript(text, None)
    assert len(t.segments) == 3 * 923


# --- sniffing ---


@pytest.mark.parametrize(
    ("text", "suffix", "expected"),
    [
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n", ".txt", "vtt"),
        ("1\n00:00:01,000 --> 00:00:02,000\nhi\n", ".vtt", "vtt"),
        ("1\n00:00:01,000 --> 00:00:02,000\nhi\n", ".txt", "srt"),
        ('{"segments": []}', ".txt", "json"),
        ('[{"start": 0}]', "", "json"),
        ("[00:01] hello\n", ".json", "txt"),
        ("[00:01] hello\n", ".md", "md"),
        ("# Title\n\n[00:01] hello\n", ".txt", "md"),
        ("**Host:** [0:01](https://x) hi\n", "", "md"),
        ("hello\n", "", "txt"),
    ],
)
def test_sniff(text: str, suffix: str, expected: str) -> None:
    assert sniff_format(text, suffix) == expected
    assert expected in FORMATS


def test_vtt_in_txt_file_is_vtt(tmp_path: Path) -> None:
    path = tmp_path / "captions.txt"
    path.write_bytes(CORPUS_VTT.read_bytes())
    assert load_transcript(path).format == "vtt"


# --- SubRip and WebVTT features ---


def test_youtube_rolling_auto_captions() -> None:
    t = load_transcript(DATA / "youtube_auto.vtt")
    assert texts(t) == ["hello everyone and welcome", "to the show", "today we talk about captions"]
    assert t.language == "en"
    words = " ".join(texts(t)).split()
    assert len(words) == len(set(words))  # each spoken word once
    assert (t.segments[1].start, t.segments[1].end) == (2.36, 5.0)


def test_vtt_features() -> None:
    t = load_transcript(DATA / "features.vtt")
    assert texts(t) == [
        "Hello there & welcome",
        "Fish <3 chips and peas second line",
        "Karaoke words",
    ]
    assert t.segments[0].speaker == "Alice Smith"
    assert (t.segments[0].start, t.segments[0].end) == (1.0, 3.5)  # no hours, cue settings


def test_srt_features() -> None:
    t = load_transcript(DATA / "features.srt")  # BOM, CRLF, no ids, "." decimals
    assert texts(t) == [
        "Italic and red",
        "Top line & more",
        "<script>alert(1)</script>",
        "First part after a blank line",
        "<i> is literal, 5 > 3",
    ]
    assert [s.start for s in t.segments] == [1.0, 3.0, 5.0, 7.0, 10.0]
    assert t.warnings == []


def test_srt_bad_times_warn_with_line() -> None:
    t = load_transcript(DATA / "bad_times.srt")
    assert texts(t) == ["Good one", "Overlapping", "Backwards"]
    assert "line 6: malformed timestamp '00:0x:01,000', cue skipped" in t.warnings
    assert "line 10: negative timestamp '-00:00:01,000', cue skipped" in t.warnings
    assert any(w.startswith("line 14: cue ends before it starts") for w in t.warnings)
    backwards = t.segments[2]
    assert backwards.start == backwards.end == 6.0
    assert sum("overlap" in w for w in t.warnings) == 1
    assert any("sorted" in w for w in t.warnings)


def test_long_cue_is_split_at_sentences() -> None:
    text = (
        "1\n00:00:00,000 --> 00:01:30,000\n"
        "First sentence is here. Second one follows it! Is this the third? "
        "And a fourth one. Then a fifth sentence. Finally the sixth.\n"
    )
    t = parse_transcript(text, "srt")
    assert len(t.segments) > 1
    assert all(s.end - s.start <= LIMIT for s in t.segments)
    assert all(s.text.endswith((".", "!", "?")) for s in t.segments)
    assert " ".join(texts(t)) == " ".join(text.split("\n")[2].split())
    assert t.segments[0].start == 0.0 and t.segments[-1].end == 90.0
    assert all(a.end == b.start for a, b in itertools.pairwise(t.segments))


def test_long_unpunctuated_cue_splits_between_words() -> None:
    words = " ".join(f"word{i}" for i in range(200))
    t = parse_transcript(f"00:00:00,000 --> 00:02:00,000\n{words}\n", "srt")
    assert len(t.segments) >= 4
    assert all(s.end - s.start <= LIMIT for s in t.segments)
    assert " ".join(texts(t)) == words


# --- Whisper-family JSON ---


def test_openai_whisper_json() -> None:
    t = load_transcript(DATA / "openai.json")
    assert t.format == "json" and t.language == "en"
    assert texts(t) == ["Hello world.", "This is a test."]
    words = t.segments[0].words
    assert words is not None
    assert [(w.text, w.start, w.end, w.probability) for w in words] == [
        ("Hello", 0.0, 0.8, 0.9),
        ("world.", 0.9, 2.4, 0.8),
    ]


def test_whisperx_json() -> None:
    t = load_transcript(DATA / "whisperx.json")
    assert [s.speaker for s in t.segments] == ["SPEAKER_00", "SPEAKER_01"]
    words = t.segments[1].words
    assert words is not None and [w.text for w in words] == ["It", "is", "2024", "now."]
    assert words[0].probability == 0.9  # "score" read as probability
    assert words[2].start == words[2].end == 3.6  # unaligned numeral pinned to its neighbour


def test_whisper_cpp_json() -> None:
    t = load_transcript(DATA / "whisper_cpp.json")
    assert [(s.start, s.end) for s in t.segments] == [(0.0, 3.12), (3.12, 7.5)]
    assert t.segments[0].text == "And so my fellow Americans"
    assert t.language == "en"


def test_earmark_json() -> None:
    t = load_transcript(DATA / "earmark.json")
    assert t.title == "Meta-Learning & Self-Play"
    assert t.language == "en"
    assert t.chapters == [Chapter(0.0, "Intro"), Chapter(4.0, "Guest")]
    assert [s.speaker for s in t.segments] == ["Speaker 1", "Speaker 2"]
    assert t.segments[1].words is None


def test_bare_list_json_skips_bad_segment() -> None:
    t = load_transcript(DATA / "bare_list.json")
    assert texts(t) == ["one", "two"]
    assert t.warnings == ["segment 3: missing or invalid start/end time, skipped"]


def test_long_json_segment_splits_words_too() -> None:
    words = [
        {"word": f" w{i}.", "start": i * 1.0, "end": i * 1.0 + 0.5, "probability": 0.5}
        for i in range(70)
    ]
    text = " ".join(str(w["word"]).strip() for w in words)
    doc = {"segments": [{"start": 0.0, "end": 70.0, "text": text, "words": words}]}
    t = parse_transcript(json.dumps(doc), None)
    assert len(t.segments) >= 3
    assert all(s.end - s.start <= LIMIT for s in t.segments)
    assert sum(len(s.words or []) for s in t.segments) == 70
    for seg in t.segments:
        assert seg.words and all(seg.start - 1 <= w.start <= seg.end for w in seg.words)


# --- plain text ---


def test_plaintext_brackets_speakers_and_continuation() -> None:
    t = load_transcript(DATA / "brackets.txt")
    assert t.segments[0].start == 5.0 and t.segments[0].end == 9.0
    assert t.segments[0].speaker == "Alice"
    bob = [s for s in t.segments if s.speaker == "Bob"]
    assert " ".join(s.text for s in bob) == (
        "Thanks for having me. This line continues Bob's segment."
    )
    assert t.segments[-1].start == 62.5 and t.segments[-1].text == "Let's begin."
    assert all(s.end - s.start <= LIMIT for s in t.segments)


def test_plaintext_stamp_styles() -> None:
    t = load_transcript(DATA / "styles.txt")
    assert [(s.start, s.speaker, s.text) for s in t.segments] == [
        (65.0, None, "bracketed minutes"),
        (70.0, None, "in parentheses"),
        (75.0, None, "bare minutes"),
        (80.0, None, "bare hours"),
        (85.25, None, "with a dash and millis"),
        (90.0, "Carol", "speaker before the stamp"),
        (95.0, "Dave", "speaker after the stamp"),
        (100.0, "Erin", "speaker with parenthesised stamp"),
    ]
    assert t.warnings == []


def test_earmark_txt_export() -> None:
    t = load_transcript(DATA / "earmark_export.txt")
    assert [(s.start, s.end, s.speaker, s.text) for s in t.segments] == [
        (0.0, 4.0, "Speaker 1", "Welcome to the show."),
        (4.0, 7.0, "Speaker 2", "Glad to be here."),
        (7.0, 9.0, None, "No speaker on this one."),  # 5 words at 2.5 words/s
    ]


def test_plaintext_bad_stamp_warns_and_drops_its_lines() -> None:
    t = load_transcript(DATA / "bad_stamp.txt")
    assert texts(t) == ["First.", "Third."]
    assert t.warnings == ["line 2: malformed timestamp '00:6x:01', line skipped"]


# --- Markdown ---


def test_markdown_blog() -> None:
    t = load_transcript(DATA / "blog.md")
    assert t.format == "md"
    assert t.title == "Episode 42: Building Local-First Apps"
    assert t.chapters == [Chapter(3890.0, "Intro"), Chapter(3930.0, "Why local-first?")]
    assert [(s.start, s.speaker, s.text) for s in t.segments] == [
        (3890.0, "Host", "Welcome to the podcast, everyone. We have a great guest today."),
        (3902.0, "Guest", "Thanks, happy to be here."),
        (3930.0, "Host", "So why local-first? See our site."),
        (3960.0, "Guest", "Because your data is yours *really* <yours>."),
    ]


def test_markdown_earmark_export() -> None:
    t = load_transcript(DATA / "earmark_export.md")
    assert t.title == 'Meta-Learning "and" Self-Play'
    assert t.language == "en"
    assert t.chapters == [Chapter(0.0, "Opening"), Chapter(40.0, "Deep #learning")]
    assert [(s.start, s.end, s.speaker) for s in t.segments] == [
        (0.0, 25.0, "Speaker 1"),
        (25.0, 40.0, "Speaker 2"),
        (40.0, 42.8, "Speaker 1"),
    ]
    assert t.segments[0].text == (
        "Welcome back to six, says zero. It uses *stars* and <tags> and [brackets]."
    )
    assert t.segments[2].text == "Deep learning works_well 100% of the time."
    # Insight sections and notes before "## Transcript" are not transcript.
    assert all("note that must not" not in s.text for s in t.segments)


# --- encodings ---

SAMPLE = "1\n00:00:01,000 --> 00:00:02,000\nCafé — “quoted” naïve\n"


@pytest.mark.parametrize(
    ("encoded", "warned"),
    [
        (codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), False),
        (SAMPLE.encode("utf-8"), False),
        (SAMPLE.replace("\n", "\r\n").encode("utf-16"), False),  # BOM + little-endian
        (codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"), False),
        (SAMPLE.encode("utf-32"), False),
        (SAMPLE.replace("\n", "\r\n").encode("cp1252"), True),
        (SAMPLE.replace("\n", "\r").encode("cp1252"), True),  # old Mac line ends
    ],
)
def test_encodings(tmp_path: Path, encoded: bytes, warned: bool) -> None:
    path = tmp_path / "sample.srt"
    path.write_bytes(encoded)
    t = load_transcript(path)
    assert texts(t) == ["Café — “quoted” naïve"]
    assert any("decoded as Windows-1252" in w for w in t.warnings) is warned


def test_srt_without_blank_lines_and_text_after_skipped_cue() -> None:
    text = (
        "1\n00:00:01,000 --> 00:00:02,000\nfirst\n"
        "2\n00:00:02,000 --> 00:00:03,000\nsecond\n\n"
        "3\n00:0x:00,000 --> 00:00:04,000\nbad\n\nbad continued\n"
    )
    t = parse_transcript(text, None)
    assert texts(t) == ["first", "second"]  # the stray line belongs to the skipped cue
    assert t.warnings == ["line 9: malformed timestamp '00:0x:00,000', cue skipped"]


def test_interpolated_times_are_whole_milliseconds() -> None:
    transcript = load_transcript(DATA / "9EN_HoEk3KY.txt")
    for segment in transcript.segments:
        assert segment.start == round(segment.start, 3)
        assert segment.end == round(segment.end, 3)


def test_a_long_cue_overlapping_the_next_stays_whole_and_in_order(tmp_path: Path) -> None:
    """Found by fuzzing a real SRT: a 33 s cue whose end runs past the next cue's start was
    split with interpolated times, and its pieces started after the next cue."""
    srt = tmp_path / "overlap.srt"
    srt.write_text(
        "1\n00:05:58,231 --> 00:06:31,020\ngoing on now. These are the steps of threshold "
        "neurons, and more words here. Another sentence here.\n\n"
        "2\n00:06:01,180 --> 00:06:04,190\nso they're doing a little bit more work.\n"
    )
    transcript = load_transcript(srt)
    assert [(s.start, s.end) for s in transcript.segments] == [(358.231, 391.02), (361.18, 364.19)]
    assert any("overlap" in w for w in transcript.warnings)
