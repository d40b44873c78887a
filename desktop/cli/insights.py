"""`earmark insights`: TL;DR, Key Insights, Q&A, Summary and Takeaways for an episode."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from desktop.cli.output import print_json
from desktop.cli.progress import FractionBar
from desktop.core.errors import EarmarkError
from desktop.core.exporters.markdown import insight_blocks
from desktop.core.insights.engine import ENGINE_NAMES, InsightProgress
from desktop.core.insights.llm.local import LocalModelConfig
from desktop.core.settings import load_settings
from desktop.core.store import Library
from desktop.services.llm_settings import (
    DEFAULT_API_KEY_ENV,
    DEFAULT_LLM_URL,
    llm_config,
    unset_api_key_env,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", type=int, metavar="ID")
    parser.add_argument(
        "--engine", choices=ENGINE_NAMES,
        help="extractive (embedded), openai (a server you run: Ollama, LM Studio, "
        "llama.cpp) or local (a GGUF model Earmark runs itself: see 'earmark llm models'); "
        "default: the insight_engine setting, else extractive",
    )  # fmt: skip
    parser.add_argument(
        "--base-url", metavar="URL",
        help="OpenAI-compatible endpoint (default: $EARMARK_LLM_URL, the llm_base_url "
        f"setting, else Ollama's {DEFAULT_LLM_URL})",
    )  # fmt: skip
    parser.add_argument(
        "--model", metavar="NAME",
        help="openai: the server's model (default: $EARMARK_LLM_MODEL, then the llm_model "
        "setting); local: a downloaded model's name or a .gguf file (default: the "
        "llm_model_file setting)",
    )  # fmt: skip
    parser.add_argument(
        "--api-key-env", metavar="VAR",
        help="environment variable holding the API key, if the server wants one (default: "
        f"the llm_api_key_env setting, else {DEFAULT_API_KEY_ENV})",
    )  # fmt: skip
    parser.add_argument(
        "--timeout", type=float, default=120.0, metavar="SECONDS",
        help="the longest silence waited for from the server: before its reply starts and "
        "between tokens (replies are streamed), not the whole reply (default 120)",
    )  # fmt: skip
    parser.add_argument(
        "--context-tokens", type=int, metavar="N",
        help="the model's context length as your server runs it (Ollama: num_ctx); longer "
        "transcripts are read in parts (default: the llm_context_tokens setting, else 8192)",
    )  # fmt: skip
    parser.add_argument(
        "--max-output-tokens", type=int, metavar="N",
        help="room kept for the model's reply in every request (default 1500 for a "
        "server, 2500 for a local model, at most a third of its context)",
    )  # fmt: skip


def insights_cmd(args: argparse.Namespace) -> int:
    llm = local = None
    engine = args.engine or load_settings().insight_engine or "extractive"
    if engine == "local":
        local = _local_config(args)
    if engine == "openai":
        # Checked here, in the flags' own names: 0 context tokens would otherwise read as
        # "not given" (the default), and a timeout of 0 makes every socket non-blocking.
        if args.context_tokens is not None and args.context_tokens < 1:
            raise EarmarkError("--context-tokens must be at least 1")
        if not args.timeout > 0:
            raise EarmarkError("--timeout must be more than 0 seconds")
        llm = llm_config(
            args.base_url, args.model, args.api_key_env, args.timeout, args.context_tokens
        )
        if args.max_output_tokens is not None:
            if args.max_output_tokens < 64:
                raise EarmarkError("--max-output-tokens must be at least 64")
            llm = replace(llm, max_output_tokens=args.max_output_tokens)
        missing_key = unset_api_key_env(args.api_key_env)
        if missing_key:
            print(
                f"earmark: warning: ${missing_key} is not set: the server is asked without "
                "an API key",
                file=sys.stderr,
            )
    bar = FractionBar(sys.stderr.isatty() and not args.json, "Making insights")

    def progress(update: InsightProgress) -> None:
        bar.update(update.fraction, update.stage)

    # Imported here: scikit-learn takes most of a second to load, which every other
    # command would otherwise pay at start-up.
    from desktop.services.insights import generate_insights

    with Library.open() as library:
        try:
            result = generate_insights(
                library, args.id, engine, llm, progress=progress, local=local
            )
        finally:
            bar.close()  # warnings below start on a clean line, never on the progress line
    for warning in result.warnings:
        print(f"earmark: warning: {warning}", file=sys.stderr)
    if args.json:
        print_json(result.insights.to_dict())
    else:
        print("\n\n".join(insight_blocks(result.insights)))
    return 0


def _local_config(args: argparse.Namespace) -> LocalModelConfig:
    from desktop.services.llm_models import local_config

    settings = load_settings()
    if args.model:
        settings.llm_model_file = args.model
    if args.context_tokens is not None:
        if args.context_tokens < 1:
            raise EarmarkError("--context-tokens must be at least 1")
        settings.llm_context_tokens = args.context_tokens
    if args.max_output_tokens is None:
        return local_config(settings)
    if args.max_output_tokens < 64:
        raise EarmarkError("--max-output-tokens must be at least 64")
    return local_config(settings, max_output_tokens=args.max_output_tokens)
