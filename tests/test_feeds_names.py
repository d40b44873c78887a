"""File names from feed titles and enclosure URLs."""

from __future__ import annotations

import unicodedata

import pytest

from desktop.core.exporters.files import safe_stem
from desktop.core.feeds import media_suffix


@pytest.mark.parametrize(
    "title",
    [
        "../../etc/passwd",
        "..",
        ".hidden",
        "a/b\\c:d*?",
        "CON",
        "con.mp3",
        "   ",
        "Trailing dots...",
        "Bell\x07 and\x1b[31m escape",
        "txt\u202eexe.mp3",
        "lone \ud800 surrogate",
        "\U0001f468\u200d\U0001f469\u200d\U0001f467" * 60,
    ],
)
def test_a_feed_title_becomes_one_safe_file_name(title: str) -> None:
    """Episode files are named by the exporters' policy (one place): whatever the feed
    says, one path component, not hidden, not a device name, within 200 bytes."""
    name = safe_stem(title, "episode")
    assert name and "/" not in name and "\\" not in name and not name.startswith(".")
    assert name.split(".")[0].strip().upper() not in {"CON", "NUL", "PRN", "AUX"}
    assert len(name.encode("utf-8")) <= 200
    assert unicodedata.is_normalized("NFC", name)
    assert not any(unicodedata.category(c) in ("Cc", "Cs") for c in name)


@pytest.mark.parametrize(
    ("url", "mime", "suffix"),
    [
        ("https://m.example.com/ep12.mp3?source=rss&x=.ogg", "audio/mpeg", ".mp3"),
        ("https://m.example.com/ep12.M4A", None, ".m4a"),
        ("https://m.example.com/video/ep1.mp4#t=10", "video/mp4", ".mp4"),
        ("https://m.example.com/ep.opus", "audio/ogg", ".opus"),  # the URL wins
        ("https://dts.podtrac.com/redirect.mp3/m.example.com/ep.webm", None, ".webm"),
        ("https://m.example.com/download?id=12", "audio/x-m4a", ".m4a"),
        ("https://m.example.com/download.php", "audio/ogg; codecs=opus", ".ogg"),
        ("https://m.example.com/stream", "audio/wav", ".wav"),
        ("https://m.example.com/stream", "AUDIO/FLAC", ".flac"),
        ("https://m.example.com/stream", "audio/aac", ".aac"),
        ("https://m.example.com/stream", "video/webm", ".webm"),
        ("https://m.example.com/ep.html", "text/html", ".mp3"),
        ("https://m.example.com/stream", None, ".mp3"),
        ("http://[::1", None, ".mp3"),
        ("https://m.example.com/My%20Show.ogg", None, ".ogg"),
    ],
)
def test_media_suffix(url: str, mime: str | None, suffix: str) -> None:
    assert media_suffix(url, mime) == suffix
