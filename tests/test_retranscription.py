"""Transcribing an episode again with another model: the first 90 s of the bundled NASA
sample, transcribed by the real embedded tiny.en, then again by the real multilingual
base (tests/whisper_base.py), in the real library file. Notes stay at their times,
corrections are kept where the new segments cover the same time and counted where not,
the old transcript comes back with Undo (and goes again with Redo), and a cancelled,
failed or refused run leaves the library as it was."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from itertools import pairwise
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.core.errors import ChangedElsewhereError, EarmarkError
from desktop.core.model import EpisodeStatus, Segment, Word
from desktop.core.store import Library
from desktop.core.transcribe import Transcriber, load_transcriber, resolve_model
from desktop.core.transcribe.carry import carry_edits
from desktop.services.editing import edit_segment
from desktop.services.insights import generate_insights
from desktop.services.retranscription import restore_previous, retranscribe
from desktop.services.transcription import CancelToken, Progress, transcribe_media
from tests import media_fixtures as media

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def head(pytestconfig: pytest.Config) -> Path:
    return media.sample_head(pytestconfig.cache.mkdir("earmark-media"), 90)


@pytest.fixture(scope="module")
def base(base_model: Path) -> Transcriber:
    return load_transcriber(resolve_model(str(base_model)))


@pytest.fixture(scope="module")
def tiny() -> Transcriber:
    return load_transcriber()


def loader(engine: Transcriber) -> Callable[[], Transcriber]:
    return lambda: engine


def snapshot(library: Library, episode_id: int) -> tuple[object, ...]:
    """Everything a reader sees of the episode, to prove it unchanged."""
    episode = library.episode(episode_id)
    return (
        [(s.start, s.end, s.text, s.speaker, s.edited) for s in library.segments(episode_id)],
        (episode.model, episode.language, episode.status),
        [(n.id, n.time, n.segment_idx, n.text) for n in library.notes(episode_id)],
        library.insights(episode_id),
        library.row_counts(),
    )


@pytest.fixture(scope="module")
def prepared(head: Path, tiny: Transcriber, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library file holding the sample's head by tiny.en, with its insights, two notes
    and two corrections; made once, copied for each test."""
    path = tmp_path_factory.mktemp("retranscribe") / "library.sqlite3"
    with Library.open(path) as library:
        episode_id = transcribe_media(library, head, loader(tiny)).episode.id
        assert episode_id == 1
        generate_insights(library, episode_id)
        at = library.segment_at(episode_id, 22.0)
        library.add_note(episode_id, "Fort Dodge", segment_idx=at, time=22.0)
        library.add_note(episode_id, "on a segment only", segment_idx=3)
        segments = library.segments(episode_id)
        long = max(range(len(segments)), key=lambda n: segments[n].end - segments[n].start)
        edit_segment(library, episode_id, long, "Corrected by a person: " + segments[long].text)
        last = len(segments) - 1
        edit_segment(library, episode_id, last, segments[last].text + " (checked)")
        library.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def library(prepared: Path, tmp_path: Path) -> Iterator[Library]:
    path = tmp_path / "library.sqlite3"
    shutil.copyfile(prepared, path)
    with Library.open(path) as library:
        yield library


@pytest.fixture
def episode() -> int:
    return 1


def test_again_with_base_keeps_notes_and_accounts_for_every_correction(
    library: Library, episode: int, base: Transcriber
) -> None:
    before = library.segments(episode)
    corrected = [s for s in before if s.edited]
    notes_before = library.notes(episode)
    insights_before = library.insights(episode)
    reports: list[Progress] = []

    result = retranscribe(library, episode, loader(base), on_progress=reports.append)

    after = library.segments(episode)
    assert result.episode.model == base.model and result.previous_model == "tiny.en"
    assert result.segments_before == len(before) and result.episode.segment_count == len(after)
    assert [s.text for s in after] != [s.text for s in before]  # another model's words
    assert reports and reports[-1].position > 80 and all(r.episode_id == episode for r in reports)
    # Every correction is accounted for: in the new text as it was, or reported by time.
    kept = [s for s in after if s.edited]
    assert result.corrections_kept == len(kept)
    assert result.corrections_kept + len(result.corrections_lost) == len(corrected) == 2
    for correction in corrected:
        if correction.start in result.corrections_lost:
            assert correction.text not in {s.text for s in after}
        else:
            assert correction.text in {s.text for s in kept}
    assert all(a.end <= b.start for a, b in pairwise(after))
    # Notes: same ids, text and times; each on the new segment playing at its time.
    notes = library.notes(episode)
    assert [(n.id, n.text) for n in notes] == [(n.id, n.text) for n in notes_before]
    times = {n.text: n.time for n in notes}
    assert times == {"Fort Dodge": 22.0, "on a segment only": before[3].start}
    for note in notes:
        assert note.segment_idx == library.segment_at(episode, note.time)
    assert result.notes == 2
    assert "2 notes kept at their times" in result.summary()
    # The insights were made from the old text: set aside with it, to be made again.
    assert library.insights(episode) is None
    kept_version = library.replaced_transcript(episode)
    assert kept_version is not None and kept_version.model == "tiny.en"
    assert [s.text for s in kept_version.segments] == [s.text for s in before]
    assert insights_before is not None

    # Undo: the old transcript exactly, with its corrections, words and insights.
    restore_previous(library, episode)
    back = library.segments(episode)
    assert [(s.start, s.end, s.text, s.edited, s.words) for s in back] == [
        (s.start, s.end, s.text, s.edited, s.words) for s in before
    ]
    assert library.episode(episode).model == "tiny.en"
    assert library.insights(episode) == insights_before
    assert [n.segment_idx for n in library.notes(episode)] == [n.segment_idx for n in notes_before]
    # Redo: the same call swaps again.
    restore_previous(library, episode)
    assert [s.text for s in library.segments(episode)] == [s.text for s in after]
    assert library.episode(episode).model == base.model


