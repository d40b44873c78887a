"""Opening the library file: settings, a read-only fallback, a backup before each upgrade.

Faults become LibraryError subclasses (store/faults.py); a file that cannot be written is
opened read-only when SQLite can still read it, so list, search and show keep working.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
from pathlib import Path

from desktop.core.errors import (
    EarmarkError,
    LibraryError,
    LibraryReadOnlyError,
    MigrationError,
    StorageFullError,
)
from desktop.core.store.faults import GuardedConnection, full_message, raise_translated, translate
from desktop.core.store.migrations import (
    LATEST_VERSION,
    SchemaTooNewError,
    migrate,
    schema_version,
)

# How long a write waits for another program's write to finish before giving up with
# LibraryLockedError. Long enough for any single write of ours (a clip, an import).
BUSY_TIMEOUT_MS = 5000


def connect(path: Path) -> tuple[sqlite3.Connection, bool]:
    """An autocommit connection to the library at `path`, at the latest schema.

    Returns (connection, read_only). Raises LibraryError (or a subclass) naming the file.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LibraryError(path, f"cannot open the library {path}: {_reason(exc)}") from exc
    read_only = False
    try:
        conn = _connect(str(path), path)
    except LibraryReadOnlyError:
        if not path.is_file():
            raise
        conn = _connect_read_only(path)
        read_only = True
    try:
        _prepare_schema(conn, path, read_only)
    except BaseException:
        conn.close()
        raise
    return conn, read_only


def _connect(target: str, path: Path, uri: bool = False, wal: bool = True) -> sqlite3.Connection:
    """A GuardedConnection to `target` (the file `path`, or a URI for it) with our settings.

    The first statements already read the file, so a locked, damaged or unwritable file
    is reported here and not at some later query.
    """
    try:
        conn = sqlite3.connect(
            target,
            uri=uri,
            isolation_level=None,
            check_same_thread=False,
            factory=GuardedConnection,
        )
    except sqlite3.Error as exc:
        raise_translated(exc, path)
    assert isinstance(conn, GuardedConnection)
    conn.library_path = path
    conn.row_factory = sqlite3.Row
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if wal:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        # Page 1 and the schema table: a file that is not SQLite, or a truncated one.
        conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """Open a library whose file or folder cannot be written.

    mode=ro works when the -wal and -shm files exist. Without them (the library was closed
    cleanly) SQLite needs to create -shm, which a read-only folder forbids; then the file
    is opened immutable, which is right as nobody can write it. A left-over -wal with
    content would be ignored by an immutable open, so that case stays an error.
    """
    uri = Path(os.path.abspath(path)).as_uri()  # percent-encodes '?', '#' and '%'
    try:
        return _connect(f"{uri}?mode=ro", path, uri=True, wal=False)
    except LibraryReadOnlyError:
        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise
        return _connect(f"{uri}?mode=ro&immutable=1", path, uri=True, wal=False)


def _prepare_schema(conn: sqlite3.Connection, path: Path, read_only: bool) -> None:
    """Upgrade the schema, first saving a copy of the file as it was (backup_path())."""
    version = schema_version(conn)
    if version > LATEST_VERSION:
        raise EarmarkError(f"{path}: {SchemaTooNewError(version)}")
    if version == LATEST_VERSION:
        return
    if read_only and version >= 1:
        raise LibraryReadOnlyError(
            path,
            f"the library {path} needs an upgrade from schema version {version} to "
            f"{LATEST_VERSION}, but it is read-only; make it writable and try again",
        )
    backup = backup_copy(conn, path, version) if version >= 1 else None
    try:
        migrate(conn)
    except LibraryError:
        raise  # a full disk or a lock: that message says what to do; the file is unchanged
    except sqlite3.Error as exc:
        raise _migration_failed(conn, path, version, backup, exc) from exc


def _migration_failed(
    conn: sqlite3.Connection, path: Path, old: int, backup: Path | None, exc: Exception
) -> MigrationError:
    try:
        now = schema_version(conn)
    except (sqlite3.Error, EarmarkError):
        now = old
    saved = f"; a copy from before the upgrade is at {backup}" if backup else ""
    return MigrationError(
        path,
        f"could not upgrade the library {path} from schema version {old} to "
        f"{LATEST_VERSION} ({exc}); the file is unchanged at version {now}{saved}. "
        "Please report this problem",
        backup,
    )


def backup_path(path: Path, version: int) -> Path:
    """Where the copy of a version-`version` library is kept before it is upgraded.

    One per version step, beside the library; a later upgrade from the same version
    replaces it.
    """
    return path.with_name(f"{path.name}.v{version}-backup")


def backup_copy(conn: sqlite3.Connection, path: Path, version: int) -> Path:
    """Copy the open library with SQLite's backup API (consistent, WAL content included)
    to backup_path(); written under a temporary name and renamed, so a failed copy never
    replaces an earlier good one."""
    target = backup_path(path, version)
    tmp = target.with_name(target.name + ".tmp")
    try:
        tmp.unlink(missing_ok=True)
        dest = sqlite3.connect(tmp)
        try:
            conn.backup(dest)
        finally:
            dest.close()
        os.replace(tmp, target)
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise _backup_failed(path, target, exc) from exc
    return target


def _backup_failed(path: Path, target: Path, exc: OSError | sqlite3.Error) -> LibraryError:
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return StorageFullError(path, full_message(path))
    translated = translate(exc, path) if isinstance(exc, sqlite3.Error) else None
    if translated is not None:  # a full disk, or the library itself is damaged
        return translated
    return LibraryError(
        path,
        f"cannot save a copy of the library {path} as {target} before upgrading it "
        f"({_reason(exc)}); nothing was changed",
    )


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)
