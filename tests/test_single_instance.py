"""Single instance without a window: the message, the server's name, the server itself,
start-up over a stale socket, and a hand-over from a second process."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtNetwork import QLocalSocket

from desktop.ui import single_instance as si
from desktop.ui.app import parse_args

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private runtime folder of its own, so no test meets another's socket. Short, in
    /tmp: a socket's path must fit 108 bytes, and pytest's tmp_path may not."""
    folder = Path(tempfile.mkdtemp(prefix="em-run-", dir="/tmp"))
    folder.chmod(0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def servers(qapp) -> Iterator[list[si.InstanceServer]]:
    made: list[si.InstanceServer] = []
    yield made
    for server in made:
        server.close()


def test_message_round_trip_makes_paths_absolute() -> None:
    line = si.encode_message([Path("a.mp3"), Path("/x/b c.vtt"), Path("../d.srt")], "/home/u/pod")
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    message = si.parse_message(line.rstrip(b"\n"))
    assert message.paths == [Path("/home/u/pod/a.mp3"), Path("/x/b c.vtt"), Path("/home/u/d.srt")]
    assert message.cwd == "/home/u/pod"
    assert json.loads(line)["version"] == si.PROTOCOL_VERSION


def test_an_empty_list_only_raises_the_window() -> None:
    assert si.parse_message(si.encode_message([], "/tmp")).paths == []


@pytest.mark.parametrize(
    "line",
    [
        b"",
        b"hello",
        b"\xff\xfe not utf-8",
        b"[1, 2]",
        b'"paths"',
        b'{"paths": ["/a.mp3"]}',
        b'{"version": 2, "paths": ["/a.mp3"]}',
        b'{"version": "1", "paths": ["/a.mp3"]}',
        b'{"version": true, "paths": ["/a.mp3"]}',
        b'{"version": 1}',
        b'{"version": 1, "paths": "/a.mp3"}',
        b'{"version": 1, "paths": ["relative.mp3"]}',
        b'{"version": 1, "paths": [""]}',
        b'{"version": 1, "paths": [3]}',
        b'{"version": 1, "paths": ["/a\\u0000b"]}',
        b'{"version": 1, "paths": ["/a.mp3"], "cwd": 7}',
        b'{"version": 1, "paths": ["/a.mp3"], "padding": "' + b"x" * si.MAX_LINE_BYTES + b'"}',
    ],
)
def test_anything_but_a_version_1_list_of_absolute_paths_is_refused(line: bytes) -> None:
    with pytest.raises(si.MessageError):
        si.parse_message(line)


def test_server_name_is_per_user_and_library(tmp_path: Path, runtime: Path) -> None:
    library = tmp_path / "lib" / "library.sqlite3"
    library.parent.mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "lib")
    name = si.server_name(library)
    assert name is not None and Path(name).parent == runtime
    assert si.server_name(tmp_path / "alias" / "library.sqlite3") == name  # same file
    assert si.server_name(tmp_path / "lib" / ".." / "lib" / "library.sqlite3") == name
    assert si.server_name(tmp_path / "other.sqlite3") != name
    assert Path(name).name.startswith("earmark-") and len(Path(name).name) == 8 + 24  # a hash


def test_runtime_folder_falls_back_to_a_private_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)
    folder = si.runtime_dir()
    assert folder == tmp_path / f"earmark-{os.getuid()}"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    folder.chmod(0o755)  # someone opened it up: not used
    assert si.runtime_dir() is None
    assert si.claim(tmp_path / "library.sqlite3", []).note is not None


def test_server_socket_is_for_this_user_only(runtime: Path, tmp_path: Path, servers) -> None:
    claimed = si.claim(tmp_path / "library.sqlite3", [])
    assert not claimed.handed_over and claimed.server is not None
    servers.append(claimed.server)
    mode = os.stat(claimed.server.full_name()).st_mode
    assert stat.S_ISSOCK(mode) and stat.S_IMODE(mode) & 0o077 == 0
    claimed.server.close()
    assert not os.path.exists(claimed.server.full_name())  # removed on close


def test_a_stale_socket_does_not_block_start_up(runtime: Path, tmp_path: Path, servers) -> None:
    library = tmp_path / "library.sqlite3"
    name = si.server_name(library)
    assert name is not None
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(name)  # what a crashed window leaves: the file, no one listening
    dead.close()
    assert si.send_paths(name, []) is si.Delivery.STALE
    claimed = si.claim(library, [])
    assert not claimed.handed_over and claimed.server is not None
    servers.append(claimed.server)
    assert claimed.server.is_listening()


def raw_client(qtbot, name: str) -> QLocalSocket:
    client = QLocalSocket()
    client.connectToServer(name)
    qtbot.waitUntil(
        lambda: client.state() == QLocalSocket.LocalSocketState.ConnectedState, timeout=5000
    )
    return client


