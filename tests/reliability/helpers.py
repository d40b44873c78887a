"""Helpers shared by the fault, crash, concurrency and fuzz tests (import from here)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

EARMARK = [sys.executable, "-m", "desktop.cli.main"]


def earmark(
    *args: str, home: Path, timeout: float = 240, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run the real `earmark` command in a child process on the library in `home`."""
    environ = {**os.environ, "EARMARK_HOME": str(home), **env}
    return subprocess.run(
        [*EARMARK, *args], capture_output=True, text=True, timeout=timeout, env=environ
    )


def integrity(db: Path) -> str:
    """PRAGMA integrity_check of the file, read as a second program would."""
    with sqlite3.connect(db, timeout=10) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
