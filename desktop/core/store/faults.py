"""Storage faults in words a person can act on, translated at one place: the connection.

Every statement the library runs goes through `GuardedConnection` (Library's own methods,
migrations, search, the services), so a full disk, a lock held by another program, a
read-only file or a damaged file surfaces as one `LibraryError` subclass naming the file,
wherever it happens, instead of sqlite3's "database is locked" and a traceback. Other
sqlite3 errors (SQL mistakes, constraint violations) pass through unchanged.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NoReturn

from desktop.core.errors import (
    LibraryCorruptError,
    LibraryError,
    LibraryLockedError,
    LibraryReadOnlyError,
    StorageFullError,
)

# Below this much free space an I/O error is most likely the full disk (SQLite reports a
# full disk as SQLITE_FULL for the file itself, but as an I/O error for the -shm map).
NEARLY_FULL_BYTES = 1 << 20


def translate(exc: sqlite3.Error, path: Path) -> LibraryError | None:
    """The LibraryError that explains `exc` for the library at `path`, or None when `exc` is
    not a storage fault (a bug or a constraint: those keep their own type)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return None
    primary = code & 0xFF  # extended codes keep the primary one in the low byte
    if primary == sqlite3.SQLITE_FULL or (
        primary == sqlite3.SQLITE_IOERR and _nearly_full(path.parent)
    ):
        return StorageFullError(path, full_message(path))
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return LibraryLockedError(
            path, f"the library {path} is in use by another program; try again when it finishes"
        )
    if primary == sqlite3.SQLITE_READONLY:
        return LibraryReadOnlyError(path, read_only_message(path))
    if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return LibraryCorruptError(path, f"the library {path} is damaged ({exc})")
    if primary == sqlite3.SQLITE_IOERR:
        return LibraryError(
            path, f"cannot read or write the library {path} ({exc}); check the disk it is on"
        )
    if primary == sqlite3.SQLITE_CANTOPEN:
        return _cannot_open(path, exc)
    return None


def full_message(path: Path) -> str:
    # Said for reads too: with no free space SQLite cannot even make the -shm index
    # it needs to open the file. Either way nothing was written.
    return (
        f"the disk holding the library {path} is full; nothing was saved and the library "
        "is unchanged. Free some space on that disk and try again"
    )


def read_only_message(path: Path) -> str:
    return (
        f"the library {path} is read-only (the file or its folder cannot be written), "
        "so changes cannot be saved; make it writable and try again"
    )


def _cannot_open(path: Path, exc: sqlite3.Error) -> LibraryError:
    folder = path.parent
    if not folder.is_dir():
        return LibraryError(path, f"cannot open the library {path}: folder {folder} is missing")
    if not _writable(folder) or (path.exists() and not _writable(path)):
        return LibraryReadOnlyError(path, read_only_message(path))
    return LibraryError(path, f"cannot open the library {path} ({exc})")


def _writable(path: Path) -> bool:
    # access() says no on a read-only mount and for an immutable file, even to root.
    return os.access(path, os.W_OK)


def _nearly_full(folder: Path) -> bool:
    try:
        stats = os.statvfs(folder)
    except (OSError, AttributeError):  # no statvfs on Windows
        return False
    return stats.f_bfree * stats.f_frsize < NEARLY_FULL_BYTES


def _raise_translated(exc: sqlite3.Error, conn: sqlite3.Connection) -> None:
    """Raise the translation of `exc` if it is a storage fault; else return (the caller
    re-raises the original)."""
    path = getattr(conn, "library_path", None)
    if path is None:
        return
    translated = translate(exc, path)
    if translated is not None:
        raise translated from exc


class GuardedCursor(sqlite3.Cursor):
    """A cursor whose storage faults arrive as LibraryError (see the module docstring).

    Rows are translated too: a damaged page may only be reached halfway through a scan.
    """

    def execute(self, sql: str, parameters: Any = (), /) -> GuardedCursor:
        try:
            return super().execute(sql, parameters)
        except sqlite3.Error as exc:
            _raise_translated(exc, self.connection)
            raise

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> GuardedCursor:
        try:
            return super().executemany(sql, parameters)
        except sqlite3.Error as exc:
            _raise_translated(exc, self.connection)
            raise

    def fetchone(self) -> Any:
        try:
            return super().fetchone()
        except sqlite3.Error as exc:
            _raise_translated(exc, self.connection)
            raise

    def fetchmany(self, size: int | None = 1) -> list[Any]:
        try:
            return super().fetchmany(size if size is not None else self.arraysize)
        except sqlite3.Error as exc:
            _raise_translated(exc, self.connection)
            raise

    def fetchall(self) -> list[Any]:
        try:
            return super().fetchall()
        except sqlite3.Error as exc:
            _raise_translated(exc, self.connection)
            raise

    def __next__(self) -> Any:
        try:
            return super().__next__()
        except sqlite3.Error as exc:
            _raise_translated(exc, self.connection)
            raise


class GuardedConnection(sqlite3.Connection):
    """sqlite3.Connection whose statements run on GuardedCursors.

    `library_path` names the file in the messages. Connection.execute does not go through
    cursor() in CPython, so both are overridden.
    """

    library_path: Path | None = None

    def cursor(self, factory: Any = GuardedCursor) -> Any:
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Any:
        return self.cursor().executemany(sql, parameters)


def raise_translated(exc: sqlite3.Error, path: Path) -> NoReturn:
    """Raise the LibraryError for `exc` (or `exc` itself when it is no storage fault)."""
    translated = translate(exc, path)
    if translated is not None:
        raise translated from exc
    raise exc
