"""Which OpenAI-compatible server the user configured, after precedence.

Flag, then environment variable, then saved setting, then default. Kept apart from the
insights use case so that asking "is a server configured?" loads no scikit-learn.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

from desktop.core.errors import EarmarkError
from desktop.core.insights.llm import LLMConfig
from desktop.core.settings import Settings, load_settings

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
        context_tokens=context_tokens or settings.llm_context_tokens or DEFAULT_CONTEXT_TOKENS,
    )


def configured_llm(settings: Settings | None = None) -> LLMConfig | None:
    """The server the user set up, or None: nothing is offered (or contacted) by default."""
    try:
        return llm_config(settings=settings)
    except EarmarkError:
        return None


def list_models(config: LLMConfig) -> list[str]:
    """The model names the server offers (`GET /models`), for the settings dialog.

    Raises EarmarkError saying what the server answered, with a hint when a URL without
    `/v1` gets a 404 (the usual mistake with Ollama and LM Studio).
    """
    url = config.base_url.rstrip("/") + "/models"
    request = urllib.request.Request(url, headers=_headers(config))
    try:
        with urllib.request.urlopen(request, timeout=min(config.timeout, 10.0)) as reply:
            data = json.loads(reply.read().decode("utf-8", errors="replace"))
    except urllib.error.HTTPError as exc:
        hint = (
            " (does the URL need /v1 at the end?)" if exc.code == 404 and not _has_v1(url) else ""
        )
        raise EarmarkError(f"{url}: the server answered {exc.code} {exc.reason}{hint}") from exc
    except urllib.error.URLError as exc:
        raise EarmarkError(f"{url}: cannot connect ({exc.reason})") from exc
    except (TimeoutError, OSError) as exc:
        raise EarmarkError(f"{url}: no answer ({exc})") from exc
    except ValueError as exc:
        raise EarmarkError(f"{url}: the answer is not JSON ({exc})") from exc
    items = data.get("data") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise EarmarkError(f"{url}: the answer has no model list ('data')")
    return sorted(
        str(item.get("id")) for item in items if isinstance(item, dict) and item.get("id")
    )


def _headers(config: LLMConfig) -> dict[str, str]:
    return {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}


def _has_v1(url: str) -> bool:
    return "/v1/" in url or url.endswith("/v1")
