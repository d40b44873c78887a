"""Errors a user can act on: the CLI prints them without a traceback."""

from __future__ import annotations

from pathlib import Path


class EarmarkError(Exception):
    """Base for problems caused by input or state the user controls."""


class NotFoundError(EarmarkError):
    """An episode (or other record) the user named does not exist."""


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
