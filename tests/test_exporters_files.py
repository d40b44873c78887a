"""Atomic writes and file names that every OS accepts."""

from __future__ import annotations

import errno
import os
import unicodedata
from pathlib import Path

import pytest

from desktop.core.errors import EarmarkError
from desktop.core.exporters import (
    TargetExistsError,
    default_filename,
    export_episode,
    write_atomic,
)
from desktop.core.exporters.files import MAX_STEM_BYTES, MAX_STEM_CHARS
from desktop.core.model import Episode, EpisodeDocument, EpisodeSource, EpisodeStatus
from desktop.core.store import Library


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
        ("nul.txt", "nul (episode).txt.md"),  # Windows reserves "nul" before any extension
        ("com1.tar.gz", "com1 (episode).tar.gz.md"),
        (".CON .", "CON (episode).md"),
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


# --- never replacing a file unless asked ------------------------------------------------------


def test_no_overwrite_refuses_an_existing_file_and_leaves_it(tmp_path: Path) -> None:
    target = tmp_path / "a.md"
    target.write_text("mine", encoding="utf-8")
    with pytest.raises(TargetExistsError) as info:
        write_atomic(target, "new", overwrite=False)
    assert info.value.path == target
    assert str(target) in str(info.value) and "already exists" in str(info.value)
    assert target.read_text(encoding="utf-8") == "mine"
    assert os.listdir(tmp_path) == ["a.md"]


def test_no_overwrite_writes_a_new_file(tmp_path: Path) -> None:
    write_atomic(tmp_path / "a.md", "fresh", overwrite=False)
    assert (tmp_path / "a.md").read_text(encoding="utf-8") == "fresh"
    assert os.listdir(tmp_path) == ["a.md"]


def test_no_overwrite_refuses_a_dangling_symlink(tmp_path: Path) -> None:
    link = tmp_path / "a.md"
    link.symlink_to(tmp_path / "nowhere.md")
    with pytest.raises(TargetExistsError):
        write_atomic(link, "x", overwrite=False)
    assert not (tmp_path / "nowhere.md").exists()


def test_a_file_appearing_during_the_write_is_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.md"
    real_link = os.link

    def racing_link(src: object, dst: object) -> None:
        Path(str(dst)).write_text("theirs", encoding="utf-8")  # someone else was quicker
        real_link(src, dst)

    monkeypatch.setattr(os, "link", racing_link)
    with pytest.raises(TargetExistsError):
        write_atomic(target, "ours", overwrite=False)
    assert target.read_text(encoding="utf-8") == "theirs"
    assert os.listdir(tmp_path) == ["a.md"]


def test_no_overwrite_without_hard_links_still_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(src: object, dst: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    write_atomic(tmp_path / "new.md", "x", overwrite=False)  # falls back to a rename
    assert (tmp_path / "new.md").read_text(encoding="utf-8") == "x"
    (tmp_path / "old.md").write_text("keep", encoding="utf-8")
    with pytest.raises(TargetExistsError):
        write_atomic(tmp_path / "old.md", "x", overwrite=False)
    assert (tmp_path / "old.md").read_text(encoding="utf-8") == "keep"
    assert sorted(os.listdir(tmp_path)) == ["new.md", "old.md"]


# --- file names: unique per episode, never outside the folder ------------------------------------


def test_disambiguated_name_carries_the_episode_id() -> None:
    doc = doc_titled("Talk", episode_id=12)
    assert default_filename(doc, "md", disambiguate=True) == "Talk (episode 12).md"
    assert default_filename(doc_titled("", 12), "srt", disambiguate=True) == "episode-12.srt"
    long = default_filename(doc_titled("word " * 100, 123456), "md", disambiguate=True)
    assert long.endswith(" (episode 123456).md")
    assert_portable(long)


HOSTILE_TITLES = [
    "../../etc/passwd",
    "..\\..\\Windows\\System32\\evil",
    "/absolute/path",
    "..",
    ".",
    "~",
    "a/../../b",
    "C:\\temp\\x",
    "NUL",
    "com1.tar.gz",
    "LPT9 ",
    "line\nbreak\rand\ttab",
    "\x00\x1f\x7f",
    "zero\u200bwidth and bom\ufeff",
    "\u202eexe.md",
]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_hostile_titles_stay_inside_the_chosen_folder(tmp_path: Path, title: str) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    for disambiguate in (False, True):
        doc = doc_titled(title)
        name = default_filename(doc, "md", disambiguate)
        assert_portable(name)
        assert Path(name).name == name and name not in (".", "..")
        assert ".." not in Path(name).parts
        written = export_episode(doc, "md", folder, overwrite=True, disambiguate=disambiguate)
        assert written.parent == folder
        assert written.resolve().parent == folder.resolve()
    assert {p.parent for p in tmp_path.rglob("*")} == {tmp_path, folder}


def test_export_episode_refuses_to_replace_in_a_folder(tmp_path: Path) -> None:
    doc = doc_titled("Talk")
    first = export_episode(doc, "txt", tmp_path, overwrite=False)
    with pytest.raises(TargetExistsError):
        export_episode(doc, "txt", tmp_path, overwrite=False)
    assert export_episode(doc, "txt", tmp_path, overwrite=True) == first


# --- the export service: names unique among the library's episodes ----------------------------


def test_suggested_names_are_unique_per_episode(library: Library, tmp_path: Path) -> None:
    from desktop.services.exporting import export_to_path, suggested_filename

    tmp_path = tmp_path / "exports"
    tmp_path.mkdir()
    ids = [
        library.create_episode(title, EpisodeSource.IMPORTED, EpisodeStatus.DONE).id
        for title in ("Talk: one?", "Talk  one", "talk one", "Other", "Talk one")
    ]
    names = [suggested_filename(library, i, "md") for i in ids]
    assert names == [
        "Talk one.md",
        f"Talk one (episode {ids[1]}).md",
        f"talk one (episode {ids[2]}).md",  # macOS and Windows ignore case
        "Other.md",
        f"Talk one (episode {ids[4]}).md",
    ]
    paths = [export_to_path(library, i, "md", tmp_path) for i in ids]
    assert [p.name for p in paths] == names
    assert len(set(os.listdir(tmp_path))) == 5
    with pytest.raises(TargetExistsError):
        export_to_path(library, ids[0], "md", tmp_path)
    assert export_to_path(library, ids[0], "md", tmp_path, overwrite=True) == paths[0]
