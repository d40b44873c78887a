"""Where the library lives on disk.

The library folder holds the library file, settings.json and the window's state. It is
`EARMARK_HOME` when set (tests, portable installs), else the folder the user chose in
Settings (remembered in a one-line file in the platform's config folder, outside the
library folder it names), else the platform's data folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

from desktop.core.errors import EarmarkError

APP_NAME = "Earmark"
DB_FILENAME = "library.sqlite3"
LOCATION_FILENAME = "library-location"


def location_file() -> Path:
    return Path(user_config_dir(APP_NAME, appauthor=False)) / LOCATION_FILENAME


def platform_data_dir() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False))


def chosen_data_dir() -> Path | None:
    """The folder chosen in Settings, if any (an unreadable or empty file: none)."""
    try:
        text = location_file().read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return Path(text).expanduser() if text else None


def data_dir() -> Path:
    override = os.environ.get("EARMARK_HOME")
    if override:
        return Path(override).expanduser()
    return chosen_data_dir() or platform_data_dir()


def choose_data_dir(folder: Path | None) -> Path:
    """Keep the library in `folder` from the next start (None: the platform's folder).

    Only the pointer changes: the library that is open stays where it is. Returns the
    folder the next start will use.
    """
    target = location_file()
    try:
        if folder is None:
            target.unlink(missing_ok=True)
            return platform_data_dir()
        folder = Path(folder).expanduser().resolve()
        folder.mkdir(parents=True, exist_ok=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(str(folder) + "\n", encoding="utf-8")
        os.replace(tmp, target)
    except OSError as exc:
        raise EarmarkError(f"cannot keep the library in {folder}: {exc.strerror or exc}") from exc
    return folder


def default_db_path() -> Path:
    return data_dir() / DB_FILENAME
