"""Scale, at a size that runs quickly: a 2-hour episode made of real transcripts goes
through import -> the window -> search -> export -> insights, and what broke at scale
(bench/scale.py at 10 hours and 1,000 episodes) stays fixed. Counts, never clocks.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from desktop.core.importers import load_transcript
from desktop.core.insights.engine import ungrounded_items
from desktop.core.model import EpisodeSource, EpisodeStatus, Segment
from desktop.core.search import search
from desktop.core.store import Library
from desktop.services.exporting import export_to_path
from desktop.services.importing import import_transcript
from desktop.services.insights import generate_insights
from tests.reliability.long_episode import Cue, long_cues, long_markdown, write_srt, write_vtt

HOURS = 2.0


@pytest.fixture(scope="module")
def cues() -> list[Cue]:
    return long_cues(HOURS)


@pytest.fixture(scope="module")
def long_files(cues: list[Cue], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("long")
    files = {fmt: folder / f"two-hours.{fmt}" for fmt in ("vtt", "srt", "md")}
    write_vtt(files["vtt"], cues)
    write_srt(files["srt"], cues)
    long_markdown(files["md"], HOURS)
    return files


@pytest.fixture(scope="module")
def long_library(long_files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three files imported: #1 captions (VTT), #2 the same as SRT, #3 Markdown."""
    path = tmp_path_factory.mktemp("library") / "library.sqlite3"
    with Library.open(path) as library:
        for file in long_files.values():
            import_transcript(library, file)
    return path


def test_every_cue_of_a_long_file_is_imported(cues: list[Cue], long_library: Path):
    with Library.open(long_library) as library:
        vtt, srt, md = sorted(library.episodes(), key=lambda e: e.id)
        assert vtt.segment_count == srt.segment_count == len(cues)
        assert [s.text for s in library.segments(vtt.id)] == [c.text for c in cues]
        assert {s.speaker for s in library.segments(srt.id)} == {c.speaker for c in cues}
        assert vtt.duration == pytest.approx(cues[-1].end)
        # Markdown: every part's stamps shifted, so the parts follow one another in time
        starts = [s.start for s in library.segments(md.id)]
        assert starts == sorted(starts) and md.duration == pytest.approx(HOURS * 3600, rel=0.1)
        assert len(library.chapters(md.id)) > 10


def test_the_episode_list_does_not_read_every_segment(tmp_path: Path):
    """episodes() runs on the UI thread at every library change: its cost must not grow
    with the segments stored (it counted them all: 0.2-0.5 s for 1,000 x 1,500)."""
    with Library.open(tmp_path / "library.sqlite3") as library:
        for n in range(20):
            episode = library.create_episode(f"#{n}", EpisodeSource.IMPORTED, EpisodeStatus.DONE)
            library.append_segments(episode.id, (Segment(i, i + 1, "x") for i in range(n * 100)))
        library.create_episode("empty", EpisodeSource.IMPORTED, EpisodeStatus.DONE)
        steps = [0]

        def step() -> int:
            steps[0] += 1
            return 0

        library.conn.set_progress_handler(step, 1)
        episodes = library.episodes()
        library.conn.set_progress_handler(None, 1)
        assert steps[0] < 19_000 // 4  # 19,000 segments; an index seek per episode
        counted = dict(
            library.conn.execute("SELECT episode_id, count(*) FROM segments GROUP BY episode_id")
        )
        assert {e.id: e.segment_count for e in episodes} == {
            e.id: counted.get(e.id, 0) for e in episodes
        }


