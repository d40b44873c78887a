"""Schema upgrades keep a copy of the file first, and a failed upgrade changes nothing.

The failure is real: a version-3 library that already holds a table named `notes_fts`,
which the version-4 migration creates, so SQLite refuses the upgrade halfway through it.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from desktop.core.errors import MigrationError
from desktop.core.store import CONTENT_TABLES, LATEST_VERSION, Library, migrate, schema_version
from desktop.core.store.connection import backup_path
from tests.reliability.helpers import earmark, integrity

OLD = 3  # the step tested is v3 -> v4 (notes_fts, segments.edited)


def v3_library(path: Path, clash: bool = False) -> dict[str, int]:
    """A version-3 library with a row in every content table; with `clash`, also a plain
    table named notes_fts so that the v4 migration fails. Returns its row counts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        assert migrate(conn, target=OLD) == OLD
        conn.execute(
            "INSERT INTO episodes (id, title, source, status, created, updated) "
            "VALUES (1, 'Old talk', 'imported', 'done', '2025-01-01', '2025-01-01')"
        )
        conn.executemany(
            'INSERT INTO segments (episode_id, idx, start, "end", text) VALUES (1, ?, ?, ?, ?)',
            [(i, i * 2.0, i * 2.0 + 2, f"penguins migrate south, part {i}") for i in range(50)],
        )
        conn.execute("INSERT INTO chapters (episode_id, start, title) VALUES (1, 0, 'Intro')")
        conn.execute(
            "INSERT INTO notes (episode_id, segment_idx, time, text, created) "
            "VALUES (1, 3, 6.0, 'ask about krill', '2025-01-02')"
        )
        conn.execute(
            "INSERT INTO insights (episode_id, engine, created, payload) "
            "VALUES (1, 'extractive', '2025-01-03', '{}')"
        )
        if clash:
            conn.execute("CREATE TABLE notes_fts (text TEXT)")
        return table_counts(conn)


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows per content table; a table a later version adds counts as empty."""
    have = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {
        t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] if t in have else 0
        for t in CONTENT_TABLES
    }


def read_back(path: Path) -> tuple[int, dict[str, int], list[str]]:
    """(user_version, row counts, segments' columns) as a second program reads them."""
    with closing(sqlite3.connect(path)) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(segments)")]
        return schema_version(conn), table_counts(conn), columns


def test_upgrade_keeps_a_backup_at_the_old_version(tmp_path: Path) -> None:
    db = tmp_path / "library.sqlite3"
    before = v3_library(db)
    with Library.open(db) as library:
        assert schema_version(library.conn) == LATEST_VERSION
        assert library.row_counts() == before
        assert [h.text for h in library.notes(1)] == ["ask about krill"]
        found = library.conn.execute("SELECT rowid FROM notes_fts WHERE notes_fts MATCH 'krill'")
        assert [r[0] for r in found] == [1]  # the v4 index was built from existing notes
    backup = backup_path(db, OLD)
    assert backup.name == "library.sqlite3.v3-backup"
    version, counts, columns = read_back(backup)
    assert (version, counts) == (OLD, before)
    assert "edited" not in columns  # the copy is from before the upgrade
    assert integrity(backup) == "ok"
    assert not list(tmp_path.glob("*.tmp"))


def test_no_backup_for_a_new_or_current_library(tmp_path: Path) -> None:
    db = tmp_path / "library.sqlite3"
    Library.open(db).close()
    Library.open(db).close()
    assert not list(tmp_path.glob("*backup*"))


def test_failed_upgrade_leaves_the_file_at_its_version_with_a_backup(tmp_path: Path) -> None:
    db = tmp_path / "library.sqlite3"
    before = v3_library(db, clash=True)
    with pytest.raises(MigrationError) as caught:
        Library.open(db)
    backup = backup_path(db, OLD)
    message = str(caught.value)
    for needle in (str(db), str(backup), "unchanged at version 3", "notes_fts"):
        assert needle in message, (needle, message)
    assert caught.value.path == db and caught.value.backup == backup

    version, counts, columns = read_back(db)
    assert (version, counts) == (OLD, before)
    assert "edited" not in columns  # the half-done step was rolled back
    assert integrity(db) == "ok"
    assert read_back(backup)[:2] == (OLD, before)

    # A second try fails the same way and replaces that step's backup (one per step).
    with pytest.raises(MigrationError):
        Library.open(db)
    assert sorted(p.name for p in tmp_path.iterdir() if "backup" in p.name) == [backup.name]


def test_failed_upgrade_is_one_clear_line_in_the_cli(tmp_path: Path) -> None:
    home = tmp_path / "home"
    db = home / "library.sqlite3"
    v3_library(db, clash=True)
    result = earmark("list", home=home)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("earmark: error: could not upgrade")
    assert str(db) in lines[0] and str(backup_path(db, OLD)) in lines[0]
