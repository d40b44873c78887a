"""Transcribing on the user's own Whisper server: a real faster-whisper-server (PyPI) on
127.0.0.1 serving the embedded tiny.en (tests/whisper_server.py), the real recordings in
tests/data/audio, the real library file. Segments stream into the library clip by clip as
with the local engine; a server that stops mid-run leaves a failed, resumable episode and
one line naming it; resuming against a server again ends with the same transcript."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.core.model import EpisodeStatus
from desktop.core.store import Library
from desktop.core.transcribe import TranscribeOptions
from desktop.core.transcribe.remote import RemoteError, RemoteServer, RemoteTranscriber
from desktop.services.opening import engine_choice
from desktop.services.transcription import Progress, transcribe_media
from tests import media_fixtures as media
from tests.wer import word_error_rate
from tests.whisper_server import free_port, whisper_server

pytestmark = pytest.mark.timeout(240)
JFK = media.AUDIO_DATA / "jfk.flac"


def reference(name: str) -> str:
    with (media.AUDIO_DATA / "refs.tsv").open(encoding="utf-8") as handle:
        return {row[0]: row[1] for row in csv.reader(handle, delimiter="\t")}[name]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with whisper_server() as (url, _process):
        yield url


@pytest.fixture(scope="module")
def head(pytestconfig: pytest.Config) -> Path:
    return media.sample_head(pytestconfig.cache.mkdir("earmark-media"), 45)


def test_the_command_line_transcribes_on_the_server(
    server: str, earmark_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["transcribe", str(JFK), "--server", server, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["model"] == f"whisper-1 at {server.removeprefix('http://')}"
    with Library.open() as library:
        episode = library.episode(report["id"])
        segments = library.segments(episode.id)
    assert episode.engine == "remote" and episode.status is EpisodeStatus.DONE
    assert episode.language == "en"
    text = " ".join(s.text for s in segments)
    assert word_error_rate(reference("jfk.flac"), text) <= 0.1
    assert all(s.words is None for s in segments)  # this server sends no word timings


def test_the_setting_chooses_the_server_and_local_overrides_it(
    server: str, earmark_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["config", "set", "stt_servers", server]) == 0
    assert engine_choice().server == RemoteServer(server)
    assert engine_choice(local=True).server is None
    assert engine_choice("tiny.en").server is None  # a model of this machine, by name
    assert main(["config", "set", "stt_servers", "ftp://nope"]) == 1
    assert "must be http:// or https:// URLs" in capsys.readouterr().err


def test_clips_stream_in_and_a_server_that_stops_leaves_a_resumable_episode(
    library: Library, head: Path
) -> None:
    port = free_port()
    with whisper_server(port) as (url, process):
        engine = RemoteTranscriber(RemoteServer(url))

        def stop_after_two_clips(progress: Progress) -> None:
            if progress.segments and len(seen) == 1:
                process.kill()  # the server goes away between two clips
            seen.append(progress.segments)

        seen: list[int] = []
        with pytest.raises(RemoteError) as caught:
            transcribe_media(
                library, head, lambda: engine, TranscribeOptions(), stop_after_two_clips
            )
    message = str(caught.value)
    assert message.startswith(f"cannot reach the transcription server 127.0.0.1:{port}")
    assert "\n" not in message
    (episode,) = library.episodes()
    assert episode.status is EpisodeStatus.FAILED and episode.segment_count > 0
    kept = [s.text for s in library.segments(episode.id)]

    with whisper_server(port) as (url, _process):
        engine = RemoteTranscriber(RemoteServer(url))
        result = transcribe_media(library, head, lambda: engine)
        assert result.resumed_from is not None and result.episode.status is EpisodeStatus.DONE
        resumed = [s.text for s in library.segments(episode.id)]
        assert resumed[: len(kept)] == kept and len(resumed) > len(kept)

        # The same audio in one uninterrupted run through the server: the same transcript.
        whole = Library.open(library.path.with_name("whole.sqlite3"))
        with whole:
            done = transcribe_media(whole, head, lambda: engine).episode
            assert [s.text for s in whole.segments(done.id)] == resumed
    assert "Fort Dodge" in " ".join(resumed)


def test_server_errors_are_one_line(server: str, library: Library) -> None:
    wrong_path = RemoteTranscriber(RemoteServer(f"{server}/whisper"))
    with pytest.raises(RemoteError) as caught:
        transcribe_media(library, JFK, lambda: wrong_path)
    message = str(caught.value)
    assert "answered HTTP 404 for 0.0-" in message and message.endswith(": Not Found")
    (episode,) = library.episodes()  # failed, and resumable like any other failure
    assert episode.status is EpisodeStatus.FAILED and episode.segment_count == 0
    closed = RemoteTranscriber(RemoteServer(f"http://127.0.0.1:{free_port()}"))
    with pytest.raises(RemoteError, match="cannot reach the transcription server"):
        transcribe_media(library, JFK, lambda: closed)


def test_a_server_that_does_not_answer_in_time(library: Library) -> None:
    """A server that accepts the connection and then says nothing."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []
    threading.Thread(target=lambda: held.append(listener.accept()[0]), daemon=True).start()
    port = listener.getsockname()[1]
    engine = RemoteTranscriber(RemoteServer(f"http://127.0.0.1:{port}", timeout=1.0))
    with pytest.raises(RemoteError, match="did not answer within 1 s"):
        transcribe_media(library, JFK, lambda: engine)
    listener.close()
