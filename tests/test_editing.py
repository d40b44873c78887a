"""Corrections and speaker renames: the service the window's undo stack and the CLI share."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from desktop.core.errors import ChangedElsewhereError, EarmarkError, NotFoundError
from desktop.core.exporters import render
from desktop.core.model import EpisodeSource, EpisodeStatus, Segment, Word
from desktop.core.search import search
from desktop.core.store import Library
from desktop.services.editing import (
    align_words,
    edit_segment,
    rename_speaker,
    restore_segment,
    set_speaker,
    speaker_segments,
    speakers,
)
from desktop.services.importing import import_transcript


def words_of(text: str, start: float = 0.0) -> list[Word]:
    """Whisper-style words: a leading space, punctuation attached, 0.5 s each."""
    return [
        Word(start + 0.5 * i, start + 0.5 * i + 0.5, " " + token, 0.9)
        for i, token in enumerate(text.split())
    ]


@pytest.fixture
def episode(library: Library) -> int:
    ep = library.create_episode("Talk", EpisodeSource.TRANSCRIBED, EpisodeStatus.DONE)
    library.append_segments(
        ep.id,
        [
            Segment(0.0, 3.0, "Welcome to the show.", "Maya", words_of("Welcome to the show.")),
            Segment(
                3.0,
                6.0,
                "We use sea plus plus daily.",
                "Daniel",
                words_of("We use sea plus plus daily.", 3.0),
            ),
            Segment(
                6.0, 9.0, "Thanks for having me.", "Maya", words_of("Thanks for having me.", 6.0)
            ),
            Segment(9.0, 12.0, "Imported line without words.", None),
        ],
    )
    return ep.id


def test_edit_keeps_times_marks_edited_and_search_follows(library: Library, episode: int) -> None:
    assert [h.segment_idx for h in search(library.conn, "sea")] == [1]
    before, after = edit_segment(library, episode, 1, "We use C++ daily.")
    assert before.text == "We use sea plus plus daily." and not before.edited
    assert (after.start, after.end, after.speaker, after.text) == (
        3.0,
        6.0,
        "Daniel",
        "We use C++ daily.",
    )
    assert after.edited
    assert search(library.conn, "sea") == []
    hits = search(library.conn, "C++")
    assert [(h.episode_id, h.segment_idx, h.start) for h in hits] == [(episode, 1, 3.0)]
    # Persisted: another connection (the window after a restart) sees the same.
    with Library.open(library.path) as again:
        stored = again.segments(episode)[1]
        assert stored == after
        assert [s.edited for s in again.segments(episode)] == [False, True, False, False]


def test_only_changed_words_lose_their_timings(library: Library, episode: int) -> None:
    before, after = edit_segment(library, episode, 1, "We use C++ daily.")
    old = before.words
    assert old is not None and after.words is not None
    # "We", "use", "daily." survive with their own timings; "sea plus plus" became "C++".
    assert after.words == [old[0], old[1], old[5]]
    assert library.segment_words(episode, 1) == after.words


def test_kept_words_take_the_corrected_spelling(library: Library, episode: int) -> None:
    _, after = edit_segment(library, episode, 0, "welcome to the Show!")
    assert after.words is not None
    assert [w.text for w in after.words] == [" welcome", " to", " the", " Show!"]
    assert [w.start for w in after.words] == [0.0, 0.5, 1.0, 1.5]


def test_align_words_cases() -> None:
    words = words_of("the cat sat on the mat")
    assert align_words(words, "the cat sat on the mat") == words
    assert align_words(words, "a dog sat on the mat") == words[2:]
    kept = align_words(words, "the cat, I think, sat on the mat")
    assert kept is not None and [w.text for w in kept] == [
        " the",
        " cat,",
        " sat",
        " on",
        " the",
        " mat",
    ]
    assert align_words(words, "completely different") is None
    assert align_words(None, "anything") is None
    assert align_words([], "anything") is None
    accented = [Word(0, 1, " Café", None)]
    assert align_words(accented, "cafe") == [Word(0, 1, " cafe", None)]


def test_segment_without_words_stays_without(library: Library, episode: int) -> None:
    _, after = edit_segment(library, episode, 3, "Imported line, now corrected.")
    assert after.words is None and after.edited


def test_undo_and_redo_restore_text_words_and_flag_exactly(library: Library, episode: int) -> None:
    before, after = edit_segment(library, episode, 1, "We use C++ daily.")
    undone = restore_segment(library, episode, 1, before, expected=after)
    assert undone == before
    assert library.segment(episode, 1) == before
    assert [h.segment_idx for h in search(library.conn, "sea")] == [1]
    assert search(library.conn, "C++") == []
    redone = restore_segment(library, episode, 1, after, expected=before)
    assert redone == after
    assert search(library.conn, "sea") == []


def test_undo_and_redo_never_write_over_a_change_made_since(library: Library, episode: int) -> None:
    before, after = edit_segment(library, episode, 1, "We use C++ daily.")
    edit_segment(library, episode, 1, "We use Rust daily.")  # `earmark edit`, say
    with pytest.raises(ChangedElsewhereError, match=r"^segment 1 was changed elsewhere since"):
        restore_segment(library, episode, 1, before, expected=after)
    assert library.segment(episode, 1).text == "We use Rust daily."
    with pytest.raises(ChangedElsewhereError):
        restore_segment(library, episode, 1, after, expected=before)
    assert library.segment(episode, 1).text == "We use Rust daily."


def test_same_text_changes_nothing(library: Library, episode: int) -> None:
    before, after = edit_segment(library, episode, 0, "  Welcome   to the show. ")
    assert after is before
    assert not library.segment(episode, 0).edited


@pytest.mark.parametrize(
    ("idx", "text", "error", "message"),
    [
        (4, "x", NotFoundError, "segments 0-3; there is no segment 4"),
        (-1, "x", NotFoundError, "there is no segment -1"),
        (0, "   ", EarmarkError, "empty"),
    ],
)
def test_edit_refuses_bad_input_and_changes_nothing(
    library: Library, episode: int, idx: int, text: str, error: type, message: str
) -> None:
    before = library.segments(episode)
    with pytest.raises(error, match=message):
        edit_segment(library, episode, idx, text)
    assert library.segments(episode) == before


def test_edit_of_unknown_episode(library: Library) -> None:
    with pytest.raises(NotFoundError, match="no episode with id 7"):
        edit_segment(library, 7, 0, "x")


def test_rename_speaker_for_the_whole_episode_and_undo(library: Library, episode: int) -> None:
    indices = speaker_segments(library, episode, "Maya")
    assert indices == [0, 2]
    assert speaker_segments(library, episode, None) == [3]
    assert rename_speaker(library, episode, "Maya", "  Maya  Rossi ") == indices
    assert [s.speaker for s in library.segments(episode)] == [
        "Maya Rossi",
        "Daniel",
        "Maya Rossi",
        None,
    ]
    assert speakers(library, episode) == [("Maya Rossi", 2), ("Daniel", 1)]
    # Undo: exactly the renamed segments get the old name back.
    assert set_speaker(library, episode, indices, "Maya", expected="  Maya  Rossi ") == 2
    assert [s.speaker for s in library.segments(episode)] == ["Maya", "Daniel", "Maya", None]


def test_undo_of_a_rename_never_writes_over_a_speaker_changed_since(
    library: Library, episode: int
) -> None:
    indices = rename_speaker(library, episode, "Maya", "Maya Rossi")
    library.set_speaker(episode, [2], "Guest")  # another program, since
    with pytest.raises(ChangedElsewhereError, match=r"^segment 2 was given another speaker"):
        set_speaker(library, episode, indices, "Maya", expected="Maya Rossi")
    assert [s.speaker for s in library.segments(episode)] == [
        "Maya Rossi",
        "Daniel",
        "Guest",
        None,
    ]


def test_rename_into_an_existing_name_merges_and_undo_separates(
    library: Library, episode: int
) -> None:
    indices = speaker_segments(library, episode, "Daniel")
    assert rename_speaker(library, episode, "Daniel", "Maya") == indices == [1]
    assert library.speakers(episode) == [("Maya", 3)]
    set_speaker(library, episode, indices, "Daniel", expected="Maya")
    assert [s.speaker for s in library.segments(episode)] == ["Maya", "Daniel", "Maya", None]


def test_rename_errors_name_the_problem(library: Library, episode: int) -> None:
    with pytest.raises(EarmarkError, match=r"spoken by 'Nobody' \(speakers: 'Maya', 'Daniel'\)"):
        rename_speaker(library, episode, "Nobody", "X")
    with pytest.raises(EarmarkError, match="needs a name"):
        rename_speaker(library, episode, "Maya", "  ")
    with pytest.raises(NotFoundError, match="no episode with id 9"):
        rename_speaker(library, 9, "Maya", "X")
    assert rename_speaker(library, episode, "Maya", "Maya") == []


def test_a_failed_edit_leaves_the_segment_and_index_as_they_were(
    library: Library, episode: int
) -> None:
    library.conn.execute(
        "CREATE TRIGGER refuse BEFORE UPDATE OF words ON segments "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    before = library.segment(episode, 1)
    with pytest.raises(sqlite3.IntegrityError, match="disk full"):
        edit_segment(library, episode, 1, "We use C++ daily.")
    assert library.segment(episode, 1) == before
    assert [h.segment_idx for h in search(library.conn, "sea")] == [1]
    assert not library.conn.in_transaction


def test_json_export_marks_edited_segments_and_still_imports(
    library: Library, episode: int, tmp_path: Path
) -> None:
    edit_segment(library, episode, 1, "We use C++ daily.")
    data = json.loads(render(library.document(episode), "json"))
    assert [s.get("edited", False) for s in data["segments"]] == [False, True, False, False]
    path = tmp_path / "talk.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    again = import_transcript(library, path).episode
    assert [s.text for s in library.segments(again.id)][1] == "We use C++ daily."
