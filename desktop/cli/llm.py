"""`earmark llm`: find the LLM runtimes the user runs (detect), or manage the models
Earmark runs itself (models, pull, remove, use: llm_models.py)."""

from __future__ import annotations

import argparse
import sys

from desktop.cli.llm_models import add_model_commands
from desktop.cli.output import print_json
from desktop.core.errors import EarmarkError
from desktop.core.insights.llm.detect import OLLAMA, Runtime, detect, how_to_start
from desktop.services.llm_settings import use_runtime


def add_arguments(parser: argparse.ArgumentParser, json_flag: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="llm_command", metavar="ACTION", required=True)
    p = sub.add_parser(
        "detect",
        parents=[json_flag],
        help="find Ollama, LM Studio, llama.cpp, Jan or LocalAI running on this machine",
        description="Find the LLM runtimes running on this machine: only 127.0.0.1 and ::1 "
        "are asked, on each runtime's default port. Given URLs, only those servers are "
        "asked (any host).",
    )
    p.add_argument(
        "urls", nargs="*", metavar="URL",
        help="a server to ask instead, e.g. http://gpu-box:11434 (/v1 is added when needed)",
    )  # fmt: skip
    p.add_argument(
        "--use", nargs="?", const="", metavar="MODEL",
        help="make the first runtime found the insight engine: its first model, or MODEL",
    )  # fmt: skip
    p.set_defaults(handler=detect_cmd)
    add_model_commands(sub, json_flag)


def detect_cmd(args: argparse.Namespace) -> int:
    urls, model = _split_use(args.urls, args.use)
    # Typed URLs replace the defaults: the user asked about that server, and a runtime on
    # a default port must not win `--use` over it.
    runtimes = detect(candidates=(), urls=urls) if urls else detect()
    if args.json:
        print_json([_as_json(runtime) for runtime in runtimes])
    else:
        for runtime in runtimes:
            print(_line(runtime))
    if not runtimes:
        where = ", ".join(urls) if urls else None
        headline = (
            f"no LLM runtime answered at {where}" if where else "no local LLM runtime is running"
        )
        print(f"earmark: {headline}\n{how_to_start()}", file=sys.stderr)
        return 1
    if model is not None:
        runtime, chosen = _choose(runtimes, model)
        settings = use_runtime(runtime, chosen)
        context = (
            f", {settings.llm_context_tokens} tokens of context"
            if settings.llm_context_tokens
            else ""
        )
        # On stderr under --json, so that stdout stays one JSON document.
        print(
            f"earmark: insights now use {chosen} on {runtime.name} at {runtime.base_url}{context}",
            file=sys.stderr if args.json else sys.stdout,
        )
    return 0


def _split_use(urls: list[str], use: str | None) -> tuple[list[str], str | None]:
    """`--use` takes an optional MODEL, so `detect --use http://host` reads the URL as the
    model: a model id never holds "://", so such a value is a URL after all."""
    if use is not None and "://" in use:
        return [*urls, use], ""
    return urls, use


def _choose(runtimes: list[Runtime], model: str) -> tuple[Runtime, str]:
    """The runtime and model `--use` picks: the first runtime with a model (a runtime with
    none cannot answer), or the first that offers the named MODEL."""
    for runtime in runtimes:
        if runtime.models and (not model or model in runtime.models):
            return runtime, model or runtime.models[0]
    if model:
        offered = "; ".join(f"{r.name}: {', '.join(r.models) or 'none'}" for r in runtimes)
        raise EarmarkError(f"no runtime found offers the model {model!r} ({offered})")
    raise EarmarkError(f"{runtimes[0].name} is running, but has no model: {_no_model(runtimes[0])}")


def _line(runtime: Runtime) -> str:
    name = f"{runtime.name} ({runtime.version})" if runtime.version else runtime.name
    if runtime.models:
        models = ", ".join(runtime.models)
    else:
        models = f"running, but no model: {_no_model(runtime)}"
    context = f"  ({runtime.context_tokens} tokens of context)" if runtime.context_tokens else ""
    return f"{name}  {runtime.base_url}  {models}{context}"


def _no_model(runtime: Runtime) -> str:
    if runtime.name == OLLAMA:
        return "ollama pull llama3.2"
    return "load or download a model in it"


def _as_json(runtime: Runtime) -> dict[str, object]:
    return {
        "name": runtime.name,
        "base_url": runtime.base_url,
        "models": list(runtime.models),
        "context_tokens": runtime.context_tokens,
        "version": runtime.version,
    }