def test_undo_refuses_to_overwrite_a_later_correction(
    library: Library, episode: int, base: Transcriber
) -> None:
    retranscribe(library, episode, loader(base))
    edit_segment(library, episode, 0, "Changed after the new transcript came")
    unchanged = snapshot(library, episode)
    with pytest.raises(ChangedElsewhereError, match="changed since"):
        restore_previous(library, episode)
    assert snapshot(library, episode) == unchanged


def test_cancel_changes_nothing(library: Library, episode: int, base: Transcriber) -> None:
    unchanged = snapshot(library, episode)
    token = CancelToken()

    def cancel_at_first_report(progress: Progress) -> None:
        token.cancel()

    result = retranscribe(library, episode, loader(base), None, cancel_at_first_report, token)
    assert result.cancelled
    assert snapshot(library, episode) == unchanged
    assert library.replaced_transcript(episode) is None


def test_refusals_name_the_episode_and_change_nothing(
    library: Library, episode: int, head: Path, tmp_path: Path
) -> None:
    def never() -> Transcriber:
        raise AssertionError("no model is loaded for a refused run")

    unchanged = snapshot(library, episode)
    with pytest.raises(EarmarkError, match=f"episode {episode} has no earlier transcript"):
        restore_previous(library, episode)
    # The media moved away.
    moved = tmp_path / "moved.mp3"
    shutil.copyfile(head, moved)
    library.update_episode(episode, media_path=str(moved))
    unchanged = snapshot(library, episode)
    moved.unlink()
    with pytest.raises(EarmarkError, match="is not there any more"):
        retranscribe(library, episode, never)
    # Other bytes under the episode's media name.
    moved.write_bytes(head.read_bytes()[: len(head.read_bytes()) // 2])
    with pytest.raises(EarmarkError, match="changed since episode"):
        retranscribe(library, episode, never)
    assert snapshot(library, episode) == unchanged


def test_an_imported_transcript_has_no_audio_to_transcribe(library: Library) -> None:
    from desktop.services.importing import import_transcript
    from tests.conftest import SAMPLE_VTT

    episode = import_transcript(library, SAMPLE_VTT).episode
    with pytest.raises(EarmarkError, match="imported from a transcript"):
        retranscribe(library, episode.id, load_transcriber)


def test_cli_again_and_undo(
    library: Library,
    episode: int,
    base_model: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The command line drives the same service, with the model in its own process."""
    monkeypatch.delenv("EARMARK_TRANSCRIBE_IN_PROCESS", raising=False)
    monkeypatch.setenv("EARMARK_HOME", str(library.path.parent))  # the fixture's library
    library.close()
    home_db = library.path
    code = main(["transcribe", "--again", "--model", str(base_model), str(episode), "--json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["previous_model"] == "tiny.en" and report["model"] == base_model.name
    assert report["corrections_kept"] + len(report["corrections_lost_at"]) == 2
    assert report["notes"] == 2
    with Library.open(home_db) as reopened:
        assert reopened.insights(episode) is not None  # remade from the new text
        assert reopened.episode(episode).model == base_model.name
    assert main(["transcribe", "--undo", str(episode)]) == 0
    assert "the transcript by tiny.en is back" in capsys.readouterr().out
    with Library.open(home_db) as reopened:
        assert reopened.episode(episode).model == "tiny.en"
    assert main(["transcribe", "--again", "four"]) == 1
    assert "'four' is not an episode id" in capsys.readouterr().err


# --- the carrying rule itself ------------------------------------------------------------


def seg(start: float, end: float, text: str, **kw: object) -> Segment:
    return Segment(start, end, text, **kw)  # type: ignore[arg-type]


def test_a_correction_stays_where_new_segments_cover_its_time() -> None:
    old = [seg(0, 4, "a b"), seg(4, 9, "Fixed by hand", edited=True), seg(9, 12, "e")]
    new = [seg(0.2, 4.1, "a b"), seg(4.3, 6.0, "c"), seg(6.1, 8.6, "d"), seg(9.0, 12, "e")]
    carried = carry_edits(old, new)
    assert [s.text for s in carried.segments] == ["a b", "Fixed by hand", "e"]
    assert carried.segments[1].start == 4.1 and carried.segments[1].end == 9  # no overlap
    assert carried.kept == [old[1]] and carried.lost == []


def test_a_correction_whose_time_the_new_segments_straddle_is_reported() -> None:
    old = [seg(0, 4, "a"), seg(4, 9, "Fixed by hand", edited=True)]
    new = [seg(0, 6.5, "a b c"), seg(6.5, 12, "d e")]  # a boundary 2.5 s away
    carried = carry_edits(old, new)
    assert [s.text for s in carried.segments] == ["a b c", "d e"]
    assert carried.lost == [old[1]] and carried.kept == []


def test_speakers_follow_time() -> None:
    old = [seg(0, 5, "x", speaker="Gary"), seg(5, 10, "y", speaker="Lisa")]
    new = [seg(0, 2, "x1"), seg(2, 6, "x2"), seg(6, 10, "y")]
    assert [s.speaker for s in carry_edits(old, new).segments] == ["Gary", "Gary", "Lisa"]


def test_the_swap_is_one_transaction(library: Library, episode: int) -> None:
    """A failure inside the swap (here: a note update refused by a trigger) leaves every
    table as it was."""
    unchanged = snapshot(library, episode)
    library.conn.execute(
        "CREATE TRIGGER no_notes BEFORE UPDATE ON notes BEGIN SELECT RAISE(ABORT, 'no'); END"
    )
    from desktop.core.store import TranscriptVersion

    with pytest.raises(Exception, match="no"):
        library.replace_transcript(episode, TranscriptVersion([seg(0, 1, "new")], model="x"))
    library.conn.execute("DROP TRIGGER no_notes")
    assert snapshot(library, episode) == unchanged
    assert library.replaced_transcript(episode) is None
    assert library.episode(episode).status is EpisodeStatus.DONE


def words(*items: tuple[float, float, str]) -> list[Word]:
    return [Word(a, b, t, 0.9) for a, b, t in items]


def test_with_word_timings_the_new_segments_are_cut_around_a_correction() -> None:
    """The NASA case: tiny.en's "Sure. I grew up actually in Fort Dodge, Iowa." (20.6-24.2,
    corrected) became part of base's longer segment (20.3-27.7): the words after it stay,
    as a segment of their own, and nothing is said twice."""
    old = [seg(20.64, 24.24, "Sure. I grew up in Fort Dodge, Iowa (checked).", edited=True)]
    new_words = words(
        (20.34, 20.9, " Sure."), (21.0, 21.3, " I"), (21.3, 21.6, " grew"), (21.6, 21.9, " up"),
        (22.0, 22.6, " in"), (22.6, 23.2, " Fort"), (23.2, 23.6, " Dodge,"),
        (23.6, 24.1, " Iowa,"), (24.5, 24.9, " a"), (24.9, 25.6, " small"), (25.6, 27.68, " town."),
    )  # fmt: skip
    new = [seg(15.0, 20.0, "Before."), seg(20.34, 27.68, "Sure … town.", words=new_words)]
    carried = carry_edits(old, new)
    assert [s.text for s in carried.segments] == [
        "Before.",
        "Sure. I grew up in Fort Dodge, Iowa (checked).",
        "a small town.",
    ]
    assert carried.kept == old and carried.lost == []
    kept, rest = carried.segments[1], carried.segments[2]
    assert (kept.start, kept.end) == (20.64, 24.24) and kept.edited
    assert (rest.start, rest.end, rest.edited) == (24.5, 27.68, False)
    assert [w.text for w in rest.words or []] == [" a", " small", " town."]


def test_a_correction_where_the_new_model_heard_nothing_is_put_back() -> None:
    old = [seg(5, 7, "Quiet words a person typed.", edited=True)]
    new = [seg(0, 4, "a"), seg(8, 9, "b")]
    carried = carry_edits(old, new)
    assert [s.text for s in carried.segments] == ["a", "Quiet words a person typed.", "b"]
    assert carried.kept == old
