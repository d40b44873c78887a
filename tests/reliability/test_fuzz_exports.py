"""Fuzzing the exporters: every one renders any document, and Markdown, SRT, VTT, JSON
and TXT exports import back to the same segments, "same" as each format can carry it
(defined and explained in fuzz_roundtrip.py). bench/fuzz.py runs 10,000 examples each.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given

from desktop.core.exporters import render
from desktop.core.model import Chapter, EpisodeDocument, Segment
from tests.reliability import strategies as S
from tests.reliability.fuzz_roundtrip import ROUND_TRIP_FORMATS, check_round_trip
from tests.reliability.fuzz_targets import check_render

FUZZ = S.fuzz_settings(150)


@FUZZ
@given(doc=S.wild_documents())
def test_every_exporter_renders_any_document(doc: EpisodeDocument) -> None:
    check_render(doc)


@pytest.mark.parametrize("fmt", ROUND_TRIP_FORMATS)
@FUZZ
@given(data=S.st.data())
def test_exports_import_back_the_same(tmp_path: Path, fmt: str, data: S.st.DataObject) -> None:
    check_round_trip(tmp_path, data.draw(S.round_trip_documents(fmt)), fmt)


# -- regressions: what the fuzzing found ----------------------------------------------------


def _doc(
    *texts: str,
    title: str = "Episode",
    speaker: str | None = None,
    chapters: Sequence[Chapter] = (),
) -> EpisodeDocument:
    """Segments of 1.5 s every 2 s holding `texts`."""
    segments = [Segment(2.0 * i, 2.0 * i + 1.5, text, speaker) for i, text in enumerate(texts)]
    return EpisodeDocument(S.episode(title, 2.0 * len(texts)), segments, list(chapters))


@pytest.mark.parametrize("time", [math.inf, -math.inf, math.nan, 1e308, -1e308])
def test_a_time_no_clock_can_show_still_renders(time: float) -> None:
    doc = _doc("one", "two", chapters=[Chapter(time, "Part")])
    doc.segments[0].start = doc.segments[1].end = time
    for fmt in ("md", "srt", "vtt", "txt", "json"):
        assert "two" in render(doc, fmt)


@pytest.mark.parametrize(
    ("fmt", "doc"),
    [
        ("vtt", _doc("Yes.", "Yes.", "No.", "No.")),  # a line said twice, twice
        ("srt", _doc("Yes.", "Yes.", "No.", "No.")),
        ("vtt", _doc("a {\\an8} b")),  # not an ASS override block in VTT
        ("vtt", _doc("hi", title="-")),  # the title's own dash
        ("vtt", _doc("hi", speaker="Tom & Jerry <3")),  # an escaped voice
        ("txt", _doc("see [1:05](https://x)", "ok")),  # not a Markdown page
        ("txt", _doc("Speaker 1:")),  # a label alone is what was said
        ("md", _doc("{{ liquid }} and {% raw %}")),  # not Jekyll tags
        ("md", _doc("Host: says hi")),  # not the speaker Host
        ("md", _doc("see \\[00:01\\] and [00:02]")),  # text, not stamps
        ("md", _doc("hi", speaker="A*B_c")),  # escaped label
        ("md", _doc("hi", title='a\\b "q" {{x}}')),  # front-matter title
        ("md", _doc("hi", "there", chapters=[Chapter(0.0, "C#"), Chapter(2.0, "the -")])),
    ],
)
def test_found_by_fuzzing_round_trips(tmp_path: Path, fmt: str, doc: EpisodeDocument) -> None:
    check_round_trip(tmp_path, doc, fmt)


def test_a_thirty_second_segment_with_float_noise_round_trips(tmp_path: Path) -> None:
    doc = _doc("the the")
    doc.segments[0].start, doc.segments[0].end = 2.64991948942372, 32.64991948942372
    check_round_trip(tmp_path, doc, "json")


def test_a_hold_cue_is_judged_on_the_text_as_shown(tmp_path: Path) -> None:
    # Found by bench/fuzz.py: the check compared "the the \xa0" with "the the" before
    # collapsing whitespace, and expected a 1 ms repeat the importer rightly drops.
    doc = _doc("the the", "the the \xa0")
    for seg in doc.segments:
        seg.start = seg.end = 0.0
    check_round_trip(tmp_path, doc, "srt")
