"""Where the data files under resources/ are (icons, styles, the sample, insight tables)."""

from __future__ import annotations

import os
from pathlib import Path


def resources_dir() -> Path:
    """`EARMARK_RESOURCES` when set (packaged builds), else the source tree's resources/."""
    override = os.environ.get("EARMARK_RESOURCES")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "resources"
