"""Bad input: every failure is a TranscriptFormatError naming the file, never a crash."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core.errors import TranscriptFormatError
from desktop.core.importers import FORMATS, MAX_TRANSCRIPT_BYTES, load_transcript, parse_transcript
from desktop.core.model import Transcript

DATA = Path(__file__).parent / "data" / "importers"


def fails(path: Path) -> TranscriptFormatError:
    with pytest.raises(TranscriptFormatError) as info:
        load_transcript(path)
    assert path.name in str(info.value)
    return info.value


@pytest.mark.parametrize("content", [b"", b"   \r\n\t\n", b"\xef\xbb\xbf\n\n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.srt"
    path.write_bytes(content)
    assert fails(path).message == "file is empty"


def test_random_bytes_named_srt(tmp_path: Path) -> None:
    path = tmp_path / "movie.srt"
    path.write_bytes(os.urandom(4096) + b"\x00")
    assert fails(path).message == "not a text file (binary data)"


def test_control_bytes_are_binary(tmp_path: Path) -> None:
    path = tmp_path / "controls.vtt"
    path.write_bytes(bytes(range(1, 9)) * 100 + b"WEBVTT")
    assert fails(path).message == "not a text file (binary data)"


def test_all_cues_bad_names_first_bad_line() -> None:
    err = fails(DATA / "all_bad.srt")
    assert err.line == 2
    assert "malformed timestamp '00:00:61,000'" in err.message


def test_json_syntax_error_has_line() -> None:
    err = fails(DATA / "syntax_error.json")
    assert err.line == 4
    assert "invalid JSON" in err.message
    assert "syntax_error.json, line 4" in str(err)


def test_json_not_a_transcript(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text('{"name": "not a transcript"}')
    assert "segments" in fails(path).message


def test_text_without_timestamps() -> None:
    assert fails(DATA / "no_stamps.txt").message == "no timestamps found"


def test_srt_without_cues(tmp_path: Path) -> None:
    path = tmp_path / "nothing.srt"
    path.write_text("WEBVTT\n\nNOTE only a note\n")
    assert "no cues found" in fails(path).message


def test_over_limit_file_fails_fast(tmp_path: Path) -> None:
    path = tmp_path / "huge.vtt"
    with path.open("wb") as handle:
        handle.truncate(100 * 2**20)  # sparse: costs no disk and must not be read
    err = fails(path)
    assert "100.0 MiB" in err.message and "64.0 MiB" in err.message
    assert MAX_TRANSCRIPT_BYTES == 64 * 2**20


def test_missing_file(tmp_path: Path) -> None:
    assert "cannot read file" in fails(tmp_path / "gone.srt").message


def test_unknown_format_name() -> None:
    with pytest.raises(TranscriptFormatError):
        parse_transcript("[00:01] hi", "docx")


def test_truncated_utf16(tmp_path: Path) -> None:
    path = tmp_path / "odd.srt"
    path.write_bytes(b"\xff\xfe" + "00:00:01,000 --> 00:00:02,000\nhi".encode("utf-16-le") + b"x")
    assert "UTF-16" in fails(path).message


def test_parse_transcript_without_path_says_input() -> None:
    with pytest.raises(TranscriptFormatError) as info:
        parse_transcript("no stamps here", "txt")
    assert str(info.value) == "<input>: no timestamps found"


# --- property tests: only a Transcript or a TranscriptFormatError, whatever the input ---

# Text biased towards the syntax the parsers look for, so the tests reach deep paths.
_PIECES = st.sampled_from(
    [
        "WEBVTT\n",
        "\n",
        "\n\n",
        " --> ",
        "00:00:01,000",
        "00:01.5",
        "-00:00:02.000",
        "1:02:03",
        "[00:01]",
        "(12:34)",
        "[1:05](https://x)",
        "**Host:**",
        "## ",
        "### ",
        "# ",
        "---\n",
        "<v Bob>",
        "</v>",
        "<i>",
        "&amp;",
        "&#0;",
        "NOTE",
        "Speaker 1:",
        "{",
        "}",
        "[",
        "]",
        '"segments":',
        '"start":',
        '"end":',
        '"text":',
        "1e999",
        ":",
        ",",
        "\\*",
        "99999999:00",
        "\r\n",
        "\r",
        "\ufeff",
        "\x00",
    ]
)
TEXTS = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=60).map("".join),
)
PROPERTY = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.parametrize("fmt", [*FORMATS, None])
@PROPERTY
@given(text=TEXTS)
def test_parse_never_crashes(fmt: str | None, text: str) -> None:
    try:
        result = parse_transcript(text, fmt)
    except TranscriptFormatError:
        return
    assert isinstance(result, Transcript)
    assert result.segments
    for seg in result.segments:
        assert 0 <= seg.start <= seg.end
        assert seg.text and seg.text == " ".join(seg.text.split())


@PROPERTY
@given(data=st.one_of(st.binary(max_size=600), TEXTS.map(lambda t: t.encode("utf-8"))))
def test_load_random_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "random.srt"
    path.write_bytes(data)
    try:
        assert isinstance(load_transcript(path), Transcript)
    except TranscriptFormatError as err:
        assert "random.srt" in str(err)


_JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
_JSON_VALUES = st.recursive(
    _JSON_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "start",
                    "end",
                    "text",
                    "word",
                    "words",
                    "speaker",
                    "probability",
                    "score",
                    "offsets",
                    "from",
                    "to",
                    "timestamps",
                    "segments",
                    "transcription",
                    "episode",
                    "title",
                    "language",
                    "chapters",
                    "result",
                ]
            ),
            inner,
            max_size=6,
        ),
    ),
    max_leaves=30,
)


@PROPERTY
@given(value=_JSON_VALUES)
def test_json_shapes_never_crash(value: object) -> None:
    import json

    try:
        result = parse_transcript(json.dumps(value), "json")
    except TranscriptFormatError:
        return
    assert all(0 <= s.start <= s.end for s in result.segments)