def test_a_malformed_message_is_ignored_and_the_server_goes_on(
    qtbot, runtime: Path, tmp_path: Path, servers
) -> None:
    claimed = si.claim(tmp_path / "library.sqlite3", [])
    server = claimed.server
    assert server is not None
    servers.append(server)
    received: list[list[Path]] = []
    server.paths_received.connect(received.append)

    client = raw_client(qtbot, server.name)
    with qtbot.waitSignal(server.ignored, timeout=5000) as blocker:
        client.write(b'{"version": 1, "paths": ["../../etc/passwd"]}\n')
    assert "absolute" in blocker.args[0]
    qtbot.waitUntil(
        lambda: client.state() == QLocalSocket.LocalSocketState.UnconnectedState, timeout=5000
    )
    assert received == [] and not client.canReadLine()  # no acknowledgement either

    client = raw_client(qtbot, server.name)
    with qtbot.waitSignal(server.paths_received, timeout=5000):
        client.write(si.encode_message([Path("/x/episode.mp3")]))
    qtbot.waitUntil(client.canReadLine, timeout=5000)
    assert json.loads(bytes(client.readLine().data())) == si.ACK
    assert received == [[Path("/x/episode.mp3")]]


def test_a_silent_connection_is_closed_after_the_read_timeout(
    qtbot, runtime: Path, tmp_path: Path, servers
) -> None:
    name = si.server_name(tmp_path / "library.sqlite3")
    assert name is not None
    server = si.InstanceServer(name, read_timeout_ms=200)
    assert server.listen()
    servers.append(server)
    client = raw_client(qtbot, name)
    with qtbot.waitSignal(server.ignored, timeout=5000) as blocker:
        client.write(b'{"version": 1, "paths": [')  # and never the rest
    assert "in time" in blocker.args[0]
    qtbot.waitUntil(
        lambda: client.state() == QLocalSocket.LocalSocketState.UnconnectedState, timeout=5000
    )


def test_a_second_process_hands_over_and_exits(
    qtbot, runtime: Path, tmp_path: Path, servers
) -> None:
    library = tmp_path / "library.sqlite3"
    claimed = si.claim(library, [])
    assert claimed.server is not None
    servers.append(claimed.server)
    received: list[list[Path]] = []
    claimed.server.paths_received.connect(received.append)
    second = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from desktop.ui import single_instance as si
        claimed = si.claim(Path({str(library)!r}), [Path("one.mp3"), Path("two.vtt")])
        sys.exit(0 if claimed.handed_over else 3)
        """
    )
    process = subprocess.Popen([sys.executable, "-c", second], cwd=tmp_path)
    qtbot.waitUntil(lambda: process.poll() is not None, timeout=60_000)
    assert process.returncode == 0
    assert received == [[tmp_path / "one.mp3", tmp_path / "two.vtt"]]


def test_new_window_is_a_window_flag() -> None:
    from desktop.launch import wants_cli

    assert parse_args(["--new-window", "a.mp3"]).new_window
    assert not parse_args(["a.mp3"]).new_window
    assert not wants_cli(["--new-window"]) and not wants_cli(["--new-window", "a.mp3"])
    assert wants_cli(["desktop", "install"])


RACER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from PySide6.QtCore import QCoreApplication, QTimer
    from desktop.ui import single_instance as si

    app = QCoreApplication([])
    claimed = si.claim(Path(sys.argv[1]), [Path(sys.argv[2])])
    if claimed.server is None:
        print("handed over" if claimed.handed_over else f"alone: {claimed.note}", flush=True)
        sys.exit(0)
    print("listening", flush=True)
    claimed.server.paths_received.connect(lambda paths: (print(*paths, flush=True), app.quit()))
    QTimer.singleShot(90_000, app.quit)
    app.exec()
    claimed.server.close()
    """
)


def test_two_starts_at_once_end_in_one_window(runtime: Path, tmp_path: Path) -> None:
    """The lock makes "connect, else listen" one step: of two simultaneous starts one
    listens and the other hands its file to it."""
    library = tmp_path / "library.sqlite3"
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(library), f"/x/{n}.mp3"],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for n in ("a", "b")
    ]
    outputs = sorted(racer.communicate(timeout=120)[0].split("\n")[0] for racer in racers)
    assert all(racer.returncode == 0 for racer in racers)
    assert outputs == ["handed over", "listening"]


def test_a_window_that_hangs_up_is_not_replaced(qtbot, runtime: Path, tmp_path: Path) -> None:
    """Something that accepts and drops the connection (a window closing down) is tried
    once more, then left alone: the new process runs on its own rather than taking the
    name over."""
    from PySide6.QtNetwork import QLocalServer

    library = tmp_path / "library.sqlite3"
    name = si.server_name(library)
    assert name is not None
    rude = QLocalServer()
    rude.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
    assert rude.listen(name)
    hung_up: list[int] = []

    def hang_up() -> None:
        while rude.hasPendingConnections():
            rude.nextPendingConnection().abort()
            hung_up.append(1)

    rude.newConnection.connect(hang_up)
    second = textwrap.dedent(
        f"""
        from pathlib import Path
        from desktop.ui import single_instance as si
        claimed = si.claim(Path({str(library)!r}), [Path("/x/a.mp3")])
        print(claimed.handed_over, claimed.server is None, claimed.note)
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", second], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    qtbot.waitUntil(lambda: process.poll() is not None, timeout=60_000)
    handed_over, no_server, note = process.stdout.read().strip().split(" ", 2)
    assert (handed_over, no_server) == ("False", "True") and note
    assert len(hung_up) == 2  # tried twice
    assert rude.isListening() and os.path.exists(name)
    rude.close()
