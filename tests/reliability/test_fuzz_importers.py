"""Fuzzing the importers: arbitrary bytes, real files mutated, hostile text in memory.

Each importer either returns a valid Transcript or raises TranscriptFormatError naming
the file; never another exception (see fuzz_targets.check_transcript for "valid").
bench/fuzz.py runs the same targets with 10,000 examples each.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.importers import FORMATS, parse_transcript
from tests.reliability import strategies as S
from tests.reliability.fuzz_targets import check_load, check_parse

FUZZ = S.fuzz_settings(300)


def test_the_seed_files_are_there() -> None:
    # Mutating nothing would fuzz nothing: the strategies need the real transcripts.
    names = {name for name, _ in S.seed_files()}
    assert {"features.srt", "features.vtt", "whisperx.json", "blog.md", "styles.txt"} <= names


@FUZZ
@given(file=S.raw_files())
def test_arbitrary_bytes_import_or_fail_clearly(tmp_path: Path, file: tuple[str, bytes]) -> None:
    check_load(tmp_path, *file)


@FUZZ
@given(file=S.mutated_files())
def test_mutated_real_files_import_or_fail_clearly(tmp_path: Path, file: tuple[str, bytes]) -> None:
    check_load(tmp_path, *file)


@pytest.mark.parametrize("fmt", [*FORMATS, None])
@S.fuzz_settings(100)
@given(text=S.hostile_text(40, surrogates=True))
def test_hostile_text_parses_or_fails_clearly(fmt: str | None, text: str) -> None:
    check_parse(text, fmt)


# -- regressions: what the fuzzing found ----------------------------------------------------


def test_one_line_captions_keep_a_line_said_twice() -> None:
    # Two one-line repeats made the file count as YouTube rolling captions, and every
    # repeated cue was dropped: "Yes." said twice by the same person lost a segment.
    cues = "".join(
        f"{n}\n00:00:{n:02},000 --> 00:00:{n:02},900\n{text}\n\n"
        for n, text in enumerate(["Yes.", "Yes.", "No.", "No."], 1)
    )
    assert [s.text for s in parse_transcript(cues, "srt").segments] == [
        "Yes.",
        "Yes.",
        "No.",
        "No.",
    ]


def test_a_short_repeat_in_another_voice_is_a_line_of_its_own() -> None:
    vtt = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ann>Right.\n\n"
        "00:00:02.000 --> 00:00:02.010\n<v Bob>Right.\n"
    )
    segments = parse_transcript(vtt, "vtt").segments
    assert [(s.speaker, s.text) for s in segments] == [("Ann", "Right."), ("Bob", "Right.")]


def test_voice_names_are_unescaped() -> None:
    vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Tom &amp; Jerry &lt;3>Hi.\n"
    assert parse_transcript(vtt, "vtt").segments[0].speaker == "Tom & Jerry <3"


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("WEBVTT - -", "-"),
        ("WEBVTT - Q&A:", "Q&A:"),
        ("WEBVTT - — intro —", "— intro —"),
        ("WEBVTT: Title", "Title"),
        ("WEBVTT", None),
    ],
)
def test_vtt_title_keeps_its_own_dashes_and_colons(line: str, title: str | None) -> None:
    text = f"{line}\n\n00:00:01.000 --> 00:00:02.000\nHi.\n"
    assert parse_transcript(text, "vtt").title == title


def test_stamped_lines_whose_text_looks_like_markdown_are_plain_text() -> None:
    # "[1:05](https://x)" inside a line made a TXT export sniff as Markdown, which found
    # no transcript in it.
    text = "[00:00:00] see [1:05](https://x) for that\n[00:00:04] ok\n"
    transcript = parse_transcript(text, None, Path("episode.txt"))
    assert transcript.format == "txt"
    assert [s.text for s in transcript.segments] == ["see [1:05](https://x) for that", "ok"]


def test_a_stamped_line_holding_only_a_label_keeps_it_as_text() -> None:
    text = "[00:00:00] Speaker 1:\n[00:00:03] so :\n[00:00:05] Ann:\nHello.\n"
    segments = parse_transcript(text, "txt").segments
    assert [(s.speaker, s.text) for s in segments] == [
        (None, "Speaker 1:"),
        (None, "so :"),
        ("Ann", "Hello."),
    ]


def test_escaped_hashes_stay_in_a_heading() -> None:
    text = (
        "## Transcript\n\n### C\\# and F\\#\n\n[00:00:01] Hi.\n\n### Done ##\n\n[00:00:09] Bye.\n"
    )
    assert [c.title for c in parse_transcript(text, "md").chapters] == ["C# and F#", "Done"]


def test_escaped_stamps_inside_text_are_text() -> None:
    text = "## Transcript\n\n[00:00:00] see \\[00:01\\] there\n"
    assert [s.text for s in parse_transcript(text, "md").segments] == ["see [00:01] there"]


def test_labels_may_hold_escaped_characters() -> None:
    text = "## Transcript\n\n[00:00:00] **A\\*B\\_c:** hi\n"
    assert parse_transcript(text, "md").segments[0].speaker == "A*B_c"


def test_front_matter_titles_are_unquoted_as_yaml() -> None:
    text = '---\ntitle: "a\\\\b \\"q\\" {{x}} \\u00e9"\n---\n\n[00:00:00] hi\n'
    assert parse_transcript(text, "md").title == 'a\\b "q" {{x}} é'


def test_chapter_titles_keep_dashes_without_a_stamp() -> None:
    text = "## Transcript\n\n### the -\n\n[00:00:00] hi\n\n### [00:05] - Intro\n\nthere\n"
    assert [(c.start, c.title) for c in parse_transcript(text, "md").chapters] == [
        (0.0, "the -"),
        (5.0, "Intro"),
    ]


def test_a_thirty_second_segment_off_by_float_noise_is_not_split() -> None:
    json_text = (
        '{"segments": [{"start": 2.64991948942372, "end": 32.64991948942372, "text": "a b"}]}'
    )
    assert [s.text for s in parse_transcript(json_text, "json").segments] == ["a b"]


@S.fuzz_settings(50)
@given(text=st.sampled_from(["x", "x y"]), start=st.floats(0, 1e6))
def test_thirty_seconds_never_split(text: str, start: float) -> None:
    json_text = f'[{{"start": {start!r}, "end": {start + 30.0!r}, "text": "{text}"}}]'
    assert len(parse_transcript(json_text, "json").segments) == 1
