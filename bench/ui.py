"""Window benchmark: each figure beside a baseline measured in the same run.

Every measurement runs in a fresh process (QT_QPA_PLATFORM=offscreen unless a DISPLAY is
set), timed from just before the process is spawned, so interpreter and import costs count:

  launch         `earmark` to a painted window   vs a bare PySide6 QMainWindow
  open 10k       open an episode of 10,000 segments (rows painted)  vs reading its rows
  memory         RSS with that episode open      vs the same process before opening it
  stall          longest event-loop gap while the sample transcribes and a 10k-segment
                 episode's insights are made     vs the same timer with nothing running
  first row new  `earmark FILE` to the first transcript row painted, new media
  first row known  the same for a file already in the library (vs launch)

    .venv/bin/python bench/ui.py
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SAMPLE = ROOT / "resources" / "sample" / "nasa-hwhap414-science-in-space.mp3"
CORPUS_VTT = ROOT / "tests" / "data" / "importers" / "9EN_HoEk3KY.vtt"
SEGMENTS = 10_000


# --- the parent: spawns one probe per figure ----------------------------------------------


def probe(kind: str, home: Path, *args: str) -> dict:
    env = os.environ | {"EARMARK_HOME": str(home), "BENCH_T0": repr(time.time())}
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run(
        [sys.executable, __file__, "--probe", kind, *args],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        raise SystemExit(f"bench: probe {kind} failed:\n{done.stderr[-3000:]}")
    return json.loads(lines[-1])


def best(kind: str, home: Path, key: str, runs: int = 3, *args: str) -> float:
    return min(probe(kind, home, *args)[key] for _ in range(runs))


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="earmark-bench-ui-") as tmp:
        tmp_path = Path(tmp)
        rows = []
        launch = best("launch", tmp_path / "a", "seconds")
        bare = best("bare", tmp_path / "a", "seconds")
        rows.append(("launch to painted window", launch, "bare QMainWindow", bare, "1.5 s"))

        big = tmp_path / "big"
        probe("make-big", big)
        opened = probe("open-big", big)
        rows.append(
            ("open a 10,000-segment episode", opened["open"], "read its rows",
             opened["read"], "0.3 s")
        )  # fmt: skip
        rows.append(
            ("RSS with it open (MB)", opened["rss_open"], "before opening",
             opened["rss_before"], "")
        )  # fmt: skip
        stall = probe("stall", big)
        rows.append(
            ("longest event-loop stall, work running", stall["busy_max"],
             "idle loop, same timer", stall["idle_max"], "0.1 s")
        )  # fmt: skip
        fresh = tmp_path / "fresh"
        new = probe("first-row", fresh, str(SAMPLE))
        rows.append(("`earmark FILE` to first row, new media", new["seconds"], "launch",
                     launch, "3 s"))  # fmt: skip
        probe("finish", fresh, str(SAMPLE))
        known = best("first-row", fresh, "seconds", 3, str(SAMPLE))
        rows.append(("`earmark FILE` to first row, known", known, "launch", launch, "1 s"))
    print_table(rows, stall)
    return 0


def print_table(rows: list[tuple], stall: dict) -> None:
    print("| measure | Earmark | baseline (same run) | baseline | ratio | goal |")
    print("|---|---:|---|---:|---:|---:|")
    for name, value, base_name, base, goal in rows:
        ratio = f"{value / base:.2f}x" if base else ""
        unit = "" if "MB" in name else " s"
        print(f"| {name} | {value:.3f}{unit} | {base_name} | {base:.3f}{unit} | {ratio} | {goal} |")
    print(
        f"\nstall run: {stall['ticks']} timer ticks over {stall['seconds']:.1f} s while "
        f"{stall['segments']} sample segments were transcribed and insights made; "
        f"p99 gap {stall['busy_p99'] * 1000:.0f} ms (idle p99 {stall['idle_p99'] * 1000:.0f} ms)"
    )


# --- the probes: each runs in its own process ---------------------------------------------


def since_spawn() -> float:
    return time.time() - float(os.environ["BENCH_T0"])


def emit(**values: float | int) -> None:
    print(json.dumps(values), flush=True)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def painted(app, widget, condition=lambda: True, timeout: float = 120.0) -> None:
    """Spin the loop until `condition` holds, then until the widget has painted once more."""
    from PySide6.QtCore import QEvent, QObject

    seen = {"paint": False}

    class Watch(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                seen["paint"] = True
            return False

    deadline = time.monotonic() + timeout
    while not condition():
        app.processEvents()
        if time.monotonic() > deadline:
            raise SystemExit("bench: timed out")
        time.sleep(0.002)
    watch = Watch()
    widget.installEventFilter(watch)
    widget.update()
    while not seen["paint"]:
        app.processEvents()
        if time.monotonic() > deadline:
            raise SystemExit("bench: never painted")
    widget.removeEventFilter(watch)


def window(app):
    from desktop.core.store import Library
    from desktop.ui.main_window import MainWindow
    from desktop.ui.session import Session

    win = MainWindow(Session(Library.open()))
    win.show()
    return win


def probe_launch() -> None:
    from desktop.ui.app import make_application

    app = make_application()
    win = window(app)
    painted(app, win)
    emit(seconds=since_spawn())


def probe_bare() -> None:
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication([])
    win = QMainWindow()
    win.resize(1280, 800)
    win.show()
    painted(app, win)
    emit(seconds=since_spawn())


def probe_make_big() -> None:
    from desktop.core.importers import load_transcript
    from desktop.core.model import EpisodeSource, EpisodeStatus, Segment, Word
    from desktop.core.store import Library

    texts = [s.text for s in load_transcript(CORPUS_VTT).segments]
    rng = random.Random(5)
    segments = []
    for i in range(SEGMENTS):
        text = rng.choice(texts)
        words, t = [], i * 4.0
        for token in text.split():
            words.append(Word(t, t + 0.3, " " + token, 0.9))
            t += 0.3
        segments.append(Segment(i * 4.0, i * 4.0 + 3.9, text, f"Speaker {i // 40 % 3}", words))
    with Library.open() as library:
        episode = library.create_episode("Ten thousand", EpisodeSource.IMPORTED, EpisodeStatus.DONE)
        library.append_segments(episode.id, segments)
    emit(episode=episode.id)


def probe_open_big() -> None:
    from desktop.core.store import Library
    from desktop.ui.app import make_application

    app = make_application()
    win = window(app)
    painted(app, win)
    with Library.open() as library:
        began = time.perf_counter()
        library.segments(1)
        read = time.perf_counter() - began
    before = rss_mb()
    win.session.make_insights = lambda *a, **k: None  # measure the view, not the insights
    began = time.perf_counter()
    win.session.open_episode(1)
    painted(app, win.transcript.list_view.viewport())
    opened = time.perf_counter() - began
    emit(open=opened, read=read, rss_before=before, rss_open=rss_mb())


def probe_stall() -> None:
    from desktop.services.opening import preload
    from desktop.ui.app import make_application

    app = make_application()
    win = window(app)
    preload()  # what the app does on a thread while its window is first built
    painted(app, win)
    idle = loop_gaps(app, 3.0, lambda: False)
    win.session.make_insights(1)  # the 10,000-segment episode
    win.open_paths([SAMPLE])
    began = time.monotonic()
    busy = loop_gaps(
        app, 300.0, lambda: time.monotonic() - began > 2 and not win.session.runner.jobs()
    )
    segments = win.transcript.model().rowCount()
    emit(
        idle_max=max(idle), idle_p99=p99(idle), busy_max=max(busy), busy_p99=p99(busy),
        ticks=len(busy), seconds=time.monotonic() - began, segments=segments,
    )  # fmt: skip
    close(app, win)


def close(app, win) -> None:
    """End as the app does: closing the window pauses the player (whose FFmpeg threads
    otherwise die with the process: "terminate called without an active exception") and
    waits for the jobs it started."""
    win.close()
    app.processEvents()


def loop_gaps(app, limit: float, done) -> list[float]:
    """Gaps between 10 ms timer ticks: what a user feels as the window freezing."""
    from PySide6.QtCore import QEventLoop, QTimer

    gaps: list[float] = []
    last = [time.monotonic()]
    began = last[0]
    loop = QEventLoop()

    def tick() -> None:
        now = time.monotonic()
        gaps.append(now - last[0])
        last[0] = now
        if done() or now - began > limit:
            loop.quit()

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    loop.exec()
    timer.stop()
    return gaps


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def probe_first_row(path: str) -> None:
    """`earmark FILE` as the app runs it (open_window), stopped at the first painted row."""
    from PySide6.QtWidgets import QApplication

    from desktop.ui import app as earmark_app
    from desktop.ui.main_window import MainWindow

    app = earmark_app.make_application()

    def first_row(*_args: object) -> int:
        win = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))
        rows = win.transcript.model().rowCount
        painted(app, win.transcript.list_view.viewport(), rows)
        emit(seconds=since_spawn())
        close(app, win)
        return 0

    QApplication.exec = first_row  # the event loop runs in painted() until the row shows
    earmark_app.open_window([Path(path).resolve()], None)


def probe_finish(path: str) -> None:
    from desktop.core.store import Library
    from desktop.services.opening import engine_choice, open_path

    with Library.open() as library:
        open_path(library, Path(path), engine_choice)
    emit(done=1)


PROBES = {
    "launch": probe_launch,
    "bare": probe_bare,
    "make-big": probe_make_big,
    "open-big": probe_open_big,
    "stall": probe_stall,
    "first-row": probe_first_row,
    "finish": probe_finish,
}

if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--probe":
        PROBES[sys.argv[2]](*sys.argv[3:])
        sys.exit(0)
    sys.exit(main())
