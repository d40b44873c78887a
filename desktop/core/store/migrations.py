"""Forward-only schema migrations, tracked in `PRAGMA user_version`.

Each entry upgrades the schema by one version and runs inside the caller's transaction,
so a failed upgrade leaves the file at its previous version.
"""

from __future__ import annotations

import sqlite3

_V1 = """
CREATE TABLE episodes (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    media_path TEXT,
    media_sha256 TEXT,
    duration REAL,
    language TEXT,
    source TEXT NOT NULL CHECK (source IN ('imported', 'transcribed')),
    engine TEXT,
    model TEXT,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'transcribing', 'done', 'failed')),
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE UNIQUE INDEX episodes_media_sha256 ON episodes (media_sha256)
    WHERE media_sha256 IS NOT NULL;

CREATE TABLE segments (
    id INTEGER PRIMARY KEY,
    episode_id INTEGER NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    start REAL NOT NULL,
    "end" REAL NOT NULL,
    text TEXT NOT NULL,
    speaker TEXT,
    words TEXT CHECK (words IS NULL OR json_valid(words)),
    UNIQUE (episode_id, idx)
);

-- content="segments" spelled this way so that sqlite-utils and Datasette detect the index.
CREATE VIRTUAL TABLE segments_fts USING fts5 (
    text,
    content="segments",
    content_rowid="id",
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER segments_ai AFTER INSERT ON segments BEGIN
    INSERT INTO segments_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER segments_ad AFTER DELETE ON segments BEGIN
    INSERT INTO segments_fts (segments_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER segments_au AFTER UPDATE OF text ON segments BEGIN
    INSERT INTO segments_fts (segments_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO segments_fts (rowid, text) VALUES (new.id, new.text);
END;

CREATE TABLE insights (
    id INTEGER PRIMARY KEY,
    episode_id INTEGER NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
    engine TEXT NOT NULL,
    model TEXT,
    created TEXT NOT NULL,
    payload TEXT NOT NULL CHECK (json_valid(payload))
);
CREATE INDEX insights_episode ON insights (episode_id);

CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    episode_id INTEGER NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
    segment_idx INTEGER,
    time REAL,
    text TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE INDEX notes_episode ON notes (episode_id);
"""

# v2: imported transcripts remember their file (so a re-import finds the episode) and
# chapters from Markdown transcripts get a table of their own.
_V2 = """
ALTER TABLE episodes ADD COLUMN source_path TEXT;
ALTER TABLE episodes ADD COLUMN source_sha256 TEXT;
CREATE INDEX episodes_source_sha256 ON episodes (source_sha256);

CREATE TABLE chapters (
    id INTEGER PRIMARY KEY,
    episode_id INTEGER NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
    start REAL NOT NULL,
    title TEXT NOT NULL
);
CREATE INDEX chapters_episode ON chapters (episode_id, start);
"""

# v3: remembered media hashes, so opening a known (possibly multi-gigabyte) file again does
# not read it all: the hash is reused while the path, size and modification time match.
_V3 = """
CREATE TABLE media_hashes (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL
);
"""

# v4: corrections and searchable notes. A segment whose text a person corrected is marked
# `edited`; notes get an FTS5 index of their own (same tokenizer as the segments, external
# content, kept in sync by triggers) so that library search finds them too.
_V4 = """
ALTER TABLE segments ADD COLUMN edited INTEGER NOT NULL DEFAULT 0 CHECK (edited IN (0, 1));

CREATE VIRTUAL TABLE notes_fts USING fts5 (
    text,
    content="notes",
    content_rowid="id",
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO notes_fts (notes_fts) VALUES ('rebuild');
CREATE TRIGGER notes_ai AFTER INSERT ON notes BEGIN
    INSERT INTO notes_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER notes_ad AFTER DELETE ON notes BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER notes_au AFTER UPDATE OF text ON notes BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO notes_fts (rowid, text) VALUES (new.id, new.text);
END;
"""

