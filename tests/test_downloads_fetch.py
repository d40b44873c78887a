"""fetch(): a small GET held in memory, against a real HTTP server on 127.0.0.1 with
scripted faults (tests/http_files.py); the same transport and words as download()."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.downloads import DownloadError, Fetched, binary_only, fetch
from tests.http_files import (
    Fault,
    FileServer,
    closed_port,
    self_signed_tls,
    serve_files,
    silent_server,
)

LISTING = json.dumps({"sha": "0" * 40, "siblings": []}).encode()


@pytest.fixture
def server() -> Iterator[FileServer]:
    with serve_files() as files:
        yield files


def one_line(error: pytest.ExceptionInfo[DownloadError]) -> str:
    message = str(error.value)
    assert "\n" not in message
    return message


def test_the_body_status_type_and_headers_come_back(server: FileServer) -> None:
    url = server.add("/api/listing", LISTING, content_type="application/json")
    got = fetch(url + "?blobs=true", max_bytes=10_000)
    assert isinstance(got, Fetched)
    assert (got.status, got.body, got.content_type) == (200, LISTING, "application/json")
    assert got.headers.get("etag") == server.entry("/api/listing").etag  # any case
    assert json.loads(got.text()) == {"sha": "0" * 40, "siblings": []}
    assert server.requests()[0].path == "/api/listing?blobs=true"


def test_text_follows_the_charset_and_survives_bad_bytes(server: FileServer) -> None:
    feed = "<title>Über Café</title>".encode("cp1252")
    url = server.add("/feed.xml", feed, content_type="application/rss+xml; charset=windows-1252")
    assert fetch(url, max_bytes=1000).text() == "<title>Über Café</title>"
    url = server.add("/broken.xml", b"ok \xff", content_type="text/xml")
    assert fetch(url, max_bytes=1000).text() == "ok \ufffd"


def test_redirects_are_followed_by_hand_and_loops_caught(server: FileServer) -> None:
    server.add("/real.json", LISTING)
    server.redirect("/moved", "/real.json", status=301)
    got = fetch(server.url("/moved"), max_bytes=1000)
    assert got.body == LISTING and got.url == server.url("/real.json")
    server.redirect("/a", "/b")
    server.redirect("/b", "/a")
    with pytest.raises(DownloadError) as error:
        fetch(server.url("/a"), max_bytes=1000)
    assert "redirect loop" in one_line(error)


def test_a_body_larger_than_allowed_is_refused_announced_or_not(server: FileServer) -> None:
    url = server.add("/big", b"x" * 5000)
    with pytest.raises(DownloadError) as error:
        fetch(url, max_bytes=1000)
    assert "larger than the 1.0 kB expected (5.0 kB announced)" in one_line(error)
    server.set_fault("/big", chunked=True)  # no Content-Length: counted while reading
    with pytest.raises(DownloadError) as error:
        fetch(url, max_bytes=1000)
    assert "larger than the 1.0 kB expected (more was sent)" in one_line(error)


def test_not_found_and_server_errors_name_the_url_without_its_query(server: FileServer) -> None:
    with pytest.raises(DownloadError) as error:
        fetch(server.url("/api/models/nobody/nothing?token=secret"), max_bytes=1000)
    message = one_line(error)
    assert "not found (HTTP 404)" in message and "/api/models/nobody/nothing" in message
    assert "secret" not in message
    url = server.add("/broken", b"", fault=Fault(status=503))
    with pytest.raises(DownloadError, match=r"the server answered HTTP 503"):
        fetch(url, max_bytes=1000)


def test_accept_refuses_a_web_page(server: FileServer) -> None:
    url = server.add("/portal", b"<html>Sign in</html>", content_type="text/html; charset=utf-8")
    with pytest.raises(DownloadError, match=r"the server sent a web page \(text/html\)"):
        fetch(url, max_bytes=1000, accept=binary_only)
    assert fetch(url, max_bytes=1000).body.startswith(b"<html>")  # no accept: any type


def test_a_dropped_connection_is_asked_again_then_given_up(server: FileServer) -> None:
    url = server.add("/listing", LISTING * 50, fault=Fault(drop_after=100, drop_how="reset"))
    assert fetch(url, max_bytes=100_000).body == LISTING * 50
    assert len(server.requests("/listing")) == 2
    server.set_fault("/listing", drop_after=100, drop_times=0, drop_how="close")
    with pytest.raises(DownloadError) as error:
        fetch(url, max_bytes=100_000)
    assert "the connection dropped" in one_line(error)


def test_only_http_and_https(tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="only http and https"):
        fetch(f"file://{tmp_path}", max_bytes=10)


def test_private_addresses_are_refused_when_asked(server: FileServer) -> None:
    url = server.add("/feed.xml", b"<rss/>")
    with pytest.raises(DownloadError, match="local or private address"):
        fetch(url, max_bytes=1000, allow_private=False)
    assert server.requests() == []


def test_no_network_a_silent_host_and_a_refused_certificate(tmp_path: Path) -> None:
    with pytest.raises(DownloadError) as error:
        fetch(f"http://127.0.0.1:{closed_port()}/api", max_bytes=10)
    assert "cannot reach 127.0.0.1: the connection was refused" in one_line(error)
    with silent_server() as port, pytest.raises(DownloadError, match=r"did not answer within 0\.3"):
        fetch(f"http://127.0.0.1:{port}/api", max_bytes=10, timeout=0.3)
    tls = self_signed_tls(tmp_path)
    if tls is None:
        pytest.skip("the openssl command is not installed")
    with serve_files(tls) as secure:
        url = secure.add("/api", LISTING)
        with pytest.raises(DownloadError) as error:
            fetch(url, max_bytes=1000)
        assert "the certificate of 127.0.0.1 was refused" in one_line(error)