def test_a_long_episode_in_the_window(long_library: Path, qtbot):
    from desktop.ui.app import make_application
    from desktop.ui.main_window import MainWindow
    from desktop.ui.session import Session

    make_application()
    library = Library.open(long_library)
    window = MainWindow(Session(library))
    qtbot.addWidget(window)
    window.session.make_insights = lambda *a, **k: None  # made below, in this process
    window.show()
    try:
        assert window.library_panel.model.rowCount() == 3
        assert window.session.open_episode(1)
        rows = window.transcript.model().segments()
        assert len(rows) == library.segment_count(1)
        bar, view = window.find_bar, window.transcript.list_view
        bar.open_bar()
        bar.edit.setText("the")
        bar.search()
        expected = sum(len(re.findall("the", s.text, re.IGNORECASE)) for s in rows)
        assert len(bar.matches) == expected > 500
        # At once, while the rows are still being laid out in batches: Shift+F3 from the
        # first match goes to the last, far down; the view must get there (it stayed put).
        bar.step(-1)
        last = window.transcript.model().index(bar.matches[-1].row, 0)
        qtbot.waitUntil(lambda: view.visualRect(last).intersects(view.viewport().rect()))
        window.open_at(2, rows[-5].start)  # a search result near the end of another episode
        near_end = window.transcript.model().index(len(rows) - 5, 0)
        qtbot.waitUntil(lambda: view.visualRect(near_end).intersects(view.viewport().rect()))
    finally:
        window.session.shutdown(timeout=30)
        library.close()


def test_search_finds_every_segment_of_a_word(long_library: Path):
    with Library.open(long_library) as library:
        texts = [s.text for s in library.segments(1)]
        wanted = {i for i, t in enumerate(texts) if re.search(r"\bswarm\b", t, re.I)}
        hits = search(library.conn, "swarm", episode_id=1, limit=10_000, notes=False)
        assert {h.segment_idx for h in hits} == wanted and wanted
        everywhere = search(library.conn, "swarm", limit=10_000, notes=False)
        assert {h.episode_id for h in everywhere} == {1, 2, 3}
        assert search(library.conn, '"the swarm"', episode_id=1, limit=5)


@pytest.mark.parametrize("fmt", ["md", "srt", "vtt", "txt", "json"])
def test_a_long_export_imports_again_whole(long_library: Path, tmp_path: Path, fmt: str):
    with Library.open(long_library) as library:
        segments = library.segments(1)
        out = export_to_path(library, 1, fmt, tmp_path / f"episode.{fmt}")
    back = load_transcript(out).segments
    if fmt == "md":  # a speaker's segments become paragraphs: every word comes back
        assert words(back) == words(segments)
    else:
        assert [s.text for s in back] == [s.text for s in segments]


def words(segments: list[Segment]) -> list[str]:
    return [w for s in segments for w in s.text.split()]


def test_insights_of_a_long_episode(long_library: Path):
    with Library.open(long_library) as library:
        segments = library.segments(1)
        insights = generate_insights(library, 1).insights
        assert library.insights(1) == insights
    assert 6 <= len(insights.key_insights) <= 14 and len(insights.takeaways) == 3
    assert insights.qa and insights.tldr and insights.summary
    assert not ungrounded_items(insights, segments)


def test_textrank_makes_no_copy_of_the_sentence_graph(long_files: dict[str, Path]):
    """TextRank divided the n x n similarities by row sums and transposed them: two more
    n x n arrays (+320 MB for the 4,500 sentences of 10 hours)."""
    from desktop.core.insights.extractive.clean import clean_sentence
    from desktop.core.insights.extractive.rank import SentenceSpace
    from desktop.core.insights.extractive.sentences import split_sentences

    sentences = split_sentences(load_transcript(long_files["vtt"]).segments)
    space = SentenceSpace([clean_sentence(s.text) for s in sentences])
    n = len(sentences)
    tracemalloc.start()
    scores = space.textrank()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert n > 800 and peak < n * n * 8 / 4  # less than a quarter of one n x n array
    assert np.allclose(scores, textrank_with_copies(space.similarity), rtol=1e-9, atol=0)


def textrank_with_copies(weights: np.ndarray, damping: float = 0.85) -> np.ndarray:
    """The former TextRank, for comparison: the same scores are expected."""
    totals = weights.sum(axis=1)
    totals[totals == 0] = 1.0
    backward = (weights / totals[:, None]).T
    n = len(weights)
    scores = np.full(n, 1.0 / n)
    for _ in range(50):
        scores = (1 - damping) / n + damping * (backward @ scores)
    return scores / scores.max()


def test_the_window_does_not_load_scikit_learn_to_receive_insights():
    """The window unpickles the insights job's InsightsResult, which imports
    services.insights: that must not pull scikit-learn into the window (+130 MB)."""
    code = (
        "import sys, desktop.ui.tasks, desktop.services.insights; "
        "print('sklearn' in sys.modules, 'scipy' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split() == ["False", "False"]
