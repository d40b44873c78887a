"""The user's settings: one JSON file beside the library, written atomically.

Precedence everywhere: a command-line flag, then an environment variable, then this file,
then the built-in default.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from desktop.core.errors import EarmarkError
from desktop.core.exporters.files import write_atomic
from desktop.core.paths import data_dir

SETTINGS_FILENAME = "settings.json"


@dataclass(slots=True)
class Settings:
    model_dir: str | None = None  # a CTranslate2 Whisper folder; None: embedded tiny.en
    language: str | None = None  # None: English for .en models, detected for others
    beam_size: int | None = None  # None: the engine's default
    vad: bool | None = None  # None: on (skip silence)
    # None: extractive; "openai": the server below; "local": llm_model_file in-process
    insight_engine: str | None = None
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_context_tokens: int | None = None
    llm_api_key_env: str | None = None  # the variable holding the key, never the key itself
    llm_model_file: str | None = None  # the local engine's model: a listed name or a .gguf
    # Whisper servers of the user's (OpenAI-compatible), comma-separated; None: this machine
    stt_servers: str | None = None
    stt_model: str | None = None  # the model to ask them for; None: "whisper-1"
    stt_api_key_env: str | None = None  # the variable holding their key
    # A folder the window watches: new audio and video in it are queued; None: off
    watch_folder: str | None = None


KEYS = tuple(f.name for f in fields(Settings))
_INTS = {"beam_size", "llm_context_tokens"}
_BOOLS = {"vad"}
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
INSIGHT_ENGINES = ("extractive", "openai", "local")


def settings_path() -> Path:
    return data_dir() / SETTINGS_FILENAME


def load_settings(path: Path | None = None) -> Settings:
    """The saved settings; a missing file means defaults, a broken one is a clear error."""
    path = path or settings_path()
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        raise EarmarkError(f"{path}: cannot read the settings: {exc.strerror or exc}") from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise EarmarkError(
            f"{path}, line {exc.lineno}: the settings file is not valid JSON ({exc.msg}); "
            "fix or delete it"
        ) from exc
    if not isinstance(data, dict):
        raise EarmarkError(f"{path}: the settings file must hold a JSON object")
    settings = Settings()
    for key, value in data.items():
        if key in KEYS and value is not None:  # unknown keys: from a newer Earmark, ignored
            setattr(settings, key, parse_value(key, value, path))
    return settings


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    values = {k: v for k, v in asdict(settings).items() if v is not None}
    write_atomic(path, json.dumps(values, ensure_ascii=False, indent=2) + "\n")
    return path


def parse_value(key: str, value: Any, source: Path | str | None = None) -> Any:
    """A setting's value checked and converted (from JSON or from the command line)."""
    if key not in KEYS:
        raise EarmarkError(f"unknown setting {key!r}; known: {', '.join(KEYS)}")
    if key in _INTS:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise EarmarkError(
                f"{_where(source)}{key} must be a whole number, not {value!r}"
            ) from None
        if number < 1:
            raise EarmarkError(f"{_where(source)}{key} must be at least 1")
        return number
    if key in _BOOLS:
        return _parse_bool(key, value, source)
    if not isinstance(value, str) or not value.strip():
        raise EarmarkError(f"{_where(source)}{key} must be a non-empty text")
    if key == "llm_base_url" and not value.startswith(("http://", "https://")):
        raise EarmarkError(f"{_where(source)}llm_base_url must start with http:// or https://")
    if key == "stt_servers":
        urls = [url.strip() for url in value.split(",") if url.strip()]
        if not urls or any(not url.startswith(("http://", "https://")) for url in urls):
            raise EarmarkError(
                f"{_where(source)}stt_servers must be http:// or https:// URLs, comma-separated"
            )
        return ",".join(urls)
    if key == "watch_folder":
        return str(Path(value.strip()).expanduser())
    if key == "insight_engine" and value.strip() not in INSIGHT_ENGINES:
        raise EarmarkError(
            f"{_where(source)}insight_engine must be one of {', '.join(INSIGHT_ENGINES)}"
        )
    return value.strip()


def _parse_bool(key: str, value: Any, source: Path | str | None) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise EarmarkError(f"{_where(source)}{key} must be true or false, not {value!r}")


def _where(source: Path | str | None) -> str:
    """ "FILE: " for a value read from a file; nothing for one typed on the command line."""
    return f"{source}: " if source else ""
