"""Notes: the service the window and `earmark note` share, on real library files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop.core.errors import ChangedElsewhereError, EarmarkError, NotFoundError
from desktop.core.exporters import render
from desktop.core.model import EpisodeSource, EpisodeStatus, Segment
from desktop.core.search import search
from desktop.core.store import Library
from desktop.services.notes import (
    add_note,
    delete_note,
    edit_note,
    notes,
    parse_time,
    restore_note,
)

TEXTS = [
    "Welcome to the show about deep learning.",
    "Neural networks learn representations from data.",
    "We talk about reinforcement learning and self play.",
    "Deep networks generalise surprisingly well.",
]


@pytest.fixture
def episode(library: Library) -> int:
    ep = library.create_episode("Talk", EpisodeSource.IMPORTED, EpisodeStatus.DONE)
    library.append_segments(
        ep.id, [Segment(10.0 * i, 10.0 * i + 9.0, t) for i, t in enumerate(TEXTS)]
    )
    return ep.id


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("12:34", 754.0),
        ("0:05", 5.0),
        ("1:02:03", 3723.0),
        ("754", 754.0),
        ("754.5", 754.5),
        ("12:34.25", 754.25),
        (" 3:00 ", 180.0),
    ],
)
def test_parse_time_accepts_clock_and_seconds(text: str, seconds: float) -> None:
    assert parse_time(text) == seconds


@pytest.mark.parametrize("text", ["", "12:3x", "1:2:3:4", "-5", "12:60", "1:60:00", "abc", "1e3"])
def test_parse_time_refuses_what_is_not_a_time(text: str) -> None:
    with pytest.raises(EarmarkError, match="time"):
        parse_time(text)


def test_add_at_a_time_attaches_the_playing_segment_and_persists(
    library: Library, episode: int
) -> None:
    note = add_note(library, episode, "  Check the self play claim  ", at=25.0)
    assert (note.text, note.time, note.segment_idx) == ("Check the self play claim", 25.0, 2)
    assert note.episode_id == episode and note.created
    with Library.open(library.path) as again:  # saved at once, visible to another connection
        assert notes(again, episode) == [note]


def test_add_on_a_segment_or_to_the_whole_episode(library: Library, episode: int) -> None:
    on_segment = add_note(library, episode, "about networks", segment_idx=1)
    whole = add_note(library, episode, "a general thought")
    early = add_note(library, episode, "at the start", at=0.0)
    assert (on_segment.time, on_segment.segment_idx) == (None, 1)
    assert (whole.time, whole.segment_idx) == (None, None)
    assert early.segment_idx == 0
    # Time order; a note without a time counts as 0 in the store's order.
    assert [n.id for n in notes(library, episode)] == [on_segment.id, whole.id, early.id]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": ""}, "needs some text"),
        ({"text": " \n\t "}, "needs some text"),
        ({"text": "x", "at": 40.0}, "0:40 is past the end of episode"),
        ({"text": "x", "at": -1.0}, "0 or later"),
        ({"text": "x", "at": float("nan")}, "0 or later"),
        ({"text": "x", "segment_idx": 4}, "segments 0-3; there is no segment 4"),
        ({"text": "x", "segment_idx": -1}, "there is no segment -1"),
    ],
)
def test_add_refuses_bad_input_and_writes_nothing(
    library: Library, episode: int, kwargs: dict, message: str
) -> None:
    with pytest.raises(EarmarkError, match=message):
        add_note(library, episode, **kwargs)
    assert library.row_counts()["notes"] == 0


def test_the_last_second_of_an_episode_is_allowed(library: Library, episode: int) -> None:
    # The episode ends at 39.0 s: a time typed as 0:39 is inside it.
    assert add_note(library, episode, "end", at=39.0).segment_idx == 3


def test_unknown_episode_and_note_are_named(library: Library) -> None:
    with pytest.raises(NotFoundError, match="no episode with id 99"):
        add_note(library, 99, "x")
    with pytest.raises(NotFoundError, match="no episode with id 99"):
        notes(library, 99)
    with pytest.raises(NotFoundError, match="no note with id 5"):
        edit_note(library, 5, "x")
    with pytest.raises(NotFoundError, match="no note with id 5"):
        delete_note(library, 5)


def test_edit_returns_before_and_after_and_search_follows(library: Library, episode: int) -> None:
    note = add_note(library, episode, "penguins are birds", at=5.0)
    assert [h.note_id for h in search(library.conn, "penguins")] == [note.id]
    before, after = edit_note(library, note.id, "walruses are mammals")
    assert before == note
    assert (after.id, after.text, after.time, after.created) == (
        note.id,
        "walruses are mammals",
        5.0,
        note.created,
    )
    assert search(library.conn, "penguins") == []
    assert [h.note_id for h in search(library.conn, "walrus")] == [note.id]
    with pytest.raises(EarmarkError, match="needs some text"):
        edit_note(library, note.id, "  ")
    assert library.note(note.id).text == "walruses are mammals"
    # Undo of the edit: the old text back, over the text the edit left.
    assert restore_note(library, before, expected=after).text == "penguins are birds"


def test_delete_then_restore_brings_the_same_note_back(library: Library, episode: int) -> None:
    note = add_note(library, episode, "keep this one", segment_idx=2)
    other = add_note(library, episode, "and this", at=31.0)
    deleted = delete_note(library, note.id)
    assert deleted == note
    assert notes(library, episode) == [other]
    assert search(library.conn, "keep") == []
    restored = restore_note(library, deleted, expected=None)
    assert restored == note
    assert notes(library, episode) == [note, other]
    assert [h.note_id for h in search(library.conn, "keep")] == [note.id]


def test_undo_and_redo_never_write_over_a_note_changed_or_deleted_since(
    library: Library, episode: int
) -> None:
    note = add_note(library, episode, "penguins are birds", at=5.0)
    before, after = edit_note(library, note.id, "walruses are mammals")
    edit_note(library, note.id, "seals are mammals")  # `earmark note edit`, say
    with pytest.raises(ChangedElsewhereError, match=r"^the note “walruses are mammals” was chan"):
        restore_note(library, before, expected=after)
    with pytest.raises(ChangedElsewhereError):
        delete_note(library, note.id, expected=after)  # the undo of adding it
    assert library.note(note.id).text == "seals are mammals"
    delete_note(library, note.id)  # `earmark note delete`
    with pytest.raises(ChangedElsewhereError, match="was deleted elsewhere since"):
        restore_note(library, after, expected=before)
    assert notes(library, episode) == []
    restore_note(library, note, expected=None)  # the undo of deleting it
    with pytest.raises(ChangedElsewhereError, match="is back already"):
        restore_note(library, note, expected=None)
    assert notes(library, episode) == [note]


def test_note_hits_come_first_with_time_segment_and_snippet(library: Library, episode: int) -> None:
    timed = add_note(library, episode, "Deep thoughts on generalisation", at=33.5)
    on_segment = add_note(library, episode, "deep: see the intro", segment_idx=0)
    hits = search(library.conn, "deep")
    assert {h.note_id for h in hits[:2]} == {timed.id, on_segment.id}
    assert all(h.kind == "segment" for h in hits[2:])
    assert len(hits) == 4
    by_id = {h.note_id: h for h in hits[:2]}
    assert (by_id[timed.id].start, by_id[timed.id].segment_idx) == (33.5, 3)
    assert (by_id[on_segment.id].start, by_id[on_segment.id].segment_idx) == (0.0, 0)
    assert by_id[timed.id].title == "Talk" and by_id[timed.id].speaker is None
    assert "\x02Deep\x03" in by_id[timed.id].snippet
    # Paging runs through notes, then segments, as one list.
    assert search(library.conn, "deep", limit=1, offset=1) == hits[1:2]
    assert search(library.conn, "deep", limit=2, offset=1) == hits[1:3]
    assert search(library.conn, "deep", offset=2) == hits[2:]
    assert search(library.conn, "deep", notes=False) == hits[2:]
    assert search(library.conn, "deep", episode_id=episode + 1) == []


def test_notes_are_in_the_markdown_export_with_their_times(library: Library, episode: int) -> None:
    add_note(library, episode, "Later: check the numbers", at=33.0)
    add_note(library, episode, "On the networks line", segment_idx=1)
    add_note(library, episode, "Overall a good talk")
    markdown = render(library.document(episode), "md")
    section = markdown.split("## Notes", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("- ")]
    assert len(lines) == 3
    assert "[00:00:10]" in lines[0] and "On the networks line" in lines[0]
    assert "[00:00:33]" in lines[1] and "check the numbers" in lines[1]
    assert lines[2] == "- Overall a good talk"


def test_notes_go_with_their_episode(library: Library, episode: int) -> None:
    add_note(library, episode, "gone soon", at=1.0)
    library.delete_episode(episode)
    assert library.row_counts()["notes"] == 0
    assert search(library.conn, "gone") == []


def test_a_failed_note_write_leaves_nothing(library: Library, episode: int, tmp_path: Path) -> None:
    library.conn.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON notes BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    with pytest.raises(sqlite3.IntegrityError):
        add_note(library, episode, "x", at=1.0)
    assert library.row_counts()["notes"] == 0
    assert library.conn.execute("SELECT count(*) FROM notes_fts").fetchone()[0] == 0
    assert not library.conn.in_transaction
