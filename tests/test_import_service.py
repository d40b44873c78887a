"""Importing through the service: bad files leave the library exactly as it was."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from desktop.core.errors import EarmarkError
from desktop.core.store import Library
from desktop.services.importing import import_paths, import_transcript

GOOD_SRT = "1\n00:00:01,000 --> 00:00:02,500\nCafé crème, s'il vous plaît.\n\n"


def _write(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return make


def _sparse(folder: Path) -> Path:
    path = folder / "huge.vtt"
    with path.open("wb") as handle:
        handle.write(b"WEBVTT\n\n")
        handle.truncate(100 * 2**20)
    return path


def _folder(folder: Path) -> Path:
    path = folder / "a-folder.srt"
    path.mkdir()
    return path


BAD_FILES = {
    "empty": (_write("empty.srt", b""), "empty"),
    "blank": (_write("blank.vtt", b" \r\n\t\n"), "empty"),
    "binary named .srt": (_write("noise.srt", bytes(range(256)) * 64), "not a text file"),
    "only malformed times": (
        _write("times.srt", b"1\n00:0x:01,000 --> 00:00:02,000\nhello\n"),
        "line 2",
    ),
    "only negative times": (
        _write("negative.srt", b"1\n-00:00:05,000 --> -00:00:01,000\nhello\n"),
        "line 2",
    ),
    "JSON syntax error": (_write("broken.json", b'{"segments": [\n  {"start": 1,,}\n]}'), "line 2"),
    "no timestamps": (_write("prose.txt", b"Just some words.\nNo times here.\n"), "timestamps"),
    "100 MB": (_sparse, "too large"),
    "a folder": (_folder, "no such file"),
    "missing": (lambda folder: folder / "missing.srt", "no such file"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_fails_naming_it_and_changes_nothing(
    library: Library, tmp_path: Path, case: str
) -> None:
    import_transcript(library, _write("good.srt", GOOD_SRT.encode())(tmp_path))
    before = library.row_counts()
    make, expected = BAD_FILES[case]
    path = make(tmp_path)
    with pytest.raises(EarmarkError) as info:
        import_transcript(library, path)
    message = str(info.value)
    assert path.name in message
    assert expected in message
    assert library.row_counts() == before


@pytest.mark.parametrize(
    ("name", "data", "warning"),
    [
        ("latin.srt", GOOD_SRT.encode("cp1252"), "Windows-1252"),
        ("wide.srt", b"\xff\xfe" + GOOD_SRT.encode("utf-16-le"), None),
        ("bom.srt", b"\xef\xbb\xbf" + GOOD_SRT.encode(), None),
    ],
)
def test_odd_encodings_import_with_the_right_text(
    library: Library, tmp_path: Path, name: str, data: bytes, warning: str | None
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    result = import_transcript(library, path)
    assert [s.text for s in library.segments(result.episode.id)] == ["Café crème, s'il vous plaît."]
    if warning:
        assert any(warning in w for w in result.warnings)
    else:
        assert result.warnings == []


def test_overlapping_cues_import_with_a_warning(library: Library, tmp_path: Path) -> None:
    path = tmp_path / "overlap.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:05,000\nfirst\n\n2\n00:00:03,000 --> 00:00:06,000\nsecond\n"
    )
    result = import_transcript(library, path)
    assert result.episode.segment_count == 2
    assert any("overlap" in w for w in result.warnings)


def test_one_bad_file_does_not_stop_the_others(library: Library, tmp_path: Path) -> None:
    good = _write("good.srt", GOOD_SRT.encode())(tmp_path)
    bad = _write("bad.srt", b"")(tmp_path)
    report = import_paths(library, [bad, good])
    assert [r.episode.segment_count for r in report.imported] == [1]
    assert [f.path for f in report.failed] == [bad]
    assert library.row_counts()["episodes"] == 1


def test_same_bytes_under_another_name_open_the_same_episode(
    library: Library, tmp_path: Path
) -> None:
    first = import_transcript(library, _write("a.srt", GOOD_SRT.encode())(tmp_path))
    again = import_transcript(library, _write("b.srt", GOOD_SRT.encode())(tmp_path))
    assert again.existing and again.episode.id == first.episode.id
    assert library.row_counts()["episodes"] == 1
