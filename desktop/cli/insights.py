"""`earmark insights`: TL;DR, Key Insights, Q&A, Summary and Takeaways for an episode."""

from __future__ import annotations

import argparse
import os
import sys

from desktop.cli.output import print_json
from desktop.core.errors import EarmarkError
from desktop.core.exporters.markdown import insight_blocks
from desktop.core.insights.engine import ENGINE_NAMES
from desktop.core.insights.llm import LLMConfig
from desktop.core.settings import load_settings
from desktop.core.store import Library

DEFAULT_LLM_URL = "http://127.0.0.1:11434/v1"  # Ollama on this machine


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", type=int, metavar="ID")
    parser.add_argument(
        "--engine", choices=ENGINE_NAMES, default="extractive",
        help="extractive (embedded, default) or openai (a server you run: Ollama, LM Studio, "
        "llama.cpp)",
    )  # fmt: skip
    parser.add_argument(
        "--base-url", metavar="URL",
        help="OpenAI-compatible endpoint (default: $EARMARK_LLM_URL, the llm_base_url "
        f"setting, else Ollama's {DEFAULT_LLM_URL})",
    )  # fmt: skip
    parser.add_argument(
        "--model", metavar="NAME", help="default: $EARMARK_LLM_MODEL, then the llm_model setting"
    )
    parser.add_argument(
        "--api-key-env", default="EARMARK_LLM_API_KEY", metavar="VAR",
        help="environment variable holding the API key, if the server wants one",
    )  # fmt: skip
    parser.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS")
    parser.add_argument(
        "--context-tokens", type=int, metavar="N",
        help="the model's context length as your server runs it (Ollama: num_ctx); longer "
        "transcripts are read in parts (default: the llm_context_tokens setting, else 8192)",
    )  # fmt: skip


def insights_cmd(args: argparse.Namespace) -> int:
    llm = None
    if args.engine == "openai":
        settings = load_settings()
        model = args.model or os.environ.get("EARMARK_LLM_MODEL") or settings.llm_model
        if not model:
            raise EarmarkError(
                "--engine openai needs --model NAME (or $EARMARK_LLM_MODEL, or "
                "'earmark config set llm_model NAME')"
            )
        llm = LLMConfig(
            base_url=args.base_url
            or os.environ.get("EARMARK_LLM_URL")
            or settings.llm_base_url
            or DEFAULT_LLM_URL,
            model=model,
            api_key=os.environ.get(args.api_key_env) or None,
            timeout=args.timeout,
            context_tokens=args.context_tokens or settings.llm_context_tokens or 8192,
        )
    show = sys.stderr.isatty() and not args.json

    def progress(fraction: float) -> None:
        if show:
            print(f"\rMaking insights: {fraction:4.0%}", end="", file=sys.stderr, flush=True)

    # Imported here: scikit-learn takes most of a second to load, which every other
    # command would otherwise pay at start-up.
    from desktop.services.insights import generate_insights

    with Library.open() as library:
        try:
            result = generate_insights(library, args.id, args.engine, llm, progress=progress)
        finally:
            if show:
                print("\r" + " " * 24 + "\r", end="", file=sys.stderr, flush=True)
    for warning in result.warnings:
        print(f"earmark: warning: {warning}", file=sys.stderr)
    if args.json:
        print_json(result.insights.to_dict())
    else:
        print("\n\n".join(insight_blocks(result.insights)))
    return 0
