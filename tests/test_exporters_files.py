"""Atomic writes and file names that every OS accepts."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from desktop.core.errors import EarmarkError
from desktop.core.exporters import default_filename, write_atomic
from desktop.core.exporters.files import MAX_STEM_BYTES, MAX_STEM_CHARS
from desktop.core.model import Episode, EpisodeDocument, EpisodeSource, EpisodeStatus


def doc_titled(title: str, episode_id: int = 42) -> EpisodeDocument:
    episode = Episode(
        id=episode_id,
        title=title,
        status=EpisodeStatus.DONE,
        source=EpisodeSource.IMPORTED,
        created="2024-01-01T00:00:00Z",
        updated="2024-01-01T00:00:00Z",
    )
    return EpisodeDocument(episode=episode, segments=[])


# --- write_atomic ---------------------------------------------------------------------------


def test_write_creates_utf8_file(tmp_path: Path) -> None:
    target = tmp_path / "a.md"
    write_atomic(target, "héllo 🎧\nline\r\n")
    assert target.read_bytes() == "héllo 🎧\nline\r\n".encode()  # no newline translation
    assert os.listdir(tmp_path) == ["a.md"]


def test_write_replaces_existing_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "a.md"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    write_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert target.stat().st_mode & 0o777 == 0o640


def test_new_file_is_not_private_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o644


def test_missing_folder_raises_earmark_error_naming_path(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "a.md"
    with pytest.raises(EarmarkError) as info:
        write_atomic(target, "x")
    assert str(target) in str(info.value)
    assert not (tmp_path / "missing").exists()


def test_failed_replace_leaves_target_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.md"
    target.write_text("original", encoding="utf-8")

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(EarmarkError) as info:
        write_atomic(target, "new text")
    assert str(target) in str(info.value)
    assert "No space left" in str(info.value)
    assert target.read_text(encoding="utf-8") == "original"
    assert os.listdir(tmp_path) == ["a.md"]


def test_failed_write_leaves_target_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.md"
    target.write_text("original", encoding="utf-8")

    def broken_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(EarmarkError):
        write_atomic(target, "new text")
    assert target.read_text(encoding="utf-8") == "original"
    assert os.listdir(tmp_path) == ["a.md"]


def test_interrupt_during_write_still_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "a.md", "text")
    assert os.listdir(tmp_path) == []


def test_target_is_a_folder(tmp_path: Path) -> None:
    target = tmp_path / "a.md"
    target.mkdir()
    (target / "inside").write_text("keep", encoding="utf-8")
    with pytest.raises(EarmarkError) as info:
        write_atomic(target, "x")
    assert str(target) in str(info.value)
    assert (target / "inside").read_text(encoding="utf-8") == "keep"
    assert os.listdir(tmp_path) == ["a.md"]


def test_parent_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(EarmarkError, match="file"):
        write_atomic(tmp_path / "file" / "a.md", "x")


def test_lone_surrogate_does_not_abort(tmp_path: Path) -> None:
    write_atomic(tmp_path / "a.txt", "bad \ud800 char")
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "bad ? char"


# --- default_filename -----------------------------------------------------------------------

FORBIDDEN = set('/\\:*?"<>|')


def assert_portable(name: str) -> None:
    stem = name.rsplit(".", 1)[0]
    assert not FORBIDDEN & set(name)
    assert not any(unicodedata.category(ch) == "Cc" for ch in name)
    assert stem == stem.strip() and not stem.endswith(".") and not stem.startswith(".")
    assert len(stem) <= MAX_STEM_CHARS
    assert len(name.encode("utf-8")) <= 255


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Plain title", "Plain title.md"),
        ('Ep. 12: "Why?" <live> | A/B\\C *', "Ep. 12 Why live A B C.md"),
        ("  spaced\tout\n title  ", "spaced out title.md"),
        ("bell\x07 and \x1b[31mansi", "bell and [31mansi.md"),
        ("...", "episode-42.md"),
        ("", "episode-42.md"),
        ("///", "episode-42.md"),
        ("..hidden.", "hidden.md"),
        ("CON", "CON (episode).md"),
        ("nul.txt", "nul.txt (episode).md"),
        ("Console wars", "Console wars.md"),
        ("Café ☕ and 🎧 podcasts", "Café ☕ and 🎧 podcasts.md"),
        ("日本語のポッドキャスト", "日本語のポッドキャスト.md"),
        ("evil\u202egpj.exe", "evilgpj.exe.md"),
    ],
)
def test_default_filename(title: str, expected: str) -> None:
    name = default_filename(doc_titled(title), "md")
    assert name == expected
    assert_portable(name)


def test_default_filename_extension_per_format() -> None:
    doc = doc_titled("Talk")
    assert [default_filename(doc, f) for f in ("md", "srt", "vtt", "txt", "json")] == [
        "Talk.md",
        "Talk.srt",
        "Talk.vtt",
        "Talk.txt",
        "Talk.json",
    ]


def test_long_title_is_cut_at_a_word() -> None:
    title = "word " * 100
    name = default_filename(doc_titled(title), "srt")
    assert_portable(name)
    assert name.endswith("word.srt")
    assert len(name) <= MAX_STEM_CHARS + 4


def test_long_emoji_title_fits_in_bytes_and_keeps_whole_sequences() -> None:
    family = "👨\u200d👩\u200d👧"  # one grapheme, joined by ZWJ
    name = default_filename(doc_titled(family * 60), "md")
    assert_portable(name)
    stem = name[: -len(".md")]
    assert len(stem.encode("utf-8")) <= MAX_STEM_BYTES
    assert not stem.endswith("\u200d")


def test_decomposed_accents_are_composed() -> None:
    assert default_filename(doc_titled("Cafe\u0301"), "txt") == "Café.txt"


def test_written_under_default_name(tmp_path: Path) -> None:
    for title in ['a:b*c?"d"<e>|f', "🎙️ Episode ✨", "x" * 500, "\x00\x01"]:
        name = default_filename(doc_titled(title), "md")
        write_atomic(tmp_path / name, "ok")
        assert (tmp_path / name).read_text(encoding="utf-8") == "ok"
