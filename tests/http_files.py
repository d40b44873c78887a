"""A real HTTP(S) file server on 127.0.0.1 for tests, with faults scripted per path.

It serves byte payloads (or files) registered at paths and speaks enough HTTP/1.1 for a
downloader to be tested against real sockets: GET and HEAD, single byte ranges (206 with
Content-Range, 416 past the end), ETag / Last-Modified / If-Range, redirects, and extra
headers per path (the Hugging Face hub's X-Linked-Etag on a 302, say). Each path can be
told to misbehave (see `Fault`): drop the connection after N bytes (a clean close, a
reset, or a stall) on the first k requests, ignore Range, lie about Content-Length, send
headers and no body, answer an error status, or send its body slowly.

Every request is recorded (`FileServer.requests`) with its headers, the status answered
and the body bytes actually sent, so a test can check that a resume sent
`Range: bytes=N-` and did not fetch the file again from the start.

    with serve_files() as server:
        url = server.add("/model.gguf", payload, fault=Fault(drop_after=1_000_000))
        download(url, dest)
        assert server.requests("/model.gguf")[1].range == "bytes=1000000-"

Helpers for unhappy networks: `closed_port()` (connection refused), `silent_server()`
(accepts, never answers) and `self_signed_tls()` (an HTTPS context whose certificate no
client trusts; needs the `openssl` command).
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import re
import shutil
import socket
import ssl
import struct
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

HOST = "127.0.0.1"
_RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")


@dataclass(frozen=True)
class Fault:
    """Misbehaviour scripted for one path; the defaults are a well-behaved server."""

    # Stop the body after this many bytes (of this response's body) ...
    drop_after: int | None = None
    # ... on the first `drop_times` GETs of the path (0: on every GET) ...
    drop_times: int = 1
    # ... by closing cleanly (the client sees a short body), by a TCP reset
    # (ConnectionResetError), or by going silent for `stall` seconds and then closing
    # (the client's socket timeout fires mid-body).
    drop_how: Literal["close", "reset", "stall"] = "close"
    stall: float = 5.0
    # Answer every GET with 200 and the whole file, as servers without range support do.
    ignore_range: bool = False
    # Answer a Range request with 206 and the whole file from byte 0 (a buggy server or
    # cache): the Content-Range start does not match the start asked for.
    wrong_range: bool = False
    # Announce this Content-Length instead of the true one (the connection then closes
    # after the body, as the client cannot find the end by itself).
    content_length: int | None = None
    # False: send the headers and close without a body (a huge Content-Length, say).
    send_body: bool = True
    # Send the body with Transfer-Encoding: chunked and no Content-Length (a dynamic
    # server; a drop then cuts a chunked stream, which clients see as IncompleteRead).
    chunked: bool = False
    # Answer this status (404, 500, ...) with a short text body instead of the file.
    status: int | None = None
    # Sleep this long between body chunks (for cancel and progress tests).
    chunk_delay: float = 0.0
    chunk_size: int = 64 * 1024


@dataclass
class Entry:
    """What one path serves: a payload, or a redirect."""

    data: bytes | Path = b""
    content_type: str = "application/octet-stream"
    etag: str | None = None
    last_modified: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    fault: Fault = field(default_factory=Fault)
    location: str | None = None  # a redirect when set
    redirect_status: int = 302

    @property
    def size(self) -> int:
        return self.data.stat().st_size if isinstance(self.data, Path) else len(self.data)

    def read(self, start: int, count: int) -> bytes:
        if isinstance(self.data, Path):
            with self.data.open("rb") as f:
                f.seek(start)
                return f.read(count)
        return self.data[start : start + count]


@dataclass
class Request:
    """One request as the server saw it, and what it answered. Recorded when it arrives
    (so the log is in arrival order); `status` and `sent` are filled in as it is answered.
    """

    method: str
    path: str  # as sent, with any query
    headers: dict[str, str]
    status: int = 0  # 0 until the status line went out
    sent: int = 0  # body bytes written so far (final once the response ended)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)

    @property
    def range(self) -> str | None:
        return self.header("Range")

    @property
    def if_range(self) -> str | None:
        return self.header("If-Range")


class FileServer:
    """A threaded HTTP (or HTTPS, given `tls`) server on 127.0.0.1 and a free port."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self._entries: dict[str, Entry] = {}
        self._log: list[Request] = []
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._httpd = _Server((HOST, 0), _Handler)
        self._httpd.files = self
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self.scheme = "https" if tls is not None else "http"
        self.port: int = self._httpd.server_address[1]
        # A short poll interval: shutdown() waits for it, once per test.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- set-up ------------------------------------------------------------------------

    def add(
        self,
        path: str,
        data: bytes | Path,
        *,
        content_type: str = "application/octet-stream",
        etag: str | Literal[True] | None = True,
        last_modified: str | Literal[True] | None = True,
        headers: dict[str, str] | None = None,
        fault: Fault | None = None,
    ) -> str:
        """Serve `data` at `path`; returns its URL. `etag`/`last_modified` True invent
        strong validators from the content and the clock; None leaves the header out."""
        entry = Entry(data, content_type, headers=dict(headers or {}), fault=fault or Fault())
        entry.etag = _etag_for(data) if etag is True else etag
        entry.last_modified = _now_http() if last_modified is True else last_modified
        with self._lock:
            self._entries[path] = entry
        return self.url(path)

    def change(self, path: str, data: bytes | Path) -> None:
        """Replace the payload at `path` as a changed file: new ETag, later Last-Modified."""
        with self._lock:
            entry = self._entries[path]
            entry.data = data
            if entry.etag is not None:
                entry.etag = _etag_for(data)
            if entry.last_modified is not None:
                entry.last_modified = _now_http(offset=60)

    def redirect(
        self, path: str, location: str, *, status: int = 302, headers: dict[str, str] | None = None
    ) -> str:
        """Answer `path` with a redirect to `location` (a path or any URL, file: too)."""
        entry = Entry(location=location, redirect_status=status, headers=dict(headers or {}))
        with self._lock:
            self._entries[path] = entry
        return self.url(path)

    def set_fault(self, path: str, fault: Fault | None = None, **changes: Any) -> None:
        """Replace the fault of `path`, or change some of its fields; None and no changes
        make it a well-behaved path again."""
        with self._lock:
            entry = self._entries[path]
            if fault is None and not changes:
                entry.fault = Fault()
            else:
                entry.fault = replace(fault or entry.fault, **changes)

    def entry(self, path: str) -> Entry:
        """What `path` serves now (its ETag and Last-Modified, say)."""
        with self._lock:
            return replace(self._entries[path])

    def url(self, path: str) -> str:
        return f"{self.scheme}://{HOST}:{self.port}{path}"

    # -- what happened -----------------------------------------------------------------

    def requests(self, path: str | None = None) -> list[Request]:
        """Recorded requests, oldest first (only those for `path` when given)."""
        with self._lock:
            return [r for r in self._log if path is None or urlsplit(r.path).path == path]

    def bytes_sent(self, path: str | None = None) -> int:
        return sum(r.sent for r in self.requests(path))

    # -- running -----------------------------------------------------------------------

    def start(self) -> FileServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- used by the handler -----------------------------------------------------------

    def _take(self, path: str, method: str) -> tuple[Entry | None, int]:
        """The entry for `path` and which GET of it this is (1 = first)."""
        with self._lock:
            entry = self._entries.get(path)
            if method == "GET":
                self._counts[path] = self._counts.get(path, 0) + 1
            return entry, self._counts.get(path, 0)

    def _record(self, request: Request) -> None:
        with self._lock:
            self._log.append(request)


