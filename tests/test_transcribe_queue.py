"""A queue of real recordings over two real OpenAI-compatible Whisper servers
(faster-whisper-server on 127.0.0.1 serving tiny.en, tests/whisper_server.py): one server
goes away after its first clip; its files move to the other, a file cut mid-way resumes
there, and every file ends complete, with nothing stored twice: the file that changed
servers reads exactly as one server alone transcribes it."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from desktop.cli.main import main
from desktop.core.model import EpisodeStatus
from desktop.core.store import Library
from desktop.core.transcribe.clips import Clip
from desktop.core.transcribe.remote import RemoteServer, RemoteTranscriber
from desktop.services.queue import QueueEngine, media_files, transcribe_queue
from desktop.services.transcription import transcribe_media
from tests import media_fixtures as media
from tests.whisper_server import whisper_server

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def recordings(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of real recordings: the NASA sample's first 45 s (two clips), the JFK
    clip, the Harvard sentences."""
    folder = tmp_path_factory.mktemp("backlog")
    head = media.sample_head(pytestconfig.cache.mkdir("earmark-media"), 45)
    (folder / "a-nasa-head.mp3").write_bytes(head.read_bytes())
    for name in ("jfk.flac", "joinly_OSR_us_000_0034_8k.wav"):
        (folder / name).write_bytes((media.AUDIO_DATA / name).read_bytes())
    (folder / ".hidden.mp3").write_bytes(b"not looked at")
    return folder


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[tuple[str, subprocess.Popen], tuple[str, subprocess.Popen]]]:
    with whisper_server() as first, whisper_server() as second:
        yield first, second


class GoesAwayAfterOneClip(RemoteTranscriber):
    """The real remote engine on a real server, whose process is killed right after the
    first clip it answered (as a server rebooting mid-run)."""

    def __init__(self, server: RemoteServer, process: subprocess.Popen) -> None:
        super().__init__(server)
        self.process = process

    def transcribe_clip(self, audio: np.ndarray, clip: Clip, language, prompt):  # type: ignore[no-untyped-def]
        answer = super().transcribe_clip(audio, clip, language, prompt)
        self.process.kill()
        self.process.wait()
        return answer


def test_a_server_that_goes_away_hands_its_files_to_the_other(
    pytestconfig: pytest.Config, tmp_path: Path
) -> None:
    """Both long files have several clips, so whichever the first server takes is cut
    after its first clip; the other server resumes it. Both servers run the same model, so
    every file must read exactly as the steady server alone transcribes it."""
    cache = pytestconfig.cache.mkdir("earmark-media")
    folder = tmp_path / "backlog"
    folder.mkdir()
    for seconds, name in ((50, "a-nasa-50.mp3"), (40, "b-nasa-40.mp3")):
        (folder / name).write_bytes(media.sample_head(cache, seconds).read_bytes())
    (folder / "c-jfk.flac").write_bytes((media.AUDIO_DATA / "jfk.flac").read_bytes())
    files = media_files([folder])
    with whisper_server() as (doomed_url, doomed), whisper_server() as (steady_url, _):
        doomed_server, steady_server = RemoteServer(doomed_url), RemoteServer(steady_url)
        engines = [
            QueueEngine(doomed_server.name, lambda: GoesAwayAfterOneClip(doomed_server, doomed)),
            QueueEngine(steady_server.name, lambda: RemoteTranscriber(steady_server)),
        ]
        library_path = tmp_path / "library.sqlite3"
        results = transcribe_queue(library_path, files, engines, set_aside=0.2)
        alone = {}  # each file through the steady server alone, in another library
        with Library.open(tmp_path / "alone.sqlite3") as other:
            for path in files:
                engine = RemoteTranscriber(steady_server)
                episode = transcribe_media(other, path, lambda engine=engine: engine).episode
                alone[path.name] = [(s.start, s.text) for s in other.segments(episode.id)]

    assert all(r.episode is not None and r.error is None for r in results), results
    moved = [r for r in results if r.tried]
    assert moved and all(r.engine == steady_server.name for r in moved)
    assert all(
        t.startswith(f"{doomed_server.name}: cannot reach the transcription server")
        for r in moved
        for t in r.tried
    )
    with Library.open(library_path) as library:
        cut = 0
        for result in results:
            assert result.episode is not None
            episode = library.episode(result.episode.id)
            assert episode.status is EpisodeStatus.DONE
            stored = [(s.start, s.text) for s in library.segments(episode.id)]
            assert stored == alone[result.path.name], result.path.name  # nothing lost or twice
            cut += bool(result.tried) and result.path.name != "c-jfk.flac"
    assert cut >= 1  # one long file was cut mid-way and resumed on the other server


def test_the_command_line_runs_a_folder_over_the_servers(
    recordings: Path,
    servers: tuple[tuple[str, subprocess.Popen], tuple[str, subprocess.Popen]],
    earmark_home: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (first, _), (second, _) = servers
    code = main(["transcribe", str(recordings), "--server", f"{first},{second}", "--json"])
    assert code == 0
    results = json.loads(capsys.readouterr().out)
    assert [Path(r["path"]).name for r in results] == [
        "a-nasa-head.mp3", "jfk.flac", "joinly_OSR_us_000_0034_8k.wav",
    ]  # fmt: skip
    engines = {r["engine"] for r in results}
    assert engines <= {"this computer", first[7:], second[7:]} and all(r["id"] for r in results)
    # Again: every file is known and done: nothing transcribed twice.
    assert main(["transcribe", str(recordings), "--server", first]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and all(" segments (" in line for line in lines)
    with Library.open() as library:
        assert len(library.episodes()) == 3


def test_a_file_that_is_not_media_fails_alone(
    recordings: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], earmark_home: Path
) -> None:
    bad = tmp_path / "notes.mp3"
    bad.write_text("this is not audio")
    code = main(["transcribe", str(bad), str(recordings / "jfk.flac"), "--local"])
    assert code == 1
    captured = capsys.readouterr()
    assert "jfk" in captured.out and f"{bad}:" in captured.err


def test_progress_is_combined_over_the_engines_and_a_server_takes_two_at_once(
    recordings: Path,
    servers: tuple[tuple[str, subprocess.Popen], tuple[str, subprocess.Popen]],
    tmp_path: Path,
) -> None:
    """This computer and one server listed twice (two files in flight on it): the
    reports add the engines' audio together; the server never has more than two."""
    from desktop.core.media import probe_media
    from desktop.services.opening import engine_choice
    from desktop.services.queue import QueueProgress, queue_engines

    (first, _), _second = servers
    choice = engine_choice(local=True)
    engines = queue_engines(choice, [first], per_server=2)
    assert [e.name for e in engines] == ["this computer", first[7:], first[7:]]
    files = media_files([recordings])
    reports: list[QueueProgress] = []
    results = transcribe_queue(
        tmp_path / "library.sqlite3", files, engines, on_progress=reports.append
    )
    assert all(r.episode is not None for r in results)
    total = sum(probe_media(p).duration for p in files)
    last = reports[-1]
    assert last.files_done == last.files == 3 and last.running == ()
    assert abs(last.total - total) < 0.01 and abs(last.covered - total) < 0.01
    assert last.speed is not None and last.speed > 0 and last.eta == 0.0
    assert all(a.covered <= b.covered + 1e-9 for a, b in pairwise(reports))
    on_server = [sum(r.startswith(first[7:]) for r in p.running) for p in reports]
    assert max(on_server) == 2  # two at once on the server, never three
    assert max(len(p.running) for p in reports) == 3  # and this computer beside them
