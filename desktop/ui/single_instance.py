"""One window per user and library: a second `earmark FILE...` hands its files over.

At start-up the window process first tries to connect to a local server whose name is a
hash of the user id and the resolved library path. When a window answers, the paths go to
it and this process exits 0; when none does, this process listens under that name itself.
A lock file beside the socket makes "connect, else listen" one step, so two double-clicks
at the same moment end in one window; if listening still fails, the connection is tried
once more after a short pause (the other start-up won the race).

Protocol, version 1: one line of UTF-8 JSON per connection,

    {"version": 1, "paths": ["/absolute/episode.mp3", ...], "cwd": "/where it ran"}

answered with the line `{"version": 1, "ok": true}` once the window has taken the paths.
Anything else (not JSON, another version, paths that are not absolute strings, a line
longer than MAX_LINE_BYTES) is ignored and the connection closed, as is a connection
that sends no complete line within READ_TIMEOUT_MS. An empty list of paths only brings
the window to the front.

The socket lives in the user's runtime folder ($XDG_RUNTIME_DIR, else a private folder
under the temporary folder) and is opened with `UserAccessOption`, so only this user can
connect. On Windows the name is a named pipe, which the same option restricts.

Only Qt's core and network modules are used here, so a hand-over imports nothing of the
window and the second process is gone quickly.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import stat
import sys
import tempfile
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QTimer, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

PROTOCOL_VERSION = 1
CONNECT_TIMEOUT_MS = 1_000
WRITE_TIMEOUT_MS = 2_000
ACK_TIMEOUT_MS = 10_000  # a window busy building itself may take a moment to answer
READ_TIMEOUT_MS = 5_000
LOCK_TIMEOUT_MS = 5_000
RETRY_PAUSE_S = 0.3
MAX_LINE_BYTES = 1 << 20
ACK = {"version": PROTOCOL_VERSION, "ok": True}


class MessageError(ValueError):
    """A line that is not a version-1 list of absolute paths."""


@dataclass(frozen=True, slots=True)
class Message:
    paths: list[Path]
    cwd: str | None = None


def encode_message(paths: list[Path], cwd: str | None = None) -> bytes:
    """The line a second process sends: paths are made absolute against `cwd`."""
    base = cwd if cwd is not None else _cwd()
    absolute = [os.path.normpath(os.path.join(base or "", os.fspath(p))) for p in paths]
    data = {"version": PROTOCOL_VERSION, "paths": absolute, "cwd": base}
    return json.dumps(data, ensure_ascii=False).encode("utf-8") + b"\n"


def parse_message(line: bytes) -> Message:
    """Read one line; MessageError says why it is not a hand-over."""
    if len(line) > MAX_LINE_BYTES:
        raise MessageError("too long")
    try:
        data = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise MessageError("not JSON") from exc
    if not isinstance(data, dict):
        raise MessageError("not a JSON object")
    version = data.get("version")
    if type(version) is not int or version != PROTOCOL_VERSION:
        raise MessageError(f"unknown version {version!r}")
    paths = data.get("paths")
    if not isinstance(paths, list):
        raise MessageError("paths is not a list")
    for path in paths:
        if not isinstance(path, str) or not path or "\0" in path or not os.path.isabs(path):
            raise MessageError("a path is not an absolute path")
    cwd = data.get("cwd")
    if cwd is not None and not isinstance(cwd, str):
        raise MessageError("cwd is not a string")
    return Message([Path(p) for p in paths], cwd)


def _cwd() -> str | None:
    try:
        return os.getcwd()
    except OSError:  # the folder was deleted under us
        return None


def _user() -> str:
    if hasattr(os, "getuid"):
        return str(os.getuid())
    return getpass.getuser()


def runtime_dir() -> Path | None:
    """A folder only this user can use, for the socket and its lock; None if there is none.

    $XDG_RUNTIME_DIR when it is ours and private; otherwise `earmark-<uid>` under the
    temporary folder, created private, and refused if someone else owns it.
    """
    if sys.platform == "win32":
        return Path(tempfile.gettempdir())  # per user on Windows
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg and _private_dir(Path(xdg)):
        return Path(xdg)
    folder = Path(tempfile.gettempdir()) / f"earmark-{_user()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
    except OSError:
        return None
    return folder if _private_dir(folder) else None


def _private_dir(folder: Path) -> bool:
    try:
        info = folder.lstat()
    except OSError:
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and not info.st_mode & (stat.S_IRWXG | stat.S_IRWXO)
    )


def instance_key(library_path: Path) -> str:
    """The same for one user and one library file, however the path was spelled."""
    text = f"{_user()}\0{Path(library_path).expanduser().resolve()}"
    digest = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return f"earmark-{digest}"


def server_name(library_path: Path) -> str | None:
    """The QLocalServer name: a named pipe on Windows, a socket path elsewhere."""
    key = instance_key(library_path)
    if sys.platform == "win32":
        return key
    folder = runtime_dir()
    return None if folder is None else str(folder / key)


class Delivery(Enum):
    DELIVERED = "delivered"  # a window took the paths
    NO_SERVER = "no server"  # nobody listens under the name
    STALE = "stale"  # a socket file with no one behind it (a crash)
    CLOSED = "closed"  # the window closed the connection unanswered (it is shutting down)
    NO_ANSWER = "no answer"  # something accepted the connection but never acknowledged


def send_paths(
    name: str, paths: list[Path], cwd: str | None = None, ack_timeout_ms: int = ACK_TIMEOUT_MS
) -> Delivery:
    """Hand `paths` to the window listening under `name`. Blocking; needs no event loop."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        error = socket.error()
        if error == QLocalSocket.LocalSocketError.ConnectionRefusedError:
            return Delivery.STALE
        return Delivery.NO_SERVER
    socket.write(encode_message(paths, cwd))
    socket.waitForBytesWritten(WRITE_TIMEOUT_MS)
    deadline = time.monotonic() + ack_timeout_ms / 1000
    while not socket.canReadLine():
        left = int((deadline - time.monotonic()) * 1000)
        if left <= 0 or socket.state() != QLocalSocket.LocalSocketState.ConnectedState:
            break
        socket.waitForReadyRead(min(left, 250))
    answer = bytes(socket.readLine().data()) if socket.canReadLine() else b""
    closed = socket.error() == QLocalSocket.LocalSocketError.PeerClosedError
    socket.abort()
    try:
        acknowledged = json.loads(answer) == ACK
    except ValueError:
        acknowledged = False
    if acknowledged:
        return Delivery.DELIVERED
    return Delivery.CLOSED if closed else Delivery.NO_ANSWER


