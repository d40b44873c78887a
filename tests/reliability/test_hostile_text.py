"""Hostile text end to end: markup, Markdown, right-to-left overrides, control characters,
lone surrogates and a 1 MB line, through the real `earmark` command and the real library.

The policy (desktop/core/text.py): text is stored as written except that lone surrogates
become U+FFFD and control characters other than tab and newline are dropped (the ones that
separate words become a space). Every test here runs the real command line in child
processes on a real SQLite file, or the real services on one; nothing of ours is mocked.
Independent commands run side by side to keep the suite quick.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

from desktop.core.exporters import render
from desktop.core.importers import parse_transcript
from desktop.core.model import EpisodeSource, EpisodeStatus, Segment
from desktop.core.search import search
from desktop.core.store import Library
from desktop.core.text import clean_line, clean_text
from desktop.services.notes import add_note
from tests.conftest import DATA
from tests.reliability.helpers import earmark

BIG = "x" * 1_000_000  # a 1 MB "line" without a single space: the worst case for wrapping
CUE = "a\n\n00:00:01,000 --> 00:00:02,000\nb"  # a subtitle cue hidden in a segment's text

# (what is written, what the library then holds); each between two marker words for search.
HOSTILE: list[tuple[str, str]] = [
    ("<script>alert(1)</script> <b>b</b> <img src=x onerror=y> &amp;", "same"),
    ('<qt><h1>big</h1><font color="red">red</font><br/>x</qt>', "same"),
    ("<!DOCTYPE html><div>block</div>", "same"),
    ("# not a heading", "same"),
    ("- not a list", "same"),
    ("> not a quote", "same"),
    ("---", "same"),
    ("1. not ordered", "same"),
    ("| a | b |", "same"),
    ("```python", "same"),
    ("*em* _u_ [link](http://x) ![i](y) `code` ~~s~~ \\*", "same"),
    ("مرحبا \u200f\u202eexe.txt\u202c שלום", "same"),
    ("bell\x07 esc\x1b[31m del\x7f csi\x9b vt\x0bff\x0cend", "bell esc[31m del csi vt ff end"),
    ("nul\x00byte", "nulbyte"),
    ("lone\ud800 half\udcff pair\ud83d\ude00", "lone\ufffd half\ufffd pair\U0001f600"),
    (CUE, "a 00:00:01,000 --> 00:00:02,000 b"),
    (BIG, "same"),
]
STORED = [raw if stored == "same" else stored for raw, stored in HOSTILE]
SPEAKERS = ["<b>Host</b>", "\u202eAlice", "Bob\x00\ud800", "# Guest"]
STORED_SPEAKERS = ["<b>Host</b>", "\u202eAlice", "Bob\ufffd", "# Guest"]
TITLE = "Evil\nauthor: x\n---\n# <b>T</b> \u202e\x00\ud800 *end*"
STORED_TITLE = "Evil author: x --- # <b>T</b> \u202e\ufffd *end*"
# Episode 2 is a small one to correct; episode 3 is named by a file name that is not UTF-8
# (on Linux a name is bytes, and Python hands undecodable ones over as lone surrogates).
BAD_NAME = os.fsdecode(b"bad\xff name.json")


def marked(k: int, text: str) -> str:
    return f"before{k:02d} {text} after{k:02d}"


def ok(result: subprocess.CompletedProcess[str]) -> str:
    """The output of a run that must have worked, and worked without a traceback."""
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    return result.stdout


def side_by_side(home: Path, *commands: tuple[str, ...]) -> list[str]:
    """Run independent `earmark` commands at the same time; each one's output."""
    with ThreadPoolExecutor(len(commands)) as pool:
        results = list(pool.map(lambda args: earmark(*args, home=home), commands))
    return [ok(result) for result in results]


