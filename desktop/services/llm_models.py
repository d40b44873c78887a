"""Use case: the GGUF models of the in-process insight engine — list, fetch, remove, use.

Nothing is downloaded unless the user asks (`earmark llm pull`, or Download in Settings).
A model is fetched from the hub into the data folder's models/llm/ through the one
downloader (resume, checksum, temp name then rename), then checked to be a GGUF file.
`use` makes a listed model, or any .gguf file the user already has, the insight engine.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from desktop.core.downloads import (
    DownloadProgress,
    binary_only,
    download,
    partial_path,
    remove_partial,
)
from desktop.core.errors import EarmarkError
from desktop.core.insights.llm.local import LocalModelConfig
from desktop.core.models.llm_catalog import LLM_MODELS, LLMModel, find_llm_model
from desktop.core.paths import data_dir
from desktop.core.settings import Settings, load_settings, save_settings

GGUF_MAGIC = b"GGUF"
DEFAULT_LOCAL_CONTEXT = 8192
# Room for the reply: the engine sizes the reply's lists and texts to end within it (see
# llm/schema.fit_to_tokens), and gives it at most a third of the context; 2,500 keeps
# three insights, two questions and four takeaways of full length.
DEFAULT_LOCAL_OUTPUT = 2500
LOCAL_SEED = 1


def models_dir() -> Path:
    return data_dir() / "models" / "llm"


def model_file(model: LLMModel) -> Path:
    return models_dir() / model.filename


@dataclass(frozen=True, slots=True)
class ModelState:
    """A listed model as the user sees it: downloaded, half downloaded, or not."""

    model: LLMModel
    path: Path
    installed: bool
    partial_bytes: int  # a download to resume (0: none)
    in_use: bool


def model_states(settings: Settings | None = None) -> list[ModelState]:
    settings = settings or load_settings()
    in_use = _in_use(settings)
    states = []
    for model in LLM_MODELS:
        path = model_file(model)
        partial = partial_path(path)
        states.append(
            ModelState(
                model,
                path,
                path.is_file(),
                partial.stat().st_size if partial.is_file() else 0,
                in_use is not None and in_use == path,
            )
        )
    return states


def unknown_model(name: str) -> EarmarkError:
    names = ", ".join(m.name for m in LLM_MODELS)
    return EarmarkError(f"no model called {name!r}; the models to fetch are: {names}")


def pull_model(
    name: str,
    progress: Callable[[DownloadProgress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Path:
    """Download a listed model (resuming a partial one); its path once complete."""
    model = find_llm_model(name)
    if model is None:
        raise unknown_model(name)
    dest = model_file(model)
    if dest.is_file():
        return dest
    download(
        model.url,
        dest,
        sha256=model.sha256,
        expected_size=model.size if model.sha256 else None,
        progress=progress,
        cancelled=cancelled,
        accept=binary_only,
    )
    if not _is_gguf(dest):
        dest.unlink(missing_ok=True)
        raise EarmarkError(f"{model.url}: the file downloaded is not a GGUF model; removed it")
    return dest


def remove_model(name: str) -> list[Path]:
    """Delete a listed model's file and any partial download; the paths removed."""
    model = find_llm_model(name)
    if model is None:
        raise unknown_model(name)
    dest = model_file(model)
    removed = [p for p in (dest, partial_path(dest)) if p.exists()]
    dest.unlink(missing_ok=True)
    remove_partial(dest)
    if not removed:
        raise EarmarkError(f"{model.name} is not downloaded")
    settings = load_settings()
    if _in_use(settings) == dest:  # the engine would fail on every episode: say so now
        settings.insight_engine = None
        settings.llm_model_file = None
        save_settings(settings)
    return removed


def use_model(name_or_file: str) -> tuple[Settings, Path]:
    """Make a listed model (downloaded) or a .gguf file the insight engine, saved."""
    value, path = model_setting(name_or_file)
    settings = load_settings()
    settings.insight_engine = "local"
    settings.llm_model_file = value
    save_settings(settings)
    return settings, path


def model_setting(name_or_file: str) -> tuple[str, Path]:
    """What `use_model` saves as llm_model_file (a listed name, or the file's resolved
    path) and the file it runs, checked the same way but not saved: the settings dialog
    saves on OK. EarmarkError when it is not downloaded, missing or not a GGUF file."""
    path = _resolve(name_or_file)
    model = find_llm_model(name_or_file)
    return (model.name if model is not None else str(path)), path


def local_config(settings: Settings | None = None, **overrides: object) -> LocalModelConfig:
    """The in-process engine's configuration from the settings; EarmarkError when no
    model is chosen or the file is gone."""
    settings = settings or load_settings()
    if not settings.llm_model_file:
        raise EarmarkError(
            "the local engine needs a model: 'earmark llm pull NAME' then 'earmark llm use "
            "NAME', or 'earmark llm use FILE.gguf' (see 'earmark llm models')"
        )
    path = _resolve(settings.llm_model_file)
    values: dict[str, object] = {
        "model_path": path,
        "context_tokens": settings.llm_context_tokens or DEFAULT_LOCAL_CONTEXT,
        "max_output_tokens": DEFAULT_LOCAL_OUTPUT,
        # A fixed seed: the same transcript gives the same insights (and a failure can be
        # reproduced); Regenerate after an edit still differs, the prompt having changed.
        "seed": LOCAL_SEED,
    }
    return LocalModelConfig(**(values | overrides))  # type: ignore[arg-type]


def _resolve(name_or_file: str) -> Path:
    model = find_llm_model(name_or_file)
    if model is not None:
        path = model_file(model)
        if not path.is_file():
            raise EarmarkError(
                f"{model.name} is not downloaded yet: earmark llm pull {model.name} "
                f"(about {model.size / 1e9:.1f} GB)"
            )
        return path
    path = Path(os.path.expanduser(name_or_file))
    if path.suffix.lower() != ".gguf" and not path.exists():
        raise unknown_model(name_or_file)
    if not path.is_file():
        raise EarmarkError(f"{path}: no such model file")
    if not _is_gguf(path):
        raise EarmarkError(f"{path}: not a GGUF model file (llama.cpp's format)")
    return path.resolve()


def _in_use(settings: Settings) -> Path | None:
    if settings.insight_engine != "local" or not settings.llm_model_file:
        return None
    model = find_llm_model(settings.llm_model_file)
    if model is not None:
        return model_file(model)
    return Path(os.path.expanduser(settings.llm_model_file)).resolve()


def _is_gguf(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            return file.read(4) == GGUF_MAGIC
    except OSError:
        return False
