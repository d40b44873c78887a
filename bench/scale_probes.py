"""The fresh-process probes of bench/scale.py: each runs alone and prints one JSON line.

    .venv/bin/python bench/scale_probes.py KIND [ARGS]   (EARMARK_HOME names the library)

A probe that starts a window runs offscreen unless a DISPLAY is set; times that count
the process start are taken from BENCH_T0, the moment the parent spawned it.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ui import emit, loop_gaps, painted, rss_mb, since_spawn, window  # noqa: E402 (bench/ui.py)

FIND_WORDS = ("the", "swarm")  # the commonest word, and one of a single part


def probe_window_open(episode: str) -> None:
    """Open an episode in a running window (1440 x 900): rows painted, every row laid out,
    find, scroll, its insights; then a search result near the end of another episode, and
    a find to the last match at once after opening (both while rows are laid out)."""
    from desktop.core.store import Library
    from desktop.ui.app import make_application

    app = make_application()
    win = window(app)
    win.resize(1440, 900)  # the offscreen screen is 800 x 800: rows would wrap at 60 px
    painted(app, win)
    episode_id = int(episode)
    with Library.open() as library:
        began = time.perf_counter()
        library.segments(episode_id, words=False)  # what the window reads to show the rows
        read = time.perf_counter() - began
    idle = loop_gaps(app, 2.0, lambda: False)
    before = rss_mb()
    shown = {"insights": False}
    win.session.insights_changed.connect(lambda value: shown.update(insights=value is not None))
    began = time.perf_counter()
    win.session.open_episode(episode_id)  # also starts making its insights (none stored)
    view, model = win.transcript.list_view, win.transcript.model()
    painted(app, view.viewport())
    opened = time.perf_counter() - began
    layout = loop_gaps(app, 300.0, lambda: laid_out(view, model.rowCount() - 1))
    laid = time.perf_counter() - began
    rss_open = rss_mb()
    finds = {word: find(app, win, word) for word in FIND_WORDS}
    began = time.perf_counter()
    view.scrollToBottom()
    painted(app, view.viewport())
    scrolled = time.perf_counter() - began
    began = time.monotonic()
    busy = loop_gaps(app, 900.0, lambda: shown["insights"] and not win.session.runner.jobs())
    insights, rss_insights = time.monotonic() - began, rss_mb()
    win.session.make_insights = lambda *a, **k: None  # from here on, the view only
    emit(
        rows=model.rowCount(), open=opened, read=read, laid_out=laid, layout_max=max(layout),
        rss_before=before, rss_open=rss_open, rss_insights=rss_insights, scroll=scrolled,
        idle_max=max(idle), busy_max=max(busy), insights=insights,
        insights_shown=shown["insights"], **far_rows(app, win, episode_id),
        **{f"find_{w}": v for w, (v, _, _) in finds.items()},
        **{f"find_{w}_base": b for w, (_, b, _) in finds.items()},
        **{f"find_{w}_matches": n for w, (_, _, n) in finds.items()},
    )  # fmt: skip
    win.session.shutdown()


def laid_out(view, row: int) -> bool:
    return view.visualRect(view.model().index(row, 0)).isValid()


def visible(view, row: int) -> bool:
    return view.visualRect(view.model().index(row, 0)).intersects(view.viewport().rect())


def far_rows(app, win, episode_id: int) -> dict[str, float]:
    """Rows far down, asked for at once after opening: a search result at 95% of another
    episode (the same rows as this one), then Shift+F3 to this one's last 'swarm'."""
    view, model = win.transcript.list_view, win.transcript.model()
    late = model.segment(model.rowCount() * 19 // 20)
    began = time.perf_counter()
    win.open_at(episode_id + 1, late.start)
    row = model.row_at_time(late.start)
    loop_gaps(app, 60.0, lambda: visible(view, row))
    hit = time.perf_counter() - began
    began = time.perf_counter()
    win.session.open_episode(episode_id)
    bar = win.find_bar
    bar.open_bar()
    bar.edit.setText(FIND_WORDS[1])
    bar.search()
    bar.step(-1)
    loop_gaps(app, 60.0, lambda: visible(view, bar.matches[-1].row))
    last = time.perf_counter() - began
    bar.close_bar()
    return {"hit_late": hit, "find_last": last}


def find(app, win, word: str) -> tuple[float, float, int]:
    """Find bar: search to matches painted; baseline find_matches over the same rows."""
    from desktop.ui.transcript.find import find_matches

    bar = win.find_bar
    bar.open_bar()
    bar.edit.setText(word)
    began = time.perf_counter()
    bar.search()
    painted(app, win.transcript.list_view.viewport())
    took = time.perf_counter() - began
    began = time.perf_counter()
    find_matches(win.transcript.model().segments(), word)
    base = time.perf_counter() - began
    count = len(bar.matches)
    bar.close_bar()
    return took, base, count


def probe_library_window(episode: str) -> None:
    """Launch on the library: the library panel's rows painted; reload; open one episode."""
    from desktop.core.store import Library
    from desktop.ui.app import make_application

    app = make_application()
    win = window(app)
    win.resize(1440, 900)
    panel = win.library_panel
    rows = panel.model.rowCount()
    shown = panel.list_view.viewport() if rows else panel  # else the empty state is shown
    painted(app, shown)
    launch, rss = since_spawn(), rss_mb()
    began = time.perf_counter()
    win.reload_library()  # what every library_changed does (an import, a transcription)
    painted(app, shown)
    reload = time.perf_counter() - began
    with Library.open() as library:
        began = time.perf_counter()
        library.episode_titles()
        titles = time.perf_counter() - began
        began = time.perf_counter()
        library.segments(int(episode), words=False)
        read = time.perf_counter() - began
    win.session.make_insights = lambda *a, **k: None  # the view, not the insights
    began = time.perf_counter()
    opened_ok = rows > 0 and win.session.open_episode(int(episode))
    if opened_ok:
        painted(app, win.transcript.list_view.viewport())
    opened = time.perf_counter() - began
    emit(
        launch=launch, rss=rss, rows=rows, reload=reload, titles=titles, open=opened,
        read=read, opened=opened_ok, open_rows=win.transcript.model().rowCount(),
    )  # fmt: skip
    win.session.shutdown()


def probe_insights(episode: str) -> None:
    """The extractive engine on one stored episode, as the insights job runs it."""
    from desktop.core.insights.engine import InsightInput
    from desktop.core.insights.extractive import ExtractiveEngine
    from desktop.core.insights.extractive.clean import clean_sentence
    from desktop.core.insights.extractive.sentences import split_sentences
    from desktop.core.store import Library

    with Library.open() as library:
        episode_id = int(episode)
        title = library.episode(episode_id).title
        segments = library.segments(episode_id)
        chapters = library.chapters(episode_id)
    loaded = peak_mb()
    began = time.perf_counter()
    sentences = split_sentences(segments)
    [clean_sentence(s.text) for s in sentences]
    floor = time.perf_counter() - began
    began = time.perf_counter()
    insights = ExtractiveEngine().generate(InsightInput(title, segments, chapters))
    took = time.perf_counter() - began
    emit(
        seconds=took, floor=floor, peak=peak_mb(), loaded=loaded, sentences=len(sentences),
        segments=len(segments), key=len(insights.key_insights), qa=len(insights.qa),
        takeaways=len(insights.takeaways), summary=len(insights.summary.split()),
    )  # fmt: skip


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


PROBES = {
    "window-open": probe_window_open,
    "library-window": probe_library_window,
    "insights": probe_insights,
}

if __name__ == "__main__":
    PROBES[sys.argv[1]](*sys.argv[2:])
