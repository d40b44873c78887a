"""Chapters Earmark makes for episodes without them, on real transcripts: the 97-minute
Ethereum interview (its real chapters hidden, then compared), the NASA sample as tiny.en
transcribed it (tests/data/insights), and the rules: made chapters are marked as made,
never replace an episode's own, and go everywhere chapters go (outline, export)."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.core.chapters.made import even_chapters, make_chapters, part_count
from desktop.core.errors import EarmarkError
from desktop.core.importers import load_transcript
from desktop.core.store import Library
from desktop.services.chapters import make_episode_chapters
from desktop.services.importing import import_transcript
from tests.conftest import CORPUS, DATA

ETHEREUM = CORPUS / "transcripts" / "interviews" / "early-days-of-ethereum-ep010-viktor-tron.md"
NASA = DATA / "insights" / "nasa-hwhap414-tiny-en.json"


def within(real, made, seconds: float = 60.0) -> int:  # type: ignore[no-untyped-def]
    return sum(any(abs(r.start - m.start) <= seconds for m in made) for r in real)


@pytest.mark.skipif(not ETHEREUM.is_file(), reason="../shared/corpus is not here")
def test_a_long_interview_gets_topical_chapters_closer_to_the_real_ones_than_even_cuts() -> None:
    transcript = load_transcript(ETHEREUM)
    real = transcript.chapters
    made = make_chapters(transcript.segments)  # the real chapters are not given
    assert 10 <= len(made) <= 16
    lengths = [b.start - a.start for a, b in pairwise(made)]
    assert all(120 <= n <= 900 for n in lengths), lengths  # 2-15 minutes each
    titles = [c.title for c in made]
    assert len(set(titles)) == len(titles) and all(titles)
    assert not any(t.startswith("Part ") for t in titles), titles
    # Measured: 8 of 15 real starts have a made start within 60 s (the issue asks for at
    # least half), 6 for even cuts of the same number.
    assert 2 * within(real, made) >= len(real)
    assert within(real, made) > within(real, even_chapters(transcript.segments, len(made)))
    words = {w for t in titles for w in t.split()}
    assert {"DEVCON1", "Bitcoin"} <= words  # topics the real outline names


def test_the_nasa_sample_gets_minute_long_chapters() -> None:
    transcript = load_transcript(NASA)
    made = make_chapters(transcript.segments)
    ends = [c.start for c in made[1:]] + [transcript.duration]
    assert len(made) == part_count(transcript.duration) == 3
    assert all(60 <= end - c.start <= 180 for c, end in zip(made, ends, strict=True))
    assert made[0].start == transcript.segments[0].start
    titles = [c.title for c in made]
    assert titles[1] == "Mechanical Engineering and Dominion"  # the guest's studies
    assert not any(t.startswith("Part ") for t in titles), titles


def test_made_chapters_are_stored_marked_and_never_replace_the_episodes_own(
    library: Library,
) -> None:
    nasa = import_transcript(library, NASA).episode
    chapters = make_episode_chapters(library, nasa.id)
    assert [c.made for c in library.chapters(nasa.id)] == [True] * len(chapters)
    again = make_episode_chapters(library, nasa.id)  # made ones are made again
    assert [c.start for c in again] == [c.start for c in chapters]
    if ETHEREUM.is_file():
        ethereum = import_transcript(library, ETHEREUM).episode
        own = library.chapters(ethereum.id)
        with pytest.raises(EarmarkError, match="15 chapters of its own; they are kept"):
            make_episode_chapters(library, ethereum.id)
        assert library.chapters(ethereum.id) == own


def test_the_command_line(
    earmark_home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["import", str(NASA)]) == 0
    assert main(["insights", "1"]) == 0
    capsys.readouterr()
    assert main(["chapters", "make", "1"]) == 0
    out, err = capsys.readouterr()
    assert "insights were made again to follow the new chapters" in err
    with Library.open() as library:  # the Summary follows the chapters
        summary = library.insights(1).summary  # type: ignore[union-attr]
        assert [line.split(" — ")[0] for line in summary.splitlines()] == [
            f"[{int(c.start // 60):02d}:{int(c.start % 60):02d}] {c.title}"
            for c in library.chapters(1)
        ]
    assert "3 chapters made" in out and "Mechanical Engineering" in out
    assert main(["chapters", "1", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [c["made"] for c in listed] == [True, True, True]
    target = tmp_path / "nasa.md"
    assert main(["export", "1", "--format", "md", "-o", str(target)]) == 0
    assert "## Mechanical Engineering and Dominion" in target.read_text(encoding="utf-8")
    assert main(["chapters", "make", "nine"]) == 2


def test_made_chapters_go_everywhere_chapters_go(library: Library, tmp_path: Path) -> None:
    """WebVTT chapters for players, and Earmark's JSON round trip keeping the mark."""
    from desktop.services.exporting import export_to_path

    episode = import_transcript(library, NASA).episode
    made = make_episode_chapters(library, episode.id)
    vtt = export_to_path(library, episode.id, "chapters", tmp_path)
    assert vtt.name.endswith(".chapters.vtt")
    text = vtt.read_text(encoding="utf-8")
    assert text.startswith("WEBVTT") and text.count(" --> ") == len(made)
    assert "1\n00:00:00.960 --> 00:01:11.240\nIowa and Langley\n" in text
    exported = export_to_path(library, episode.id, "json", tmp_path / "nasa.json")
    with Library.open(tmp_path / "other.sqlite3") as other:
        back = import_transcript(other, exported).episode
        assert other.chapters(back.id) == library.chapters(episode.id)


def test_search_results_name_their_chapter(library: Library) -> None:
    from desktop.core.search import search

    excerpt = DATA / "insights" / "early-days-of-ethereum-ep010-excerpt.md"
    import_transcript(library, excerpt)
    hits = search(library.conn, "yellow paper", limit=10)
    chapters = {(round(h.start), h.chapter) for h in hits}
    assert (1015, "Yellow Paper and multi-client development") in chapters
    assert (483, "Anarchism and Austrian economics") in chapters
    assert all(h.chapter for h in hits)  # every hit lies after the first chapter's start
