"""Clip planning and word-to-segment cutting: the pure parts of transcription."""

from __future__ import annotations

import itertools
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.model import Segment, Word
from desktop.core.transcribe.clips import (
    MAX_CLIP_SECONDS,
    Clip,
    clips_from_regions,
    planned_clips,
    remaining,
    speech_regions,
    still_to_do,
    tiling_clips,
)
from desktop.core.transcribe.segmenting import (
    HARD_MAX_SECONDS,
    LONG_RUN_WORDS,
    has_sentence_end,
    segments_from_words,
    split_long_runs,
    uncovered_speech,
)

REGIONS = [(0.5, 5.0), (5.5, 12.0), (13.0, 29.0), (29.5, 40.0), (41.0, 80.0), (81.0, 82.0)]


def test_speech_regions_merge_into_clips_of_at_most_30_seconds() -> None:
    clips = clips_from_regions(REGIONS)
    assert (clips[0].start, clips[0].end) == (0.5, 29.0)
    assert all(c.end - c.start <= MAX_CLIP_SECONDS for c in clips)
    assert all(a.end <= b.start for a, b in itertools.pairwise(clips))
    # Every second of speech lies in a clip.
    for start, end in REGIONS:
        assert any(c.start <= start < c.end for c in clips)
        assert any(c.start < end <= c.end for c in clips)


def test_without_vad_clips_tile_the_whole_audio_and_cut_in_silence() -> None:
    clips = tiling_clips(REGIONS, 90.0)
    assert clips[0].start == 0.0 and clips[-1].end == 90.0
    assert all(a.end == b.start for a, b in itertools.pairwise(clips))
    assert all(c.end - c.start <= MAX_CLIP_SECONDS for c in clips)
    assert clips[0].end == 29.25  # the middle of the silence between 29.0 and 29.5
    assert tiling_clips([], 65.0) == [Clip(0.0, 30.0), Clip(30.0, 60.0), Clip(60.0, 65.0)]


def test_resume_skips_exactly_the_stored_clips() -> None:
    clips = clips_from_regions(REGIONS)
    assert remaining(clips, 0.0) == clips
    assert remaining(clips, clips[1].end - 0.3) == clips[2:]
    # A clip whose words stop early (its last speech got none) is stored all the same.
    assert remaining(clips, clips[1].start + 0.5) == clips[2:]
    assert remaining(clips, clips[-1].end) == []
    # Stored times are rounded to 1 ms: an end rounded up past the next clip's start.
    tiles = [Clip(0.0, 29.2496), Clip(29.2496, 40.0)]
    assert remaining(tiles, round(29.2496, 3)) == tiles[1:]


def words_from(text: str, start: float = 0.0, step: float = 0.4) -> list[Word]:
    return [
        Word(start + i * step, start + i * step + step * 0.8, f" {w}", 0.9)
        for i, w in enumerate(text.split())
    ]


def test_segments_end_at_sentences_and_keep_their_words() -> None:
    words = words_from(
        "Welcome back to the show. Today we talk about bees on roofs. Why? "
        "Because cities have flowers."
    )
    segments = segments_from_words(words)
    assert [s.text for s in segments] == [
        "Welcome back to the show.",
        "Today we talk about bees on roofs.",
        "Why? Because cities have flowers.",  # "Why?" alone is shorter than 1.5 s
    ]
    assert [w for s in segments for w in s.words] == words
    assert segments[0].start == words[0].start and segments[0].end == words[4].end


def test_a_pause_cuts_unpunctuated_speech() -> None:
    words = words_from("so we went out there") + words_from("and then it rained", start=4.0)
    assert [s.text for s in segments_from_words(words)] == [
        "so we went out there",
        "and then it rained",
    ]


@given(st.lists(st.sampled_from(["a", "b,", "c.", "d?", "e"]), max_size=200))
def test_no_segment_is_empty_or_longer_than_the_hard_limit(tokens: list[str]) -> None:
    words = words_from(" ".join(tokens))
    segments = segments_from_words(words)
    assert [w for s in segments for w in s.words] == words
    for segment in segments:
        assert segment.text
        assert segment.end - segment.start <= HARD_MAX_SECONDS + 0.4


def timed(text: str, pauses: dict[int, float]) -> list[Word]:
    """Words 0.3 s apart, with a longer pause before the word at each index in `pauses`."""
    words, at = [], 0.0
    for i, token in enumerate(text.split()):
        at += pauses.get(i, 0.05)
        words.append(Word(round(at, 3), round(at + 0.25, 3), f" {token}", 0.9))
        at += 0.25
    return words


RUN = (
    "military or is your family military or no believe it or not I was literally "
    "and figuratively the first off the farm so um nobody had gone to college"
)


