"""SQLite storage of the library."""

from desktop.core.store.library import CONTENT_TABLES, Library
from desktop.core.store.migrations import LATEST_VERSION, migrate, schema_version

__all__ = ["CONTENT_TABLES", "LATEST_VERSION", "Library", "migrate", "schema_version"]
