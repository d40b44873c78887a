"""Errors a user can act on: the CLI prints them without a traceback."""

from __future__ import annotations

from pathlib import Path


class EarmarkError(Exception):
    """Base for problems caused by input or state the user controls."""


class NotFoundError(EarmarkError):
    """An episode (or other record) the user named does not exist."""


class ChangedElsewhereError(EarmarkError):
    """An undo or redo found the row no longer as this program left it: another writer
    (`earmark edit`, a second window) changed or deleted it since, so nothing was written.
    The message says what changed ("segment 41 was changed elsewhere since")."""


class TranscriptFormatError(EarmarkError):
    """A transcript file could not be read; names the file and, when known, the line."""

    def __init__(self, path: Path | str | None, message: str, line: int | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.path) if self.path is not None else "<input>"
        if self.line is not None:
            where = f"{where}, line {self.line}"
        return f"{where}: {self.message}"


class ModelError(EarmarkError):
    """A Whisper model folder is missing, incomplete or cannot be loaded."""


class ModelNeededError(ModelError):
    """The chosen model cannot do what was asked (an English-only model and another
    language); `model` names one to fetch that can, so a window can offer to fetch it."""

    def __init__(self, message: str, model: str) -> None:
        super().__init__(message)
        self.model = model


class LibraryError(EarmarkError):
    """The library file cannot be used as asked (full disk, lock, damage, ...).

    `path` is the library file, so a front end can offer a fix for that file (the window
    offers to move a damaged one aside).
    """

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = Path(path)
        super().__init__(message)


class StorageFullError(LibraryError):
    """The disk holding the library is full: the change was rolled back, nothing was lost."""


class LibraryLockedError(LibraryError):
    """Another program held a write lock on the library for longer than the busy timeout."""


class LibraryReadOnlyError(LibraryError):
    """The library file or its folder cannot be written; reading may still work."""


class LibraryCorruptError(LibraryError):
    """The library file is damaged (or not a SQLite file at all)."""


class MigrationError(LibraryError):
    """A schema upgrade failed; the file is unchanged at its previous version.

    `backup` is the copy saved before the upgrade started (None if there was none).
    """

    def __init__(self, path: Path | str, message: str, backup: Path | None = None) -> None:
        self.backup = backup
        super().__init__(path, message)