def test_a_long_unpunctuated_run_is_cut_at_its_longest_pauses() -> None:
    words = timed(RUN, {4: 0.6, 22: 0.7})  # pauses before "family" and "so"
    [run] = segments_from_words(words)  # no pause reaches a second: one segment
    assert not has_sentence_end(run.text)
    cut = split_long_runs([run])
    assert [s.text for s in cut] == [
        "military or is your",  # the first piece starts as Whisper wrote it
        "Family military or no believe it or not",  # no pause: before "I", not "and"
        "I was literally and figuratively the first off the farm",
        "So um nobody had gone to college",
    ]
    assert all(len(s.text.split()) < LONG_RUN_WORDS for s in cut)
    # The same words and times: only the first letter of a new piece changed.
    assert [(w.start, w.end, w.text.lower()) for s in cut for w in s.words] == [
        (w.start, w.end, w.text.lower()) for w in words
    ]
    assert [(s.start, s.end) for s in cut] == [(s.words[0].start, s.words[-1].end) for s in cut]


def test_punctuated_and_short_segments_are_left_as_they_are() -> None:
    marked = timed(RUN.replace("farm", "farm."), {})  # one mark, inside: "farm. so um ..."
    punctuated = [Segment(0.0, marked[-1].end, "".join(w.text for w in marked), words=marked)]
    short = segments_from_words(timed("so um nobody had gone to college", {}))
    assert split_long_runs(punctuated + short) == punctuated + short
    # A name keeps its spelling when a piece starts with it; "1.5" ends no sentence.
    assert not has_sentence_end("about 1.5 million")
    assert has_sentence_end("it was 1.5.") and has_sentence_end('he said "no!" and left')
    pieces = split_long_runs(segments_from_words(timed(RUN.replace(" so ", " iPhone "), {22: 0.9})))
    assert any(s.text.startswith("iPhone") for s in pieces)


@given(
    st.lists(st.sampled_from(["a", "b,", "c.", "d?", "e", "f"]), max_size=120),
    st.lists(st.floats(0.0, 0.9), min_size=120, max_size=120),
)
def test_the_cut_keeps_every_word_and_leaves_no_long_unpunctuated_run(
    tokens: list[str], gaps: list[float]
) -> None:
    words = timed(" ".join(tokens), dict(enumerate(gaps)))
    segments = split_long_runs(segments_from_words(words))
    assert [w.text.lower() for s in segments for w in s.words] == [w.text for w in words]
    for segment in segments:
        assert segment.text
        assert len(segment.text.split()) < LONG_RUN_WORDS or has_sentence_end(segment.text)


@pytest.fixture(scope="module")
def interview_audio(pytestconfig: pytest.Config) -> np.ndarray:
    from desktop.core.media import decode_audio
    from tests import media_fixtures as media

    return decode_audio(media.interview(pytestconfig.cache.mkdir("earmark-media")))


def test_blockwise_plan_covers_the_speech_and_resumes_to_the_same_clips(
    interview_audio: np.ndarray,
) -> None:
    whole = speech_regions(interview_audio)
    full = list(planned_clips(interview_audio, block=60.0))  # three blocks in 165 s
    assert all(c.end - c.start <= MAX_CLIP_SECONDS for c in full)
    assert all(a.end <= b.start for a, b in pairwise(full))
    speech = sum(e - s for s, e in whole)
    covered = sum(max(0.0, min(e, c.end) - max(s, c.start)) for s, e in whole for c in full)
    assert covered >= 0.98 * speech
    for resume_at in (0.0, 30.0, 59.9, 60.0, 61.0, 100.0, 150.0, 170.0):
        tail = [c for c in full if still_to_do(c, resume_at)]
        assert list(planned_clips(interview_audio, resume_at, block=60.0)) == tail


def test_speech_without_words_is_found() -> None:
    words = words_from("thanks for having me", start=14.0)
    speech = ((0.0, 4.5), (4.5, 6.5), (6.5, 14.0), (14.2, 16.7), (20.0, 20.6))
    # The first three regions have no word; the last is too short to count.
    assert uncovered_speech(words, speech) == [(0.0, 4.5), (4.5, 6.5)]
    assert uncovered_speech(words, ((14.2, 16.7),)) == []
    assert uncovered_speech([], ((1.0, 3.0),)) == [(1.0, 3.0)]


def test_clips_remember_their_speech_regions() -> None:
    clips = clips_from_regions(REGIONS)
    assert clips[0].speech == ((0.5, 5.0), (5.5, 12.0), (13.0, 29.0))
    tiles = tiling_clips(REGIONS, 90.0)
    assert tiles[0].speech == ((0.5, 5.0), (5.5, 12.0), (13.0, 29.0))
    assert tiles[1] == Clip(29.25, 40.5, ((29.5, 40.0),))
