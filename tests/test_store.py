"""The SQLite library: schema, migrations, transactions, FTS sync."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from desktop.core.errors import EarmarkError, NotFoundError
from desktop.core.insights import Insights, KeyInsight, QuestionAnswer, Takeaway
from desktop.core.model import Chapter, EpisodeSource, EpisodeStatus, Segment, Word
from desktop.core.store import LATEST_VERSION, Library, migrate, schema_version


def _episode_with_segments(library: Library, texts: list[str]) -> int:
    episode = library.create_episode("Talk", EpisodeSource.IMPORTED, EpisodeStatus.DONE)
    library.append_segments(
        episode.id, [Segment(i * 2.0, i * 2.0 + 2, t) for i, t in enumerate(texts)]
    )
    return episode.id


def _fts_rowids(library: Library, word: str) -> list[int]:
    rows = library.conn.execute(
        "SELECT rowid FROM segments_fts WHERE segments_fts MATCH ?", (word,)
    )
    return [r[0] for r in rows]


def test_new_library_has_latest_schema_wal_and_foreign_keys(library: Library) -> None:
    assert schema_version(library.conn) == LATEST_VERSION
    assert library.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert library.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert library.row_counts() == dict.fromkeys(
        ("episodes", "segments", "chapters", "notes", "insights", "shows", "feed_items"), 0
    )


def test_default_location_follows_earmark_home(earmark_home: Path) -> None:
    with Library.open() as library:
        assert library.path == earmark_home / "library.sqlite3"
    assert (earmark_home / "library.sqlite3").is_file()


def test_migrates_a_version_1_file_keeping_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, target=1) == 1
    conn.execute(
        "INSERT INTO episodes (id, title, source, status, created, updated) "
        "VALUES (7, 'Old talk', 'imported', 'done', '2025-01-01', '2025-01-01')"
    )
    conn.execute(
        'INSERT INTO segments (episode_id, idx, start, "end", text) '
        "VALUES (7, 0, 1.5, 3.0, 'penguins migrate south')"
    )
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("SELECT source_path FROM episodes")
    conn.close()

    with Library.open(path) as library:
        assert schema_version(library.conn) == LATEST_VERSION
        episode = library.episode(7)
        assert episode.title == "Old talk"
        assert episode.source_path is None
        assert library.segments(7)[0].text == "penguins migrate south"
        assert _fts_rowids(library, "penguin") == [1]
        library.set_chapters(7, [Chapter(0.0, "Intro")])
        assert library.chapters(7) == [Chapter(0.0, "Intro")]


def test_refuses_a_file_from_a_newer_earmark(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(EarmarkError, match="newer"):
        Library.open(path)


def test_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(EarmarkError, match=r"junk\.sqlite3"):
        Library.open(path)
    assert path.read_bytes() == b"this is not sqlite at all" * 100


def test_failed_transaction_leaves_no_rows(library: Library) -> None:
    before = library.row_counts()
    with pytest.raises(RuntimeError), library.transaction():
        episode = library.create_episode("Half", EpisodeSource.IMPORTED)
        library.append_segments(episode.id, [Segment(0, 1, "first"), Segment(1, 2, "second")])
        raise RuntimeError("disk on fire")
    assert library.row_counts() == before
    assert _fts_rowids(library, "first") == []


def test_fts_follows_inserts_updates_and_cascading_deletes(library: Library) -> None:
    episode_id = _episode_with_segments(library, ["alpha beta", "gamma delta"])
    assert len(_fts_rowids(library, "gamma")) == 1
    library.conn.execute("UPDATE segments SET text = 'epsilon' WHERE text = 'gamma delta'")
    assert _fts_rowids(library, "gamma") == []
    assert len(_fts_rowids(library, "epsilon")) == 1
    library.delete_episode(episode_id)
    assert _fts_rowids(library, "alpha") == []
    assert library.row_counts()["segments"] == 0


def test_segments_keep_order_speaker_and_words(library: Library) -> None:
    episode = library.create_episode("Words", EpisodeSource.TRANSCRIBED)
    words = [Word(0.0, 0.4, " Hello", 0.91), Word(0.4, 0.9, " there", None)]
    library.append_segments(episode.id, [Segment(0.0, 0.9, "Hello there", "Ann", words)])
    library.append_segments(episode.id, [Segment(0.9, 2.0, "General Kenobi", "Ben")])
    stored = library.segments(episode.id)
    assert [s.text for s in stored] == ["Hello there", "General Kenobi"]
    assert stored[0].words == words
    assert stored[1].words is None
    assert stored[1].speaker == "Ben"
    assert library.episode(episode.id).segment_count == 2


def test_unknown_episode_is_a_clear_error(library: Library) -> None:
    with pytest.raises(NotFoundError, match="no episode with id 42"):
        library.episode(42)


def test_notes_and_insights_round_trip(library: Library) -> None:
    episode_id = _episode_with_segments(library, ["one", "two"])
    library.add_note(episode_id, "check this", segment_idx=1, time=2.0)
    insights = Insights(
        tldr="Short.",
        summary="Longer.",
        engine="extractive",
        key_insights=[KeyInsight("🧠", "Idea", "An idea.", 0.0)],
        qa=[QuestionAnswer("Why?", "Because.", 2.0)],
        takeaways=[Takeaway("Do it.", 2.0)],
    )
    library.save_insights(episode_id, insights)
    doc = library.document(episode_id)
    assert doc.notes[0].text == "check this"
    assert doc.notes[0].segment_idx == 1
    assert doc.insights == insights


def test_sqlite_utils_can_query_the_library(library: Library) -> None:
    _episode_with_segments(library, ["the walrus said", "time has come"])
    db = sqlite_utils.Database(library.path)
    assert db["segments"].count == 2
    assert "segments_fts" in db.table_names()
    hits = list(db["segments"].search("walrus"))
    assert [h["text"] for h in hits] == ["the walrus said"]


def test_segments_without_words_and_one_row_s_words(library) -> None:
    from desktop.core.model import EpisodeSource, EpisodeStatus, Segment, Word

    episode = library.create_episode("W", EpisodeSource.TRANSCRIBED, EpisodeStatus.DONE)
    words = [Word(0.0, 0.4, " Hello", 0.9), Word(0.4, 0.9, " there.", 0.8)]
    library.append_segments(
        episode.id, [Segment(0.0, 0.9, "Hello there.", words=words), Segment(1.0, 2.0, "Bye.")]
    )
    light = library.segments(episode.id, words=False)
    assert [s.text for s in light] == ["Hello there.", "Bye."]
    assert all(s.words is None for s in light)
    assert library.segment_words(episode.id, 0) == words
    assert library.segment_words(episode.id, 1) is None
    assert library.segment_words(episode.id, 7) is None
    assert [s.text for s in library.segments(episode.id, first=1)] == ["Bye."]


def test_migrates_a_version_3_file_to_edited_flags_and_searchable_notes(tmp_path: Path) -> None:
    path = tmp_path / "v3.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, target=3) == 3
    conn.execute(
        "INSERT INTO episodes (id, title, source, status, created, updated) "
        "VALUES (4, 'Old talk', 'transcribed', 'done', '2025-01-01', '2025-01-01')"
    )
    conn.execute(
        'INSERT INTO segments (episode_id, idx, start, "end", text, speaker, words) '
        "VALUES (4, 0, 0.0, 2.0, 'penguins migrate south', 'Ann', "
        '\'[{"start":0.0,"end":0.5,"word":" penguins","probability":0.9}]\')'
    )
    conn.execute(
        "INSERT INTO notes (episode_id, segment_idx, time, text, created) "
        "VALUES (4, 0, 1.0, 'walrus sighting noted', '2025-01-02')"
    )
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("SELECT edited FROM segments")
    conn.close()

    with Library.open(path) as library:
        assert schema_version(library.conn) == LATEST_VERSION == 7
        (segment,) = library.segments(4)
        assert (segment.text, segment.speaker, segment.edited) == (
            "penguins migrate south",
            "Ann",
            False,
        )
        assert segment.words == [Word(0.0, 0.5, " penguins", 0.9)]
        # Notes written before v4 are in the new index; new ones follow by trigger.
        rows = library.conn.execute(
            "SELECT rowid FROM notes_fts WHERE notes_fts MATCH 'walrus'"
        ).fetchall()
        assert [r[0] for r in rows] == [1]
        library.add_note(4, "a second walrus", time=1.5)
        rows = library.conn.execute(
            "SELECT count(*) FROM notes_fts WHERE notes_fts MATCH 'walrus'"
        ).fetchone()
        assert rows[0] == 2
        library.update_segment(4, 0, "penguins fly north", segment.words, edited=True)
        assert library.segment(4, 0).edited
        assert _fts_rowids(library, "north") == [1]
        assert _fts_rowids(library, "south") == []
        with pytest.raises(sqlite3.IntegrityError):
            library.conn.execute("UPDATE segments SET edited = 2")


def test_sqlite_utils_sees_the_notes_index(library: Library) -> None:
    episode_id = _episode_with_segments(library, ["one"])
    library.add_note(episode_id, "remember the walrus", time=0.5)
    db = sqlite_utils.Database(library.path)
    assert "notes_fts" in db.table_names()
    assert [h["text"] for h in db["notes"].search("walrus")] == ["remember the walrus"]