def write_json_transcript(path: Path, title: str, texts: list[str]) -> Path:
    """A Whisper-style JSON transcript: JSON escapes carry NUL and lone surrogates."""
    segments = [
        {"start": float(k), "end": k + 0.9, "text": text, "speaker": SPEAKERS[k % len(SPEAKERS)]}
        for k, text in enumerate(texts)
    ]
    path.write_text(json.dumps({"episode": {"title": title}, "segments": segments}))
    return path


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One library with the hostile episode (1), a small one (2) and one named by bytes (3)."""
    home = tmp_path_factory.mktemp("hostile")
    files = [
        write_json_transcript(
            home / "hostile.json", TITLE, [marked(k, t) for k, (t, _) in enumerate(HOSTILE)]
        ),
        write_json_transcript(home / "small.json", "Small", ["first words", "second words"]),
        write_json_transcript(home / BAD_NAME, "", ["hello there"]),
    ]
    ok(earmark("import", *map(str, files), home=home))
    yield home


def rows(home: Path, sql: str, *params: object) -> list[tuple]:  # type: ignore[type-arg]
    """Read the library file as a second program would."""
    with sqlite3.connect(home / "library.sqlite3") as conn:
        return conn.execute(sql, params).fetchall()


# --- the policy itself ------------------------------------------------------------------------


def test_clean_text_policy() -> None:
    assert clean_text("a\r\nb\rc\td\n") == "a\nb\nc\td\n"  # line breaks and tabs stay
    assert clean_text("\x00\x01\x1b\x7f\x85\x9f") == " "  # NEL separates, the rest go
    assert clean_text("\ud83d\ude00 \ud83d \udcff") == "\U0001f600 \ufffd \ufffd"
    rtl = "\u200f\u202e\u2066שלום\u2069\u202c"
    assert clean_text(rtl) == rtl  # right-to-left text is text
    assert clean_line("  a \x0b b\n\nc  ") == "a b c"
    assert len(clean_text(BIG)) == len(BIG)


# --- stored without a crash, and searchable ---------------------------------------------------


def test_import_stores_hostile_text_as_the_policy_says(home: Path) -> None:
    shown = json.loads(ok(earmark("show", "1", "--json", home=home)))
    assert shown["episode"]["title"] == STORED_TITLE
    assert [s["text"] for s in shown["segments"]] == [marked(k, t) for k, t in enumerate(STORED)]
    assert {s["speaker"] for s in shown["segments"]} == set(STORED_SPEAKERS)
    assert rows(home, "SELECT title FROM episodes WHERE id = 3") == [("bad\ufffd name",)]


def test_the_words_around_hostile_text_are_found(home: Path) -> None:
    with sqlite3.connect(home / "library.sqlite3") as conn:
        for k in range(len(HOSTILE)):
            for word in (f"before{k:02d}", f"after{k:02d}"):
                hits = search(conn, word, notes=False)
                assert [(h.episode_id, h.segment_idx) for h in hits] == [(1, k)], word
        assert [h.segment_idx for h in search(conn, "שלום")] == [11]  # right-to-left words too
    found = json.loads(ok(earmark("search", "after14", "--json", home=home)))
    assert [h["text"] for h in found] == [marked(14, STORED[14])]


CLI_TEXTS = [
    ("<qt><b>bold</b></qt> & [x](y)", "<qt><b>bold</b></qt> & [x](y)"),
    (os.fsdecode(b"undecodable \xff\xfe bytes"), "undecodable \ufffd\ufffd bytes"),
    ("esc\x1b[2J bell\x07 \u202eevil", "esc[2J bell \u202eevil"),
    ("# heading\n- list\n> quote\n---", "# heading\n- list\n> quote\n---"),
]


def test_notes_from_the_command_line(home: Path) -> None:
    (raw1, stored1), (raw2, stored2), (raw3, stored3), (raw4, stored4) = CLI_TEXTS
    first, second = side_by_side(
        home,
        ("note", "add", "2", f"{raw1}\n{raw4}", "--at", "1", "--json"),
        ("note", "add", "2", raw2, "--json"),
    )
    first_id, second_id = json.loads(first)["id"], json.loads(second)["id"]
    edited = json.loads(
        ok(earmark("note", "edit", str(second_id), f"{raw2} {raw3}", "--json", home=home))
    )
    assert json.loads(first)["text"] == f"{stored1}\n{stored4}"
    assert json.loads(second)["text"] == stored2
    assert edited["text"] == f"{stored2} {stored3}"
    with sqlite3.connect(home / "library.sqlite3") as conn:
        for word, note in (("quote", first_id), ("undecodable", second_id), ("evil", second_id)):
            assert note in {h.note_id for h in search(conn, word)}, word


def test_corrections_and_speaker_names_from_the_command_line(home: Path) -> None:
    raw, stored = f"{CLI_TEXTS[1][0]} {CLI_TEXTS[2][0]}", f"{CLI_TEXTS[1][1]} {CLI_TEXTS[2][1]}"
    unknown = earmark("speaker", "rename", "2", os.fsdecode(b"\xff"), "x", home=home)
    # An unknown name with undecodable bytes is an error message, not a traceback.
    assert unknown.returncode == 1 and "Traceback" not in unknown.stderr
    assert "earmark: error" in unknown.stderr
    ok(earmark("edit", "2", "--segment", "0", "--text", raw, home=home))
    ok(earmark("speaker", "rename", "2", SPEAKERS[0], raw, home=home))
    segment = rows(
        home, "SELECT text, speaker, edited FROM segments WHERE episode_id = 2 AND idx = 0"
    )
    assert segment == [(stored, stored, 1)]
    with sqlite3.connect(home / "library.sqlite3") as conn:
        assert [h.segment_idx for h in search(conn, "evil", episode_id=2, notes=False)] == [0]


# --- Markdown export ----------------------------------------------------------------------


def split_front_matter(markdown: str) -> tuple[dict, str]:  # type: ignore[type-arg]
    assert markdown.startswith("---\n")
    head, body = markdown[4:].split("\n---\n", 1)
    return yaml.safe_load(head), body


def inline_text(token) -> str:  # type: ignore[no-untyped-def]
    """What a reader sees of an inline token: its text, with escapes undone."""
    return "".join(c.content for c in token.children if c.type in ("text", "text_special"))


NOTE_BLOCKS = ["# h", "- l", "> q", "<div>d</div>", "1. o", "---", "| a |", "    code", "```"]


def test_markdown_export_shows_every_text_literally(home: Path) -> None:
    # Notes, one without a time: its paragraphs each start a line of the export.
    with Library.open(home / "library.sqlite3") as library:
        add_note(library, 1, "\n\n".join(NOTE_BLOCKS))
        add_note(library, 1, f"{TITLE}\n{CUE}", at=2.0)
    markdown = ok(earmark("export", "1", "-o", "-", home=home))
    meta, body = split_front_matter(markdown)
    assert meta["title"] == STORED_TITLE and "author" not in meta
    tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(body)
    blocks = {t.type for t in tokens if t.nesting >= 0 and t.type != "inline"}
    assert blocks <= {"heading_open", "paragraph_open", "bullet_list_open", "list_item_open"}
    headings = [
        inline_text(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "heading_open"
    ]
    assert headings[0] == STORED_TITLE and set(headings[1:]) <= {"Notes", "Transcript"}
    spans = {c.type for t in tokens if t.type == "inline" for c in t.children}
    # Bold is Earmark's own speaker label; nothing else the text says becomes markup.
    assert spans <= {"text", "text_special", "softbreak", "strong_open", "strong_close"}
    paragraphs = " ".join(inline_text(t) for t in tokens if t.type == "inline")
    for k, text in enumerate(STORED):
        assert marked(k, text) in paragraphs, k
    for speaker in STORED_SPEAKERS:
        assert f"{speaker}:" in paragraphs
    for block in NOTE_BLOCKS:
        assert block.strip() in paragraphs
    assert f"{clean_line(TITLE)} {clean_line(CUE)}" in paragraphs


# --- subtitles, text and JSON: no injected cues ----------------------------------------------


def test_exports_read_back_with_the_same_cues(home: Path, tmp_path: Path) -> None:
    formats = ("srt", "vtt", "txt", "json")
    outs = [tmp_path / f"back.{fmt}" for fmt in formats]
    side_by_side(
        home,
        *(
            ("export", "1", "-f", fmt, "-o", str(out))
            for fmt, out in zip(formats, outs, strict=True)
        ),
    )
    again = tmp_path / "again"
    again.mkdir()
    ok(earmark("import", *map(str, outs), home=again))
    for episode, fmt in enumerate(formats, 1):
        found = rows(
            again, "SELECT start, text FROM segments WHERE episode_id = ? ORDER BY idx", episode
        )
        # One cue per segment at its own time: no text became a timing line or a new cue.
        assert [start for start, _ in found] == [float(k) for k in range(len(HOSTILE))], fmt
        # (SRT and TXT keep a speaker name the importer does not take for one in the text.)
        for k, (_, text) in enumerate(found):
            assert f"before{k:02d} " in text and text.endswith(f"after{k:02d}"), (fmt, k)
        if fmt == "json":
            assert [text for _, text in found] == [marked(k, t) for k, t in enumerate(STORED)]


def test_no_cue_from_text_another_writer_stored_with_line_breaks(tmp_path: Path) -> None:
    """An older Earmark or a script may have stored raw line breaks; exports still hold."""
    with Library.open(tmp_path / "library.sqlite3") as library:
        episode = library.create_episode("T", EpisodeSource.IMPORTED, EpisodeStatus.DONE)
        library.append_segments(episode.id, [Segment(0, 1, "a", "S"), Segment(5, 6, "b")])
        # Written behind the services' back, as another program could.
        library.conn.execute("UPDATE segments SET text = ?, speaker = ?", (CUE, CUE))
        library.conn.execute("UPDATE episodes SET title = ?", (CUE,))
        doc = library.document(episode.id)
    for fmt in ("srt", "vtt", "txt"):
        back = parse_transcript(render(doc, fmt), fmt)
        assert [s.start for s in back.segments] == [0.0, 5.0], fmt


# --- file names ------------------------------------------------------------------------------

NAME_TITLES = [
    "../../etc/passwd",
    "/abs/olute",
    "C:\\x\\y",
    "..",
    ".",
    "CON",
    "nul.txt",
    "COM1",
    '<>:"|?*',
    "trailing. . ",
    "evil\u202egpj.exe",  # shows as "evilexe.jpg" where the override is honoured
    "L" * 300 + " end",
    # Same title to a person, or once sanitised: never the same default file name.
    "Talk",
    "talk",
    "Talk?",
    "Talk\u200f",
    "TALK.",
]
RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{d}{i}" for d in ("COM", "LPT") for i in range(10))}
BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def assert_portable(name: str) -> None:
    """A name Windows, macOS and Linux all accept, with its real extension last."""
    stem, ext = name.rsplit(".", 1)
    assert ext == "md" and not set(name) & set('<>:"/\\|?*') and not set(name) & BIDI, name
    assert not name.startswith(".") and stem == stem.rstrip(". "), name
    assert stem.split(".")[0].strip().upper() not in RESERVED, name
    assert len(name.encode()) <= 255 and all(ch.isprintable() for ch in name), name


def test_export_file_names_stay_in_the_folder_and_apart(tmp_path: Path) -> None:
    from desktop.services.exporting import export_to_path, suggested_filename

    sources = tmp_path / "sources"
    sources.mkdir()
    files = [
        write_json_transcript(sources / f"{n}.json", title, [f"words of {n}"])
        for n, title in enumerate(NAME_TITLES)
    ]
    home = tmp_path / "home"
    home.mkdir()
    ok(earmark("import", *map(str, files), home=home))
    by_cli, by_service = tmp_path / "cli", tmp_path / "service"
    by_cli.mkdir()
    by_service.mkdir()
    # The real command, for the titles that name other folders.
    printed = side_by_side(home, *(("export", str(i), "-o", str(by_cli)) for i in (1, 2, 3, 4, 5)))
    for line in printed:
        assert Path(line.strip()).resolve().parent == by_cli.resolve()
    with Library.open(home / "library.sqlite3") as library:
        ids = [episode_id for episode_id, _ in library.episode_titles()]
        assert len(ids) == len(NAME_TITLES)
        names = [suggested_filename(library, i, "md") for i in ids]
        written = [export_to_path(library, i, "md", by_service) for i in ids]
    for name in names:
        assert_portable(name)
    assert len({name.casefold() for name in names}) == len(names)  # even where case is ignored
    assert [path.name for path in written] == names
    assert all(path.resolve().parent == by_service.resolve() for path in written)
    # Nothing anywhere else: every file is a source, the library, or in the chosen folders.
    expected = {sources, home, by_cli, by_service}
    assert {path.parent for path in tmp_path.rglob("*") if path.is_file()} <= expected


def test_media_with_a_name_that_is_not_utf8_is_refused_by_name(tmp_path: Path) -> None:
    """The path must be stored as it is to play the file again, so such a name is refused
    before anything is read or written (it ended in a UnicodeEncodeError traceback)."""
    media = tmp_path / os.fsdecode(b"caf\xe9 interview.flac")  # Latin-1 bytes
    media.write_bytes((DATA / "audio" / "jfk.flac").read_bytes())
    result = earmark("transcribe", str(media), home=tmp_path / "home")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("earmark: error: ") and "caf\\xe9 interview.flac" in line
    assert "not valid UTF-8" in line and "rename the file" in line
    with Library.open(tmp_path / "home" / "library.sqlite3") as library:
        assert library.row_counts()["episodes"] == 0
