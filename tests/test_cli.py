"""The `earmark` command line, run in-process and once as the installed console script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.core.store import Library
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
        assert library.row_counts() == dict.fromkeys(
            ("episodes", "segments", "chapters", "notes", "insights"), 0
        )
    assert run_json(capsys, "search", "paragraph") == []
    code, _, err = run(capsys, "delete", str(episode))
    assert code == 1 and f"no episode with id {episode}" in err
