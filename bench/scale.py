"""Scale benchmark: a 10-hour episode and a 1,000-episode library, each figure beside a
baseline measured in the same run.

The 10-hour episode is made of the real corpus (lecture captions and two long interviews,
end to end; tests/reliability/long_episode.py) as WebVTT, SubRip and one long Markdown
page, written to bench/.cache. The 1,000-episode library is bench/search.py's (1,000 x
1,500 segments, built once and cached there), copied so the cached file stays as built.
Process starts count where a user waits for one: `earmark` commands and the window run
in fresh processes (bench/scale_probes.py), timed from just before the spawn.

  10 hours   import (each format)  vs `earmark list` on an empty library (process floor)
             open in the window    vs reading its rows; RSS vs before opening
             find in the episode   vs find_matches alone; longest event-loop stall while
                                   its insights are made vs the idle loop
             search (library, and within the episode) p50/p95  vs a LIKE scan
             export md/srt/vtt/txt/json, re-imported and counted  vs reading the document
             insights (extractive)  vs splitting and cleaning sentences (the floor)
  1,000      `earmark list`, the window's library panel, open an episode, search, export
             one, import the 10-hour file into it  (baselines: empty library, direct reads)

    .venv/bin/python bench/scale.py              # everything (~15 min on 2 busy cores)
    .venv/bin/python bench/scale.py --hours 2    # a quicker look at a 2-hour episode
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scale_measures import (  # noqa: E402 (bench/scale_measures.py)
    Row,
    export_rows,
    insights_rows,
    print_table,
    search_rows,
)

from desktop.core.store import Library  # noqa: E402
from tests.reliability.long_episode import (  # noqa: E402
    long_cues,
    long_markdown,
    write_srt,
    write_vtt,
)

CACHE = ROOT / "bench" / ".cache"
BIG = CACHE / "search-1000x1500.sqlite3"
EARMARK = [sys.executable, "-m", "desktop.launch"]  # what the `earmark` script runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=10.0)
    parser.add_argument("--queries", type=int, default=60, help="searches per kind")
    parser.add_argument("--no-library", action="store_true", help="skip the 1,000 episodes")
    args = parser.parse_args()
    CACHE.mkdir(exist_ok=True)
    inputs = make_inputs(args.hours)
    rows: list[Row] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="earmark-bench-scale-") as tmp:
        floor = earmark_time(Path(tmp) / "empty", "list")
        rows += ten_hours(Path(tmp) / "ten", inputs, floor, args, notes)
        if not args.no_library:
            vtt_import = next(r[1] for r in rows if r[0].startswith("import") and "VTT" in r[0])
            rows += thousand(Path(tmp), (inputs["vtt"], vtt_import), floor, args, notes)
    text = print_table(rows, notes)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    (CACHE / f"scale-{stamp}.md").write_text(text, encoding="utf-8")
    return 0


def make_inputs(hours: float) -> dict[str, Path]:
    """The long files, made afresh from the corpus (a second or so)."""
    name = f"scale-{hours:g}h"
    paths = {fmt: CACHE / f"{name}.{fmt}" for fmt in ("vtt", "srt", "md")}
    cues = long_cues(hours)
    write_vtt(paths["vtt"], cues)
    write_srt(paths["srt"], cues)
    long_markdown(paths["md"], hours)
    return paths


# --- fresh processes -------------------------------------------------------------------------


def spawn(command: list[str], home: Path) -> tuple[float, float, str]:
    """Run a command on the library in `home`: seconds from spawn to exit, its peak RSS
    (MB, from wait4: this child's own, not the largest of all children so far), stdout."""
    env = os.environ | {"EARMARK_HOME": str(home), "BENCH_T0": repr(time.time())}
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        began = time.perf_counter()
        child = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(child.pid, 0)
        took = time.perf_counter() - began
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode:
            raise SystemExit(f"bench: {' '.join(command[-3:])} failed:\n{err.read()[-3000:]}")
        return took, usage.ru_maxrss / 1024, out.read()


def earmark_time(home: Path, *args: str) -> float:
    return spawn([*EARMARK, *args], home)[0]


def probe(kind: str, home: Path, *args: str) -> dict:
    import json

    _, _, out = spawn([sys.executable, str(ROOT / "bench" / "scale_probes.py"), kind, *args], home)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if not lines:
        raise SystemExit(f"bench: probe {kind} printed nothing")
    return json.loads(lines[-1])


# --- the 10-hour episode -------------------------------------------------------------------


def ten_hours(
    home: Path, inputs: dict[str, Path], floor: float, args: argparse.Namespace, notes: list[str]
) -> list[Row]:
    hours = f"{args.hours:g} h"
    rows: list[Row] = []
    for fmt, path in inputs.items():
        took = earmark_time(home, "import", str(path))
        kb = path.stat().st_size / 1024
        rows.append((f"import {hours} {fmt.upper()} ({kb:,.0f} KiB), `earmark import`", took,
                     "s", "`earmark list`, empty library", floor))  # fmt: skip
    with Library.open(home / "library.sqlite3") as library:
        episodes = {e.id: e for e in library.episodes()}
    listed = [f"#{i} {e.segment_count:,} segments, {e.duration / 3600:.1f} h"
              for i, e in sorted(episodes.items())]  # fmt: skip
    notes.append("long episodes: " + "; ".join(listed))
    rows += window_rows(home, hours, notes)
    rows += search_rows(home / "library.sqlite3", f"{hours} library", 1, args.queries, notes)
    rows += export_rows(home / "library.sqlite3", 1, hours, notes)
    rows += insights_rows([probe("insights", home, str(i)) for i in (1, 3)], hours, notes)
    return rows


def window_rows(home: Path, hours: str, notes: list[str]) -> list[Row]:
    w = probe("window-open", home, "1")
    notes.append(
        f"window: {w['rows']:,} rows; find 'the' {w['find_the_matches']:,} matches, 'swarm' "
        f"{w['find_swarm_matches']:,}; insights shown: {w['insights_shown']}"
    )
    return [
        (f"open the {hours} episode in the window (rows painted)", w["open"], "s",
         "read its rows", w["read"]),
        ("open to every row laid out (batches)", w["laid_out"], "s", "", 0.0),
        ("longest event-loop gap meanwhile", w["layout_max"], "s", "idle loop, same timer",
         w["idle_max"]),
        ("RSS with it open (MB)", w["rss_open"], "MB", "before opening", w["rss_before"]),
        ("find 'the' (bar to matches painted)", w["find_the"], "s", "find_matches alone",
         w["find_the_base"]),
        ("find 'swarm'", w["find_swarm"], "s", "find_matches alone", w["find_swarm_base"]),
        ("scroll to the last row (painted)", w["scroll"], "s", "", 0.0),
        ("open to its insights shown (child process)", w["insights"], "s", "", 0.0),
        ("longest event-loop gap meanwhile", w["busy_max"], "s", "idle loop, same timer",
         w["idle_max"]),
        ("window RSS after its insights (MB)", w["rss_insights"], "MB", "with it open",
         w["rss_open"]),
        ("search result at 95% of a fresh episode: row shown", w["hit_late"], "s",
         "open to every row laid out", w["laid_out"]),
        ("open, find, Shift+F3 to the last match: shown", w["find_last"], "s",
         "open to every row laid out", w["laid_out"]),
    ]  # fmt: skip


# --- the 1,000-episode library --------------------------------------------------------------


def thousand(
    tmp: Path,
    vtt: tuple[Path, float],  # the 10-hour VTT and its import time into an empty library
    floor: float,
    args: argparse.Namespace,
    notes: list[str],
) -> list[Row]:
    if not BIG.exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "search.py"), "--queries", "1"],
                       check=True)  # fmt: skip
    home = tmp / "thousand"
    home.mkdir()
    with Library.open(BIG) as source:  # a consistent copy, WAL folded in
        source.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(BIG, home / "library.sqlite3")
    db = home / "library.sqlite3"
    with Library.open(db) as library:
        count = len(library.episode_titles())
    middle = str(count // 2)
    rows: list[Row] = [
        (f"`earmark list`, {count:,} episodes", earmark_time(home, "list"), "s",
         "`earmark list`, empty library", floor),
    ]  # fmt: skip
    lib = probe("library-window", home, middle)
    bare = probe("library-window", tmp / "empty", "0")
    notes.append(f"library panel: {lib['rows']:,} rows; #{middle} has {lib['open_rows']:,}")
    rows += [
        ("launch to the library panel painted", lib["launch"], "s", "same, empty library",
         bare["launch"]),
        ("window RSS, library listed (MB)", lib["rss"], "MB", "empty library", bare["rss"]),
        ("reload the library panel (library_changed)", lib["reload"], "s",
         "SELECT id, title FROM episodes", lib["titles"]),
        (f"open episode #{middle} in the window", lib["open"], "s", "read its rows", lib["read"]),
    ]  # fmt: skip
    rows += search_rows(db, f"{count:,}-episode library", int(middle), args.queries, notes)
    out = tmp / "export"
    out.mkdir()
    for fmt in ("md", "json"):
        took = earmark_time(home, "export", middle, "-f", fmt, "-o", str(out))
        rows.append((f"`earmark export {middle} -f {fmt}`", took, "s",
                     "`earmark list`, empty library", floor))  # fmt: skip
    took = earmark_time(home, "import", str(vtt[0]))
    rows.append((f"import the {args.hours:g} h VTT into it, `earmark import`", took, "s",
                 "into an empty library", vtt[1]))  # fmt: skip
    return rows


if __name__ == "__main__":
    sys.exit(main())
