"""SQLite storage of the library."""

from desktop.core.store.library import CONTENT_TABLES, Library
from desktop.core.store.migrations import LATEST_VERSION, migrate, schema_version
from desktop.core.store.versions import TranscriptVersion

__all__ = [
    "CONTENT_TABLES",
    "LATEST_VERSION",
    "Library",
    "TranscriptVersion",
    "migrate",
    "schema_version",
]