class InstanceServer(QObject):
    """Listens for later `earmark FILE...` processes; emits the paths they send."""

    paths_received = Signal(list)  # list[Path]; may be empty: just come to the front
    ignored = Signal(str)  # why a connection's message was ignored

    def __init__(
        self, name: str, parent: QObject | None = None, read_timeout_ms: int = READ_TIMEOUT_MS
    ) -> None:
        super().__init__(parent)
        self.name = name
        self.read_timeout_ms = read_timeout_ms
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)

    def listen(self) -> bool:
        return self._server.listen(self.name)

    def is_listening(self) -> bool:
        return self._server.isListening()

    def full_name(self) -> str:
        return self._server.fullServerName()

    def close(self) -> None:
        """Stop answering and remove the socket file (a later start listens afresh)."""
        if self._server.isListening():
            self._server.close()
            QLocalServer.removeServer(self.name)

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            _Connection(socket, self)


class _Connection(QObject):
    """One client: a line within the read timeout, else closed."""

    def __init__(self, socket: QLocalSocket, server: InstanceServer) -> None:
        super().__init__(server)
        self.socket = socket
        self.server = server
        self.done = False
        self.timer = QTimer(self, singleShot=True, interval=server.read_timeout_ms)
        self.timer.timeout.connect(lambda: self._ignore("no complete line in time"))
        socket.setParent(self)
        socket.readyRead.connect(self._read)
        socket.disconnected.connect(self._finished)
        self.timer.start()
        self._read()  # the line may already be there

    def _read(self) -> None:
        if self.done:
            return
        if not self.socket.canReadLine():
            if self.socket.bytesAvailable() > MAX_LINE_BYTES:
                self._ignore("too long")
            return
        line = bytes(self.socket.readLine(MAX_LINE_BYTES + 2).data())
        try:
            message = parse_message(line.rstrip(b"\r\n"))
        except MessageError as exc:
            self._ignore(str(exc))
            return
        self.done = True
        self.timer.stop()
        self.socket.write(json.dumps(ACK).encode("utf-8") + b"\n")
        self.socket.flush()
        self.socket.disconnectFromServer()  # after the answer is written
        self.server.paths_received.emit(message.paths)

    def _ignore(self, reason: str) -> None:
        if self.done:
            return
        self.done = True
        self.timer.stop()
        self.server.ignored.emit(reason)
        self.socket.abort()
        self._finished()

    def _finished(self) -> None:
        self.timer.stop()
        if self.socket.state() == QLocalSocket.LocalSocketState.UnconnectedState:
            self.deleteLater()


@dataclass(slots=True)
class Claim:
    """What start-up found: either the paths were handed over, or a server (or none)."""

    handed_over: bool
    server: InstanceServer | None = None
    note: str | None = None  # why this window runs without a server, for stderr


def claim(library_path: Path, paths: list[Path], cwd: str | None = None) -> Claim:
    """Hand `paths` to the window already open on this library, or become that window.

    Call it once the QApplication exists: the server's socket needs the event dispatcher.
    """
    name = server_name(library_path)
    if name is None:
        return Claim(False, note="no private runtime folder for the single-instance socket")
    lock_folder = runtime_dir()
    lock = (
        QLockFile(str(lock_folder / f"{instance_key(library_path)}.lock")) if lock_folder else None
    )
    locked = lock.tryLock(LOCK_TIMEOUT_MS) if lock is not None else False
    try:
        for attempt in range(2):
            delivery = send_paths(name, paths, cwd)
            if delivery is Delivery.DELIVERED:
                return Claim(True)
            if delivery is Delivery.NO_ANSWER:
                return Claim(False, note="the running Earmark window did not answer")
            if delivery is not Delivery.CLOSED:  # nobody there: this process listens
                if delivery is Delivery.STALE:
                    QLocalServer.removeServer(name)  # left by a window that crashed
                server = InstanceServer(name)
                if server.listen():
                    return Claim(False, server)
                server.deleteLater()
            if attempt == 0:
                # A window shutting down, or another start-up that won the race: once more.
                time.sleep(RETRY_PAUSE_S)
        return Claim(False, note="could not reach or replace the running Earmark window")
    finally:
        if locked and lock is not None:
            lock.unlock()
