"""A reader's edits of chapters on the command line (`earmark chapters rename | add |
delete | move`), on the NASA sample as tiny.en transcribed it with chapters made for it:
each edit is one transaction, prints the command that undoes it (which does), bad input
is one line that changes nothing, and an edited chapter is the reader's own."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.core.chapters import edit
from desktop.core.errors import ChangedElsewhereError, EarmarkError
from desktop.core.model import Chapter
from desktop.core.store import Library
from desktop.services import chapters as service
from tests.conftest import DATA

NASA = DATA / "insights" / "nasa-hwhap414-tiny-en.json"


def run(capsys: pytest.CaptureFixture[str], *words: str) -> tuple[int, str, str]:
    code = main(list(words))
    out, err = capsys.readouterr()
    return code, out, err


def stored(home: Path) -> list[Chapter]:
    with Library.open(home / "library.sqlite3") as library:
        return library.chapters(1)


@pytest.fixture
def made(earmark_home: Path, capsys: pytest.CaptureFixture[str]) -> list[Chapter]:
    assert main(["import", str(NASA)]) == 0
    assert main(["chapters", "make", "1"]) == 0
    capsys.readouterr()
    return stored(earmark_home)


def test_each_edit_prints_its_undo_and_the_undo_restores(
    made: list[Chapter], earmark_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert len(made) == 3 and all(c.made for c in made)
    edits = [
        ("chapters", "rename", "1", "2", "The", "guest's", "studies"),
        ("chapters", "add", "1", "4:00", "Working at NASA"),
        ("chapters", "move", "1", "4", "4:10.5"),
        ("chapters", "delete", "1", "1"),
    ]
    states = [stored(earmark_home)]
    undos = []
    for words in edits:
        code, out, _ = run(capsys, *words)
        assert code == 0, out
        undos.append(out.splitlines()[-1].removeprefix("undo: earmark "))
        states.append(stored(earmark_home))
    assert [c.title for c in states[-1]] == [
        "The guest's studies",
        made[2].title,
        "Working at NASA",
    ]
    assert states[-1][-1].start == 250.5 and not states[-1][-1].made
    # The printed commands, newest first, walk back through every state.
    for n, undo in reversed(list(enumerate(undos))):
        assert run(capsys, *shlex.split(undo))[0] == 0
        back = stored(earmark_home)
        assert [(c.start, c.title) for c in back] == [(c.start, c.title) for c in states[n]]


def test_bad_edits_are_one_line_and_change_nothing(
    made: list[Chapter], earmark_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for words, said in [
        (("rename", "1", "9", "x"), "there is no chapter 9: the episode has 1 to 3"),
        (("add", "1", "9:00", "x"), "9:00 is past the episode's end (4:54)"),
        (("add", "1", "1:11.5", "x"), "already starts at 1:11"),
        (("add", "1", "soon", "x"), "'soon' is not a time"),
        (("rename", "1", "2", " "), "a chapter needs a title"),
        (("rename", "1", "2", "x" * 201), "at most 200 characters"),
        (("delete", "1", "two"), "'two' is not a chapter number"),
        (("rename", "7", "1", "x"), "episode"),
    ]:
        code, _out, err = run(capsys, "chapters", *words)
        assert code == 1 and said in err and len(err.strip().splitlines()) == 1, (words, err)
        assert stored(earmark_home) == made
    code, _, err = run(capsys, "chapters", "move", "1", "2")
    assert code == 2 and "use: earmark chapters move ID N TIME" in err
    code, _, err = run(capsys, "chapters", "frob", "1")
    assert code == 2 and "'frob' is not an action" in err


def test_an_edited_chapter_is_the_readers_own(
    made: list[Chapter], earmark_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Making chapters again replaces made ones, never one the reader named."""
    assert run(capsys, "chapters", "make", "1")[0] == 0  # made ones are made again
    assert run(capsys, "chapters", "rename", "1", "1", "Iowa")[0] == 0
    code, _, err = run(capsys, "chapters", "make", "1")
    assert code == 1 and "1 chapters of its own" in err
    assert [c.made for c in stored(earmark_home)] == [False, True, True]
    code, out, _ = run(capsys, "chapters", "1")
    assert "Iowa\n" in out and out.count("(made)") == 2


def test_undo_writes_only_over_what_the_edit_left(library: Library) -> None:
    from desktop.services.importing import import_transcript

    episode = import_transcript(library, NASA).episode
    library.set_chapters(episode.id, [Chapter(0.96, "Start"), Chapter(100, "Middle")])
    before, after = service.delete_chapter(library, episode.id, 2)
    assert after == [Chapter(0.96, "Start")]
    library.set_chapters(episode.id, [Chapter(0.96, "Someone else's")])
    with pytest.raises(ChangedElsewhereError, match="changed elsewhere since"):
        service.restore_chapters(library, episode.id, before, after)
    assert library.chapters(episode.id) == [Chapter(0.96, "Someone else's")]


def test_the_rules_of_an_edit() -> None:
    chapters = [Chapter(0, "A", made=True), Chapter(60, "B", made=True)]
    assert edit.added(chapters, 30, " New  one ", 120)[1] == Chapter(30, "New one")
    assert edit.moved(chapters, 2, 10, 120) == [Chapter(0, "A", True), Chapter(10, "B")]
    assert edit.deleted(chapters, 1) == [Chapter(60, "B", True)]
    with pytest.raises(EarmarkError, match="already starts"):
        edit.moved(chapters, 2, 0.5, 120)
    assert edit.moved(chapters, 2, 60.5, 120)[1].start == 60.5  # near its own start: fine
    with pytest.raises(EarmarkError, match="not a moment"):
        edit.added(chapters, float("nan"), "x", None)
    with pytest.raises(EarmarkError, match="has no chapters"):
        edit.deleted([], 1)
