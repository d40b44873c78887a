"""Podcasting 2.0 JSON chapters (what <podcast:chapters> points at)."""

from __future__ import annotations

import pytest

from desktop.core.feeds import FeedError, parse_chapters_json
from desktop.core.model import Chapter

CHAPTERS = b"""{
  "version": "1.2.0",
  "chapters": [
    {"startTime": 95.5, "title": "Pens", "img": "https://example.com/pen.jpg"},
    {"startTime": 0, "title": "Intro"},
    {"startTime": 60, "title": "Sponsor artwork", "toc": false},
    {"startTime": 120, "title": "  "},
    {"startTime": -3, "title": "Before the start"},
    {"startTime": "200", "title": "A string time"},
    {"startTime": true, "title": "A boolean time"},
    {"title": "No time"},
    "not an object",
    {"startTime": 1800, "title": "Paper\\u0007 & ink", "endTime": 2400}
  ]
}"""


def test_chapters_json() -> None:
    assert parse_chapters_json(CHAPTERS, "ep12.chapters.json") == [
        Chapter(0.0, "Intro"),
        Chapter(95.5, "Pens"),
        Chapter(1800.0, "Paper & ink"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<chapters/>", "c.json is not a chapters file: invalid JSON (Expecting value: "),
        (b'{"version": "1.2.0"}', 'c.json is not a Podcasting 2.0 chapters file (no "chapters"'),
        (b'[{"startTime": 0}]', 'c.json is not a Podcasting 2.0 chapters file (no "chapters"'),
        (b"\xff\xfe\xff", "c.json is not a chapters file: invalid JSON ("),
    ],
)
def test_not_chapters_json(data: bytes, message: str) -> None:
    with pytest.raises(FeedError) as caught:
        parse_chapters_json(data, "c.json")
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)
