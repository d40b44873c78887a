"""The `earmark` command line, run in-process and once as the installed console script."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.core.store import CONTENT_TABLES, Library
from tests.conftest import DATA, SAMPLE_VTT

SAMPLE = SAMPLE_VTT
CORPUS_VTT = DATA / "importers" / "9EN_HoEk3KY.vtt"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_import_list_show_search_export(capsys, tmp_path: Path) -> None:
    data = run_json(capsys, "import", str(SAMPLE))
    (episode,) = data["episodes"]
    assert episode["title"] == "Field Notes: Why I Went Back to Paper"
    assert episode["segments"] == 27
    assert data["errors"] == []

    listed = run_json(capsys, "list")
    assert [e["id"] for e in listed] == [episode["id"]]
    assert listed[0]["status"] == "done"

    shown = run_json(capsys, "show", str(episode["id"]))
    assert shown["segments"][0]["speaker"] == "Maya"
    assert shown["segments"][0]["text"].startswith("Welcome to Field Notes")

    hits = run_json(capsys, "search", "paragraph rule", "--limit", "5")
    assert hits, "the sample mentions the paragraph rule"
    assert set(hits[0]) >= {"episode_id", "title", "start", "end", "text", "snippet"}
    assert "**paragraph**" in hits[0]["snippet"]
    segment = shown["segments"][
        next(i for i, s in enumerate(shown["segments"]) if s["text"] == hits[0]["text"])
    ]
    assert (hits[0]["start"], hits[0]["end"]) == (segment["start"], segment["end"])

    out_path = tmp_path / "notes.md"
    written = run_json(capsys, "export", str(episode["id"]), "--format", "md", "-o", str(out_path))
    assert written == {"path": str(out_path)}
    markdown = out_path.read_text(encoding="utf-8")
    assert markdown.startswith("---\n")
    assert "## Transcript" in markdown
    assert "**Daniel:**" in markdown


def test_reimporting_the_same_file_returns_the_existing_episode(capsys) -> None:
    first = run_json(capsys, "import", str(SAMPLE))["episodes"][0]
    second = run_json(capsys, "import", str(SAMPLE))["episodes"][0]
    assert second["id"] == first["id"]
    assert second["existing"] is True
    assert len(run_json(capsys, "list")) == 1


@pytest.mark.parametrize("fmt", ["srt", "vtt", "txt", "json"])
def test_export_to_stdout_in_every_format(capsys, fmt: str) -> None:
    episode = run_json(capsys, "import", str(SAMPLE))["episodes"][0]
    code, out, err = run(capsys, "export", str(episode["id"]), "-f", fmt, "-o", "-")
    assert code == 0, err
    assert "Field Notes" in out


def test_bad_file_is_an_error_on_stderr_and_leaves_the_library_alone(
    capsys, tmp_path: Path, earmark_home: Path
) -> None:
    run_json(capsys, "import", str(SAMPLE))
    with Library.open() as library:
        before = library.row_counts()
    bad = tmp_path / "broken.srt"
    bad.write_bytes(bytes(range(256)) * 40)
    code, _, err = run(capsys, "import", str(bad))
    assert code == 1
    assert "broken.srt" in err
    assert "Traceback" not in err
    with Library.open() as library:
        assert library.row_counts() == before


def test_good_and_bad_files_together(capsys, tmp_path: Path) -> None:
    empty = tmp_path / "empty.vtt"
    empty.write_text("")
    code, out, err = run(capsys, "import", str(SAMPLE), str(empty), "--json")
    assert code == 1
    data = json.loads(out)
    assert len(data["episodes"]) == 1
    assert data["errors"][0]["path"] == str(empty)
    assert "empty.vtt" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["show", "99"], "no episode with id 99"),
        (["export", "99", "-f", "md"], "no episode with id 99"),
        (["search", "x", "--episode", "99"], "no episode with id 99"),
        (["import", "/nonexistent/file.srt"], "/nonexistent/file.srt"),
        (["search", "x", "--limit", "0"], "--limit"),
    ],
)
def test_user_errors_exit_1_without_traceback(capsys, argv: list[str], message: str) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 1
    assert message in err
    assert "Traceback" not in err


def test_export_into_a_missing_folder_is_a_clear_error(capsys, tmp_path: Path) -> None:
    episode = run_json(capsys, "import", str(SAMPLE))["episodes"][0]
    target = tmp_path / "no" / "such" / "dir" / "x.md"
    code, _, err = run(capsys, "export", str(episode["id"]), "-o", str(target))
    assert code == 1
    assert str(target.parent) in err


def test_search_text_output_and_no_match_message(capsys) -> None:
    run_json(capsys, "import", str(SAMPLE))
    code, out, _ = run(capsys, "search", "landlord")
    assert code == 0
    assert "@ " in out and "**landlord**" in out
    code, out, _ = run(capsys, "search", "zyzzyva")
    assert "No matches" in out


def test_db_path_follows_earmark_home(capsys, earmark_home: Path) -> None:
    assert run_json(capsys, "db", "path") == {"path": str(earmark_home / "library.sqlite3")}


def test_console_script_runs_from_the_venv(tmp_path: Path, earmark_home: Path) -> None:
    exe = shutil.which("earmark", path=str(Path(sys.executable).parent))
    assert exe, "the earmark entry point is installed next to the interpreter"
    result = subprocess.run(
        [exe, "import", str(CORPUS_VTT), "--json"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    (episode,) = json.loads(result.stdout)["episodes"]
    assert episode["segments"] >= 900
    result = subprocess.run(
        [exe, "search", "self play", "--json", "--limit", "3"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    hits = json.loads(result.stdout)
    assert hits and all("self" in h["text"].lower() for h in hits)


def test_delete_removes_the_episode_and_everything_attached(capsys) -> None:
    episode = run_json(capsys, "import", str(SAMPLE))["episodes"][0]["id"]
    assert run(capsys, "insights", str(episode))[0] == 0
    assert run_json(capsys, "delete", str(episode)) == {
        "deleted": episode,
        "title": "Field Notes: Why I Went Back to Paper",
    }
    with Library.open() as library:
        assert library.row_counts() == dict.fromkeys(CONTENT_TABLES, 0)
    assert run_json(capsys, "search", "paragraph") == []
    code, _, err = run(capsys, "delete", str(episode))
    assert code == 1 and f"no episode with id {episode}" in err


# --- notes, corrections, speakers ---------------------------------------------------------------


def imported(capsys) -> int:
    return run_json(capsys, "import", str(SAMPLE))["episodes"][0]["id"]


def test_note_add_list_edit_delete(capsys, tmp_path: Path) -> None:
    episode = imported(capsys)
    note = run_json(capsys, "note", "add", str(episode), "--at", "0:42", "Check the landlord bit")
    assert (note["time"], note["text"], note["episode_id"]) == (42.0, "Check the landlord bit", 1)
    assert note["segment_idx"] is not None
    code, out, err = run(capsys, "note", "add", str(episode), "--segment", "2", "on", "a", "line")
    assert code == 0, err
    assert "Added note 2" in out
    listed = run_json(capsys, "note", "list", str(episode))
    # Time order: the note on segment 2 has no time of its own and sorts as 0.
    assert [(n["id"], n["text"]) for n in listed] == [
        (2, "on a line"),
        (1, "Check the landlord bit"),
    ]
    code, out, _ = run(capsys, "note", "list", str(episode))
    assert "[0:42] Check the landlord bit" in out

    hits = run_json(capsys, "search", "landlord bit")
    assert hits[0]["kind"] == "note" and hits[0]["note_id"] == 1
    assert hits[0]["start"] == 42.0

    edited = run_json(capsys, "note", "edit", "1", "Check the rent numbers")
    assert edited["text"] == "Check the rent numbers"
    out_path = tmp_path / "notes.md"
    run_json(capsys, "export", str(episode), "-o", str(out_path))
    markdown = out_path.read_text(encoding="utf-8")
    assert "## Notes" in markdown
    assert "[00:00:42]" in markdown.split("## Notes", 1)[1].split("\n## ", 1)[0]
    assert "Check the rent numbers" in markdown

    assert run_json(capsys, "note", "delete", "1") == {"deleted": 1, "episode_id": episode}
    assert [n["id"] for n in run_json(capsys, "note", "list", str(episode))] == [2]
    assert all(h["kind"] == "segment" for h in run_json(capsys, "search", "rent numbers"))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["note", "add", "99", "x"], "no episode with id 99"),
        (["note", "list", "99"], "no episode with id 99"),
        (["note", "edit", "5", "x"], "no note with id 5"),
        (["note", "delete", "5"], "no note with id 5"),
        (["note", "add", "{ep}", " "], "a note needs some text"),
        (["note", "add", "{ep}", "--at", "9:00:00", "x"], "9:00:00 is past the end of episode"),
        (["note", "add", "{ep}", "--at", "12:3x", "x"], "'12:3x' is not a time"),
        (["note", "add", "{ep}", "--segment", "999", "x"], "there is no segment 999"),
        (["edit", "{ep}", "--segment", "999", "--text", "x"], "there is no segment 999"),
        (["edit", "{ep}", "--segment", "0", "--text", "  "], "empty"),
        (["edit", "99", "--segment", "0", "--text", "x"], "no episode with id 99"),
        (["speaker", "rename", "{ep}", "Nobody", "X"], "spoken by 'Nobody'"),
        (["speaker", "list", "99"], "no episode with id 99"),
    ],
)
def test_note_edit_speaker_errors_exit_1_naming_the_problem(
    capsys, argv: list[str], message: str
) -> None:
    episode = imported(capsys)
    with Library.open() as library:
        before = library.row_counts()
        segments = library.segments(episode)
    code, _, err = run(capsys, *[a.replace("{ep}", str(episode)) for a in argv])
    assert code == 1
    assert message in err
    assert "Traceback" not in err
    with Library.open() as library:
        assert library.row_counts() == before
        assert library.segments(episode) == segments


def test_edit_a_segment_then_search_finds_the_correction(capsys) -> None:
    episode = imported(capsys)
    shown = run_json(capsys, "show", str(episode))
    first = shown["segments"][0]
    assert first["idx"] == 0 and first["edited"] is False
    result = run_json(
        capsys, "edit", str(episode), "--segment", "0", "--text", "Welcome to Quillfeather Notes"
    )
    assert result["changed"] is True and result["edited"] is True
    assert result["old"] == first["text"]
    assert (result["start"], result["end"]) == (first["start"], first["end"])
    hits = run_json(capsys, "search", "quillfeather")
    assert [(h["segment_idx"], h["start"]) for h in hits] == [(0, first["start"])]
    shown = run_json(capsys, "show", str(episode))
    assert shown["segments"][0]["edited"] is True
    assert shown["segments"][0]["text"] == "Welcome to Quillfeather Notes"
    code, out, _ = run(
        capsys, "edit", str(episode), "--segment", "0", "--text", "Welcome to Quillfeather Notes"
    )
    assert code == 0 and "nothing changed" in out


def test_speaker_list_and_rename(capsys) -> None:
    episode = imported(capsys)
    speakers = run_json(capsys, "speaker", "list", str(episode))
    names = [s["speaker"] for s in speakers]
    assert names[:2] == ["Maya", "Daniel"]
    maya = speakers[0]["segments"]
    renamed = run_json(capsys, "speaker", "rename", str(episode), "Maya", "Maya Okafor")
    assert renamed["segments"] == maya
    shown = run_json(capsys, "show", str(episode))
    assert shown["segments"][0]["speaker"] == "Maya Okafor"
    assert "Maya" not in [s["speaker"] for s in run_json(capsys, "speaker", "list", str(episode))]


# --- search of what a person means ---------------------------------------------------------------


def test_search_and_or_not_and_symbols_from_the_command_line(capsys) -> None:
    episode = imported(capsys)
    run_json(
        capsys, "edit", str(episode), "--segment", "1", "--text", "I write C++ and C# at night."
    )
    hits = run_json(capsys, "search", "AND")
    assert hits and all(re.search(r"\band\b", h["text"], re.IGNORECASE) for h in hits)
    assert any(h["segment_idx"] == 1 for h in hits)
    cpp = run_json(capsys, "search", "C++")
    assert [h["segment_idx"] for h in cpp] == [1]
    assert "**C++**" in cpp[0]["snippet"]
    code, out, _ = run(capsys, "search", "C++")
    assert code == 0 and "**C++**" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["search", "-self"],
        ["search", "--", "-self"],
        ["search", "-self", "--json"],
        ["search", "--limit", "3", "-self"],
        ["search", "-self", "--limit=3"],
        ["search", "--lim", "3", "-self"],
    ],
)
def test_a_query_starting_with_a_dash_is_not_an_option(capsys, argv: list[str]) -> None:
    episode = imported(capsys)
    run_json(capsys, "edit", str(episode), "--segment", "2", "--text", "Self-taught, self made.")
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    if "--json" in argv:
        hits = json.loads(out)
        assert [h["segment_idx"] for h in hits] == [2]
    else:
        assert "**Self**" in out


def test_search_options_still_parse_around_the_query(capsys) -> None:
    episode = imported(capsys)
    hits = run_json(capsys, "search", "paragraph", "--episode", str(episode), "--limit", "1")
    assert len(hits) == 1
    code, _, err = run(capsys, "search", "--limit", "0", "-x")
    assert code == 1 and "--limit" in err
    code, _, err = run(capsys, "search")
    assert code == 2 and "QUERY" in err


def test_version(capsys) -> None:
    from desktop import __version__

    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"earmark {__version__}"
    assert __version__.count(".") == 2


def test_command_names_include_the_new_commands() -> None:
    from desktop.cli.main import command_names

    assert {"note", "edit", "speaker", "search", "export"} <= command_names()


# --- export never silently replaces a file ---------------------------------------------------


def test_export_refuses_an_existing_file_unless_forced(capsys, tmp_path: Path) -> None:
    episode = imported(capsys)
    target = tmp_path / "talk.md"
    target.write_text("my own notes", encoding="utf-8")
    code, _, err = run(capsys, "export", str(episode), "-o", str(target))
    assert code == 1
    assert str(target) in err and "--force" in err
    assert target.read_text(encoding="utf-8") == "my own notes"
    assert run_json(capsys, "export", str(episode), "-o", str(target), "--force") == {
        "path": str(target)
    }
    assert target.read_text(encoding="utf-8").startswith("---\n")


def test_same_titled_episodes_export_to_different_files(capsys, tmp_path: Path) -> None:
    ids = []
    for n in range(3):
        copy = tmp_path / f"copy{n}" / "9EN_HoEk3KY.vtt"
        copy.parent.mkdir()
        text = CORPUS_VTT.read_text(encoding="utf-8")
        copy.write_text(text + f"\n\nNOTE copy {n}\n", encoding="utf-8")
        ids.append(run_json(capsys, "import", str(copy))["episodes"][0]["id"])
    titles = {e["title"] for e in run_json(capsys, "list")}
    assert len(titles) == 1
    out = tmp_path / "out"
    out.mkdir()
    paths = [run_json(capsys, "export", str(i), "-o", str(out))["path"] for i in ids]
    names = sorted(Path(p).name for p in paths)
    title = titles.pop()
    assert names == sorted(
        [f"{title}.md", f"{title} (episode {ids[1]}).md", f"{title} (episode {ids[2]}).md"]
    )
    assert len(list(out.iterdir())) == 3
    # Exporting one of them again refuses to replace it.
    code, _, err = run(capsys, "export", str(ids[1]), "-o", str(out))
    assert code == 1 and f"(episode {ids[1]}).md already exists" in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["search", "a", "-b", "--limit", "5", "c"],
            ["search", "--limit", "5", "--", "a", "-b", "c"],
        ),
        (["search", "--json", "-self"], ["search", "--json", "--", "-self"]),
        (["search", "--", "--json"], ["search", "--", "--json"]),
        (["search", "--episode=3", "x"], ["search", "--episode=3", "--", "x"]),
        (["search", "--verbose"], ["search", "--", "--verbose"]),
        (["show", "-1"], ["show", "-1"]),
        (["--version"], ["--version"]),
    ],
)
def test_search_argv_keeps_query_words_in_order(argv: list[str], expected: list[str]) -> None:
    from desktop.cli.main import search_argv

    assert search_argv(argv) == expected


def run_earmark(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real `earmark` launcher in a fresh process, with no display to open a window on."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        capture_output=True, text=True, timeout=60, env=env, cwd=cwd,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["serach", "x"], "earmark: 'serach' is not a command or a file (did you mean "
         "'search'?); see 'earmark --help'"),
        (["lsit"], "earmark: 'lsit' is not a command or a file (did you mean 'list'?); "
         "see 'earmark --help'"),
        (["frobnicate", "--json"], "earmark: 'frobnicate' is not a command or a file; "
         "see 'earmark --help'"),
    ],
)  # fmt: skip
def test_a_mistyped_command_is_one_line_and_exit_2_and_opens_nothing(
    args: list[str], said: str, tmp_path: Path
) -> None:
    done = run_earmark(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [said]
    assert done.stdout == ""


def test_a_word_that_names_a_file_here_is_still_a_file(tmp_path: Path) -> None:
    from desktop.launch import not_a_command

    (tmp_path / "serach").write_text("WEBVTT\n")
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert not_a_command(["serach"]) is None  # the window opens it
    finally:
        os.chdir(here)
    assert not_a_command(["episode.mp3"]) is None and not_a_command([]) is None
