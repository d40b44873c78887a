"""`earmark transcribe --again ID` and `--undo ID`: another model's transcript, and back."""

from __future__ import annotations

import argparse
import sys

from desktop.cli.output import print_json
from desktop.cli.transcribing import ProgressBar
from desktop.core.errors import EarmarkError
from desktop.core.settings import load_settings
from desktop.core.store import Library
from desktop.services.opening import engine_choice
from desktop.services.retranscription import Retranscribed, restore_previous, retranscribe


def episode_id(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise EarmarkError(
            f"{value!r} is not an episode id: --again and --undo take the number that "
            "'earmark list' shows"
        ) from None


def again_cmd(args: argparse.Namespace) -> int:
    target = episode_id(args.media)
    vad = False if args.no_vad else None
    choice = engine_choice(
        args.model, args.language, args.beam_size, vad=vad, server=args.server, local=args.local
    )
    bar = ProgressBar(enabled=sys.stderr.isatty() and not args.json)
    with Library.open() as library:
        try:
            result = retranscribe(library, target, choice.loader(), choice.options, bar)
        except KeyboardInterrupt:
            bar.close()
            print("earmark: interrupted; the transcript is as it was.", file=sys.stderr)
            return 130
        finally:
            bar.close()
        insights = _remake_insights(library, target)
    _report(result, insights, args.json)
    return 0


def undo_cmd(args: argparse.Namespace) -> int:
    target = episode_id(args.media)
    with Library.open() as library:
        episode = restore_previous(library, target)
    if args.json:
        print_json({"id": episode.id, "model": episode.model, "segments": episode.segment_count})
    else:
        print(
            f"#{episode.id} {episode.title}: the transcript by "
            f"{episode.model or 'the earlier model'} is back ({episode.segment_count} "
            "segments); run the same command again to redo"
        )
    return 0


def _remake_insights(library: Library, target: int) -> str:
    """Extractive insights for the new text at once (about a second); an LLM's take minutes,
    so they are made when asked ('earmark insights ID')."""
    from desktop.services.insights import generate_insights  # scikit-learn: ~1 s to load

    generate_insights(library, target, "extractive")
    engine = load_settings().insight_engine
    if engine and engine != "extractive":
        return (
            f"insights remade by extraction; for the {engine} engine's run "
            f"'earmark insights {target}'"
        )
    return "insights remade"


def _report(result: Retranscribed, insights: str, as_json: bool) -> None:
    episode = result.episode
    if as_json:
        print_json(
            {
                "id": episode.id,
                "model": episode.model,
                "previous_model": result.previous_model,
                "segments": episode.segment_count,
                "segments_before": result.segments_before,
                "language": episode.language,
                "corrections_kept": result.corrections_kept,
                "corrections_lost_at": result.corrections_lost,
                "notes": result.notes,
            }
        )
        return
    print(f"#{episode.id} {episode.title}: {result.summary()}")
    undo = f"earmark transcribe --undo {episode.id}"
    print(f"{insights}; '{undo}' brings the earlier transcript back")