# v5: a transcript replaced by a run with another model is kept (one per episode) with the
# insights made from it, so that Undo (and `earmark transcribe --undo`) can swap it back.
# `fingerprint` is what the transcript it made way for looked like when the swap was made:
# a swap back is refused once that transcript was changed since (a correction elsewhere).
_V5 = """
CREATE TABLE replaced_transcripts (
    episode_id INTEGER PRIMARY KEY REFERENCES episodes (id) ON DELETE CASCADE,
    replaced TEXT NOT NULL,
    engine TEXT,
    model TEXT,
    language TEXT,
    segments TEXT NOT NULL CHECK (json_valid(segments)),
    insights TEXT NOT NULL CHECK (json_valid(insights)),
    fingerprint TEXT NOT NULL
);
"""

# v6: podcasts by feed, and chapters Earmark made (marked, so they never pass for the
# episode's own). A show is a subscribed feed; its items are what the feed lists,
# kept across refreshes by guid, each linked to its episode once downloaded. Removing a
# show keeps the episodes made from it (they are the user's: notes, corrections).
_V6 = """
CREATE TABLE shows (
    id INTEGER PRIMARY KEY,
    feed_url TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    link TEXT,
    description TEXT NOT NULL DEFAULT '',
    author TEXT,
    artwork_url TEXT,
    language TEXT,
    auto_download INTEGER NOT NULL DEFAULT 0 CHECK (auto_download IN (0, 1)),
    added TEXT NOT NULL,
    refreshed TEXT
);

CREATE TABLE feed_items (
    id INTEGER PRIMARY KEY,
    show_id INTEGER NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
    guid TEXT NOT NULL,
    title TEXT NOT NULL,
    published TEXT,
    duration REAL,
    description TEXT NOT NULL DEFAULT '',
    enclosure_url TEXT,
    enclosure_type TEXT,
    enclosure_length INTEGER,
    transcript_url TEXT,
    transcript_type TEXT,
    chapters_url TEXT,
    link TEXT,
    episode_id INTEGER REFERENCES episodes (id) ON DELETE SET NULL,
    first_seen TEXT NOT NULL,
    UNIQUE (show_id, guid)
);
CREATE INDEX feed_items_show ON feed_items (show_id, published);
CREATE INDEX feed_items_episode ON feed_items (episode_id);

ALTER TABLE chapters ADD COLUMN made INTEGER NOT NULL DEFAULT 0 CHECK (made IN (0, 1));
"""

# v7: the window's transcription queue, so that it survives a restart (or a crash: an
# entry left running is waiting again at the next start, and its file resumes).
_V7 = """
CREATE TABLE queue (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    title TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'waiting'
        CHECK (state IN ('waiting', 'running', 'held', 'done', 'failed', 'cancelled')),
    position REAL NOT NULL,
    added TEXT NOT NULL,
    episode_id INTEGER REFERENCES episodes (id) ON DELETE SET NULL,
    engine TEXT,
    error TEXT,
    ended TEXT
);
CREATE INDEX queue_order ON queue (state, position);
"""

MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3, _V4, _V5, _V6, _V7)
LATEST_VERSION = len(MIGRATIONS)


class SchemaTooNewError(RuntimeError):
    """The file was written by a newer Earmark; opening it could corrupt it."""

    def __init__(self, version: int) -> None:
        super().__init__(
            f"library schema version {version} is newer than this Earmark "
            f"understands ({LATEST_VERSION}); upgrade Earmark to open it"
        )


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = LATEST_VERSION) -> int:
    """Apply the missing migrations up to `target`; returns the version reached.

    The connection must be in autocommit mode (isolation_level=None): every step runs in its
    own explicit transaction together with its `user_version` bump.
    """
    current = schema_version(conn)
    if current > LATEST_VERSION:
        raise SchemaTooNewError(current)
    for version in range(current + 1, target + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(MIGRATIONS[version - 1]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
        except BaseException:
            # SQLite has already rolled back after some errors (a full disk); a ROLLBACK
            # then would replace that error with "no transaction is active".
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return schema_version(conn)


def _statements(script: str) -> list[str]:
    """Split a script into statements, keeping trigger bodies whole."""
    statements: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip():
                statements.append(pending.strip())
            pending = ""
    if pending.strip():
        statements.append(pending.strip())
    return statements