@contextlib.contextmanager
def serve_files(tls: ssl.SSLContext | None = None) -> Iterator[FileServer]:
    """A started FileServer, stopped on exit (a pytest fixture can just yield from it)."""
    with FileServer(tls) as server:
        yield server


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a stalled handler must not hold up the test's teardown
    files: FileServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up mid-body are the point of these tests: stay quiet."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        self._serve(body=True)

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_response(self, code: int, message: str | None = None) -> None:
        self.record.status = code
        super().send_response(code, message)

    def _serve(self, *, body: bool) -> None:
        files = self.server.files
        entry, nth = files._take(urlsplit(self.path).path, self.command)
        self.record = Request(self.command, self.path, dict(self.headers.items()))
        files._record(self.record)
        if entry is None:
            self._text(404, "not found")
        elif entry.location is not None:
            self.send_response(entry.redirect_status)
            self.send_header("Location", entry.location)
            self.send_header("Content-Length", "0")
            self._extra(entry)
            self.end_headers()
        elif entry.fault.status is not None:
            self._text(entry.fault.status, f"status {entry.fault.status}", entry)
        else:
            self._file(entry, nth, body)

    def _text(self, status: int, text: str, entry: Entry | None = None) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        if entry is not None:
            self._extra(entry)
        self.end_headers()
        self.wfile.write(data)

    def _extra(self, entry: Entry) -> None:
        for name, value in entry.headers.items():
            self.send_header(name, value)

    def _wanted_range(self, entry: Entry) -> tuple[int, int] | None:
        """(start, end) of a satisfiable Range request; None for the whole file. Raises
        _Unsatisfiable for a start past the end."""
        asked = self.headers.get("Range")
        match = _RANGE.match(asked or "")
        if entry.fault.ignore_range or match is None:
            return None
        validator = self.headers.get("If-Range")
        if validator is not None and validator not in (entry.etag, entry.last_modified):
            return None  # the file changed: the whole new file, not a piece of it
        start, size = int(match.group(1)), entry.size
        end = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
        if start >= size:
            raise _Unsatisfiable
        return (0, size - 1) if entry.fault.wrong_range else (start, end)

    def _file(self, entry: Entry, nth: int, body: bool) -> None:
        size, fault = entry.size, entry.fault
        try:
            wanted = self._wanted_range(entry)
        except _Unsatisfiable:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        start, end = wanted if wanted is not None else (0, size - 1)
        count = end - start + 1
        self.send_response(200 if wanted is None else 206)
        self.send_header("Content-Type", entry.content_type)
        if fault.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(fault.content_length or count))
        if wanted is not None:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        if not fault.ignore_range:
            self.send_header("Accept-Ranges", "bytes")
        if entry.etag:
            self.send_header("ETag", entry.etag)
        if entry.last_modified:
            self.send_header("Last-Modified", entry.last_modified)
        self._extra(entry)
        drop_after = fault.drop_after
        if fault.drop_times and nth > fault.drop_times:
            drop_after = None
        if drop_after is not None or fault.content_length is not None or not fault.send_body:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if not body or not fault.send_body:
            return
        self._stream(entry, start, count if drop_after is None else min(count, drop_after))
        if drop_after is not None:
            self._drop(fault)
        elif fault.chunked:
            self._write(b"0\r\n\r\n")

    def _stream(self, entry: Entry, start: int, count: int) -> None:
        fault = entry.fault
        while self.record.sent < count:
            piece = entry.read(
                start + self.record.sent, min(fault.chunk_size, count - self.record.sent)
            )
            framed = b"%x\r\n%s\r\n" % (len(piece), piece) if fault.chunked else piece
            if not self._write(framed):
                return
            self.record.sent += len(piece)
            if fault.chunk_delay and self.record.sent < count:
                time.sleep(fault.chunk_delay)

    def _write(self, data: bytes) -> bool:
        try:
            self.wfile.write(data)
            return True
        except OSError:  # the client hung up (a cancel, a refused size)
            self.close_connection = True
            return False

    def _drop(self, fault: Fault) -> None:
        if fault.drop_how == "stall":
            time.sleep(fault.stall)
        elif fault.drop_how == "reset":
            # SO_LINGER with a zero timeout turns close() into a TCP reset.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()


class _Unsatisfiable(Exception):
    pass


def _etag_for(data: bytes | Path) -> str:
    """A strong ETag from the content (short, so it is not mistaken for a SHA-256)."""
    raw = data.read_bytes() if isinstance(data, Path) else data
    return '"' + hashlib.md5(raw, usedforsecurity=False).hexdigest()[:16] + '"'


def _now_http(offset: float = 0.0) -> str:
    return email.utils.formatdate(time.time() + offset, usegmt=True)


# -- unhappy networks ------------------------------------------------------------------


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connecting is refused)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) but never answers."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        sock.listen(8)
        yield sock.getsockname()[1]


def self_signed_tls(folder: Path) -> ssl.SSLContext | None:
    """A server-side TLS context with a fresh self-signed certificate for 127.0.0.1
    (which no client trusts); None when the `openssl` command is missing."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context
