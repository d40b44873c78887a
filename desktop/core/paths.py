"""Where the library lives on disk."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "Earmark"
DB_FILENAME = "library.sqlite3"


def data_dir() -> Path:
    """`EARMARK_HOME` when set (tests, portable installs), else the platform's data folder."""
    override = os.environ.get("EARMARK_HOME")
    if override:
        return Path(override).expanduser()
    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    return data_dir() / DB_FILENAME
