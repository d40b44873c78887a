"""Which OpenAI-compatible server the user configured, after precedence.

Flag, then environment variable, then saved setting, then default. Kept apart from the
insights use case so that asking "is a server configured?" loads no scikit-learn.
"""

from __future__ import annotations

import os
from pathlib import Path

from desktop.core.errors import EarmarkError
from desktop.core.insights.llm import ChatClient, LLMConfig
from desktop.core.insights.llm.detect import Runtime
from desktop.core.settings import Settings, load_settings, save_settings

DEFAULT_LLM_URL = "http://127.0.0.1:11434/v1"  # Ollama on this machine
DEFAULT_API_KEY_ENV = "EARMARK_LLM_API_KEY"
DEFAULT_CONTEXT_TOKENS = 8192


def llm_config(
    base_url: str | None = None,
    model: str | None = None,
    api_key_env: str | None = None,
    timeout: float = 120.0,
    context_tokens: int | None = None,
    settings: Settings | None = None,
) -> LLMConfig:
    """The server to ask; raises EarmarkError when no model is named anywhere."""
    settings = settings or load_settings()
    model = model or os.environ.get("EARMARK_LLM_MODEL") or settings.llm_model
    if not model:
        raise EarmarkError(
            "the openai engine needs a model name: --model NAME, $EARMARK_LLM_MODEL, or "
            "'earmark config set llm_model NAME'"
        )
    return LLMConfig(
        base_url=base_url
        or os.environ.get("EARMARK_LLM_URL")
        or settings.llm_base_url
        or DEFAULT_LLM_URL,
        model=model,
        api_key=os.environ.get(api_key_env or settings.llm_api_key_env or DEFAULT_API_KEY_ENV)
        or None,
        timeout=timeout,
        context_tokens=_first(context_tokens, settings.llm_context_tokens, DEFAULT_CONTEXT_TOKENS),
    )


def unset_api_key_env(api_key_env: str | None, settings: Settings | None = None) -> str | None:
    """The key variable the user named (flag or setting) when it is not set, else None.

    The default variable unset is normal (most local servers want no key); a variable the
    user named on purpose and forgot to export would otherwise fail as a bare 401.
    """
    settings = settings or load_settings()
    named = api_key_env or settings.llm_api_key_env
    return named if named and not os.environ.get(named) else None


def _first(*values: int | None) -> int:
    """The first value given: an explicit 0 is a value (refused later), not "unset"."""
    return next(v for v in values if v is not None)


def configured_llm(settings: Settings | None = None) -> LLMConfig | None:
    """The server the user set up, or None: nothing is offered (or contacted) by default."""
    try:
        return llm_config(settings=settings)
    except EarmarkError:
        return None


def list_models(config: LLMConfig) -> list[str]:
    """The model names the server offers (`GET /models`), for the settings dialog.

    Raises EarmarkError saying what the server answered, through the same client as the
    insights (so the same messages, and the hint to add `/v1` after a 404).
    """
    url = config.base_url.rstrip("/") + "/models"
    data = ChatClient(config).get_json(url, timeout=min(config.timeout, 10.0))
    items = data.get("data") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise EarmarkError(f"{url}: the answer has no model list ('data')")
    return sorted(
        str(item.get("id")) for item in items if isinstance(item, dict) and item.get("id")
    )


def use_runtime(runtime: Runtime, model: str, settings_path: Path | None = None) -> Settings:
    """Make `model` on a detected runtime the insight engine, saved; returns the settings.

    The context length is saved when the server said it. When it did not, a length saved
    for the same server and model is kept (the user may have set it to match Ollama's
    num_ctx), and one saved for another is dropped: it described a different model.
    """
    if model not in runtime.models:
        offered = ", ".join(runtime.models) or "none"
        raise EarmarkError(
            f"{runtime.name} at {runtime.base_url} has no model {model!r} (it offers: {offered})"
        )
    settings = load_settings(settings_path)
    settings.llm_context_tokens = runtime_context(settings, runtime, model)
    settings.insight_engine = "openai"
    settings.llm_base_url = runtime.base_url
    settings.llm_model = model
    save_settings(settings, settings_path)
    return settings


def runtime_context(settings: Settings, runtime: Runtime, model: str) -> int | None:
    """The context length to save when `model` on `runtime` replaces what `settings` (as
    saved before the change) configure: the rule `use_runtime` documents. The settings
    dialog applies it on OK, so Cancel leaves the file as it was."""
    if runtime.context_tokens is not None:
        return runtime.context_tokens
    same_server = settings.llm_base_url == runtime.base_url and settings.llm_model == model
    return settings.llm_context_tokens if same_server else None
