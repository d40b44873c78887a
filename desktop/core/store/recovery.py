"""A damaged library: check it, and move it aside (kept, never deleted) for a fresh start.

`PRAGMA quick_check` reads the whole file (about 1 s for 1,000 episodes), too slow for
every start; instead damage is reported wherever a query meets it (store/faults.py), and
`check()` runs the full integrity check on request (`earmark db check`).
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from desktop.core.errors import EarmarkError, LibraryCorruptError
from desktop.core.store.library import Library

# The files SQLite keeps beside the library while it is open (or after a crash).
SIDECARS = ("-wal", "-shm", "-journal")
# At most this many integrity problems are reported: the first ones say enough.
MAX_PROBLEMS = 20


def check(library: Library) -> list[str]:
    """Problems PRAGMA integrity_check finds (empty: the library is sound)."""
    try:
        rows = library.conn.execute(f"PRAGMA integrity_check({MAX_PROBLEMS})").fetchall()
    except LibraryCorruptError as exc:
        return [str(exc.__cause__ or exc)]
    problems = [str(row[0]) for row in rows]
    return [] if problems == ["ok"] else problems


def is_damaged(path: Path) -> bool:
    """Whether the library at `path` cannot be opened or fails its integrity check."""
    try:
        with Library.open(path) as library:
            return bool(check(library))
    except LibraryCorruptError:
        return True


def aside_path(path: Path, when: datetime | None = None) -> Path:
    """Where move_aside() puts the damaged file: library.sqlite3.damaged-YYYYmmdd-HHMMSS,
    with -2, -3... when that name is taken."""
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 2
    while any(_with_suffix(candidate, s).exists() for s in ("", *SIDECARS)):
        candidate = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
        n += 1
    return candidate


def move_aside(path: Path, aside: Path | None = None) -> Path:
    """Rename the library file and its sidecars to `aside` (default: aside_path()).

    The -wal goes first: a new library.sqlite3 next to an old library.sqlite3-wal would
    take that log's pages as its own. The copy keeps its -wal under the new name, so it
    opens with everything it held (`sqlite3 COPY .recover` may salvage its content).
    """
    aside = aside or aside_path(path)
    try:
        for suffix in SIDECARS:
            sidecar = _with_suffix(path, suffix)
            if sidecar.exists():
                os.replace(sidecar, _with_suffix(aside, suffix))
        os.replace(path, aside)
    except OSError as exc:
        raise EarmarkError(
            f"cannot move the library {path} aside ({exc.strerror or exc}); close any "
            "program using it and try again"
        ) from exc
    return aside


def start_afresh(path: Path, aside: Path | None = None) -> tuple[Path, Library]:
    """Move the damaged library aside and open a new, empty one in its place."""
    moved = move_aside(path, aside)
    return moved, Library.open(path)


def _with_suffix(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)
