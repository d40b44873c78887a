"""`earmark insights`: generate, store, export; the LLM engine falls back when it fails."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.core.insights.payload import Insights
from desktop.core.model import EpisodeSource
from desktop.core.store import Library
from tests.conftest import SAMPLE_VTT


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def imported(capsys: pytest.CaptureFixture[str]) -> int:
    code, out, _ = run(capsys, "import", str(SAMPLE_VTT), "--json")
    assert code == 0
    return int(json.loads(out)["episodes"][0]["id"])


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_insights_are_printed_stored_and_exported(capsys, tmp_path: Path) -> None:
    episode = imported(capsys)
    code, out, err = run(capsys, "insights", str(episode), "--json")
    assert code == 0, err
    payload = Insights.from_dict(json.loads(out))
    assert payload.engine == "extractive"
    with Library.open() as library:
        assert library.insights(episode) == payload

    target = tmp_path / "notes.md"
    assert run(capsys, "export", str(episode), "-o", str(target))[0] == 0
    markdown = target.read_text(encoding="utf-8")
    for heading in (
        "## TL;DR",
        "## Key Insights",
        "## Questions & Answers",
        "## Summary",
        "## Key Takeaways",
    ):
        section = markdown.split(heading, 1)[1].split("\n## ", 1)[0]
        if heading != "## TL;DR" and heading != "## Summary":
            assert re.search(r"\[\d\d:\d\d:\d\d\]", section), heading
    assert "Extracted from the transcript" in markdown
    assert "AI-generated" not in markdown


def test_text_output_reads_as_markdown(capsys) -> None:
    episode = imported(capsys)
    code, out, _ = run(capsys, "insights", str(episode))
    assert code == 0
    assert out.startswith("*Extracted from the transcript")
    assert "## Key Insights" in out and "## Questions & Answers" in out


def test_an_unreachable_llm_server_falls_back_to_extraction(capsys) -> None:
    episode = imported(capsys)
    url = f"http://127.0.0.1:{closed_port()}/v1"
    code, out, err = run(
        capsys, "insights", str(episode), "--engine", "openai", "--base-url", url,
        "--model", "tiny", "--timeout", "5", "--json",
    )  # fmt: skip
    assert code == 0
    assert json.loads(out)["engine"] == "extractive"
    assert "warning" in err and url in err and "extracted insights instead" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["insights", "42"], "no episode with id 42"),
        (["insights", "{id}", "--engine", "openai", "--model", ""], "--model"),
        (["insights", "{empty}"], "no transcript yet"),
    ],
)
def test_insight_errors_are_clear(capsys, argv: list[str], message: str) -> None:
    episode = imported(capsys)
    with Library.open() as library:
        empty = library.create_episode("Nothing yet", EpisodeSource.TRANSCRIBED).id
    argv = [a.format(id=episode, empty=empty) for a in argv]
    code, _, err = run(capsys, *argv)
    assert code == 1
    assert message in err
