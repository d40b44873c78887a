"""Importers that keep a real transcript's structure: speakers, chapters, sparse stamps.

Excerpts of two real CC BY-SA interviews live in tests/data/importers (see SOURCE.txt there);
the full files, in ../shared/corpus, are checked too when that folder is present.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.cli.main import main
from desktop.core.errors import TranscriptFormatError
from desktop.core.importers import load_transcript, parse_transcript, sniff_format
from desktop.core.importers.frontmatter import link_time, read_front_matter
from desktop.core.importers.timestamps import parse_clock
from desktop.core.model import Chapter, Transcript
from desktop.services.importing import transcript_files
from tests.conftest import CORPUS

DATA = Path(__file__).parent / "data" / "importers"
ETHEREUM_EXCERPT = DATA / "ethereum_ep010_excerpt.md"
CHANGELOG_EXCERPT = DATA / "changelog_213_excerpt.md"
TURNS_SRT = DATA / "ethereum_ep010_turns.srt"
INTERVIEWS = CORPUS / "transcripts" / "interviews"
ETHEREUM = INTERVIEWS / "early-days-of-ethereum-ep010-viktor-tron.md"
CHANGELOG = INTERVIEWS / "the-changelog-213-guillermo-rauch.md"
needs_corpus = pytest.mark.skipif(not ETHEREUM.is_file(), reason="../shared/corpus not present")
# Markup that must never reach a segment's text.
MARKUP = re.compile(r"\]\(|\{%|%\}|\{\{|<[a-z/!]|\*\(|\\|\*\*|https?://")


def speakers(t: Transcript) -> set[str | None]:
    return {s.speaker for s in t.segments}


def assert_clean(t: Transcript) -> None:
    dirty = [s.text for s in t.segments if MARKUP.search(s.text)]
    assert dirty == []


def segment_at(t: Transcript, start: float) -> int:
    return next(i for i, s in enumerate(t.segments) if s.start == start)


# --- Jekyll Markdown: [[mm:ss]](youtube link) **Name:** text, <h3> chapters, front-matter TOC ---


def test_ethereum_excerpt_speakers_chapters_and_clean_text() -> None:
    t = load_transcript(ETHEREUM_EXCERPT)
    assert t.format == "md"
    assert t.title == "Early Days of Ethereum - Episode 10 - Viktor Trón"
    assert t.chapters == [
        Chapter(6.0, "Introduction"),
        Chapter(61.0, "Pre-Ethereum: BBC News Labs and Bitcoin"),
        Chapter(269.0, "Anarchism and Austrian economics"),
    ]
    # The excerpt keeps the whole 15-entry table of contents but only three of its headings.
    assert t.warnings == [
        "12 table-of-contents entries match no heading and give no time; left out of the chapters"
    ]
    assert speakers(t) == {"Bob Summerwill", "Viktor Trón"}
    assert [(s.start, s.speaker) for s in t.segments[:3]] == [
        (6.0, "Bob Summerwill"),
        (17.0, "Viktor Trón"),
        (25.0, "Bob Summerwill"),
    ]
    assert t.segments[0].text.startswith("So hello, I am Bob Summerwill and this is Early Days")
    assert t.segments[1].text.startswith("Very, very well, thank you. Hello Bob. Thank you")
    assert_clean(t)
    text = " ".join(s.text for s in t.segments)
    assert "Devconnect" in text and "The Juicer" in text  # link text stays, its URL goes
    assert "Coinscrum" not in text  # the *(Bob - …)* editor note
    assert "video-embed" not in text and "Alternative Stage" not in text  # the {% include %}
    assert "Your browser does not support" not in text  # the <audio> block
    assert len(t.segments) == 16


def test_continuation_paragraphs_keep_the_speaker_and_get_interpolated_times() -> None:
    t = load_transcript(ETHEREUM_EXCERPT)
    # [[01:59]] Viktor, then an editor note, a Liquid tag and four unlabelled paragraphs,
    # then the next chapter's [[04:29]] Bob.
    first = segment_at(t, 119.0)
    last = segment_at(t, 269.0)
    run = t.segments[first:last]
    assert {s.speaker for s in run} == {"Viktor Trón"}
    assert [s.text[:24] for s in run[2:]] == [
        "And I mean what led me t",
        "So it's kind of, he intr",
        "But by that time I was k",
        "And you know, bit by bit",
        "And so when Gavin presen",
    ]
    starts = [s.start for s in run] + [269.0]
    assert all(a < b for a, b in itertools.pairwise(starts))
    # Shared by text length: each paragraph starts after its share of 119–269 s. Paragraphs
    # over 30 s were cut at sentences, so they are found by their first words.
    firsts = ["Yeah, I was in London.", "And I mean what led", "But by that time", "And so when"]
    heads = [i for i, s in enumerate(run) if s.text.startswith(tuple(firsts))]
    assert len(heads) == 4
    sizes = [
        len(" ".join(s.text for s in run[a:b])) for a, b in itertools.pairwise([*heads, len(run)])
    ]
    assert sizes == [341, 447, 539, 317]
    for index, head in enumerate(heads):
        assert run[head].start == round(119.0 + 150.0 * sum(sizes[:index]) / sum(sizes), 3)


# --- Changelog Markdown: **Name:** labels, sparse escaped \[mm:ss\] stamps, ad breaks ---


def test_changelog_excerpt_sparse_stamps_and_turns() -> None:
    t = load_transcript(CHANGELOG_EXCERPT)
    assert t.format == "md"
    assert t.chapters == []
    assert t.warnings == []
    assert speakers(t) == {"Adam Stacoviak", "Guillermo Rauch"}  # "Break" is not a speaker
    assert_clean(t)
    # The opening runs from 0 to the first stamp, the break at 00:59.
    assert (t.segments[0].start, t.segments[0].speaker) == (0.0, "Adam Stacoviak")
    assert t.segments[0].text.startswith("Welcome back everyone, this is The Changelog")
    after_break = t.segments[segment_at(t, 59.0)]
    assert after_break.text.startswith("Alright, I'm here with Guillermo Rauch.")
    stamped = t.segments[segment_at(t, 216.0)]  # **Guillermo Rauch:** \[03:36\] Sure…
    assert (stamped.speaker, stamped.text[:22]) == ("Guillermo Rauch", "Sure. LearnBoost is my")
    assert t.segments[segment_at(t, 450.0)].speaker == "Guillermo Rauch"  # \[07:30\]
    assert [s.speaker for s in t.segments[segment_at(t, 99.156) :][:3]] == [
        "Adam Stacoviak",
        "Adam Stacoviak",  # "I wonder why…": a paragraph cut in two at 30 s
        "Guillermo Rauch",
    ]
    assert all(a.start < b.start for a, b in itertools.pairwise(t.segments))
    assert len(t.segments) == 32


def test_escaped_hour_stamp_without_label_continues_the_speaker() -> None:
    paragraphs = [
        "Right.",
        "So when we get that output, we could have taken two paths.",
        "And obviously we wanna write it to the terminal.",
    ]
    text = (
        f"**Adam Stacoviak:** \\[01:00:30.21\\] {paragraphs[0]}\n\n"
        f"**Guillermo Rauch:** {paragraphs[1]}\n\n{paragraphs[2]}\n\n"
        "\\[01:00:50.26\\] I think by continuing this mindset, a lot can be made.\n"
    )
    t = parse_transcript(text, None)
    assert t.format == "md"
    sizes = [len(p) for p in paragraphs]
    assert [(s.start, s.speaker) for s in t.segments] == [
        (3630.21, "Adam Stacoviak"),
        (round(3630.21 + 20.05 * sizes[0] / sum(sizes), 3), "Guillermo Rauch"),
        (round(3630.21 + 20.05 * sum(sizes[:2]) / sum(sizes), 3), "Guillermo Rauch"),
        (3650.26, "Guillermo Rauch"),
    ]


@pytest.mark.parametrize(
    "stamp",
    [
        "[[01:55]](https://www.youtube.com/watch?v=470q6U-TEMI&t=115s)",
        "[[01:55]](https://youtu.be/470q6U-TEMI?t=115)",
        "[01:55](https://youtu.be/470q6U-TEMI?t=115)",
        "[01:55](https://www.youtube.com/watch?v=470q6U-TEMI&t=115s)",
        "[01:55]",
        "\\[01:55\\]",
        "[00:01:55.00]",
        "\\[00:01:55.00\\]",
    ],
)
def test_stamp_shapes_at_a_paragraph_start(stamp: str) -> None:
    for line in (f"{stamp} **Bob:** At that time?", f"**Bob:** {stamp} At that time?"):
        t = parse_transcript(f"{line}\n\n{stamp.replace('01:55', '02:05')} **Ann:** Yes.\n")
        assert t.format == "md"
        assert [(s.start, s.speaker, s.text) for s in t.segments] == [
            (115.0, "Bob", "At that time?"),
            (125.0, "Ann", "Yes."),
        ]


def test_headings_html_headings_and_toc_times_become_chapters() -> None:
    text = (
        "---\ntitle: Episode 7\ntable_of_contents:\n"
        '  - link: "#welcome"\n    title: "Welcome"\n'
        '  - link: "https://youtu.be/abc?t=95"\n    title: "Listener mail"\n'
        "---\n\n"
        "## Welcome {#welcome}\n\n[00:00] **Host:** Hello.\n\n"
        '<h2 id="tools">Tools of the trade</h2>\n\n[01:00] **Guest:** I use paper.\n\n'
        "<h3>Closing</h3>\n\nThe same guest goes on, unstamped.\n\n"
        "### Nothing after this\n"
    )
    t = parse_transcript(text, None)
    assert t.title == "Episode 7"
    assert [(s.speaker, s.text) for s in t.segments] == [
        ("Host", "Hello."),
        ("Guest", "I use paper."),
        ("Guest", "The same guest goes on, unstamped."),
    ]
    closing = t.segments[2].start
    assert closing == 60.0 + len("I use paper.") / 5  # after the last stamp: at 5 chars/s
    assert t.chapters == [
        Chapter(0.0, "Welcome"),
        Chapter(60.0, "Tools of the trade"),
        Chapter(closing, "Closing"),
        Chapter(95.0, "Listener mail"),  # from the table of contents' video link
    ]
    assert t.warnings == ["line 22: chapter 'Nothing after this' has no timestamp after it"]


def test_front_matter_toc_shapes() -> None:
    header = (
        "---\ntitle: 'Ep 3'\nchapters:\n"
        '  - title: "Intro"\n    time: "00:10"\n'
        '  - "01:02:03 Deep dive"\n'
        "  - link: https://www.youtube.com/watch?v=x&t=1h2m5s\n    title: Linked\n"
        "  - title: Nowhere\n"
        "language: en\n---\n"
    )
    found = read_front_matter(header.split("\n"))
    assert (found.title, found.language, found.body_start) == ("Ep 3", "en", 11)
    assert [(e.title, e.start) for e in found.toc] == [
        ("Intro", 10.0),
        ("Deep dive", 3723.0),
        ("Linked", 3725.0),
        ("Nowhere", None),
    ]
    assert link_time("https://youtu.be/x?t=115") == 115
    assert link_time("https://example.com/page#intro") is None


def test_liquid_html_comments_and_editor_notes_are_not_text() -> None:
    text = (
        "<!-- TABLE_OF_CONTENTS -->\n\n"
        "[00:05] **Ann:** We met at <span class='x'>the</span> meetup &amp; talked. "
        "*(Ed - it was a Tuesday)* Then we left.<br>\n\n"
        '{% include video-embed.html\n  name="Some talk"\n%}\n\n'
        "{{ page.footer }} She said it was ![logo](/img/x.png)[great](https://x.org).\n\n"
        "[00:20] **Bob:** Is `<yours>` \\<yours\\>? *Really*.\n"
    )
    t = parse_transcript(text, "md")
    assert [(s.speaker, s.text) for s in t.segments] == [
        ("Ann", "We met at the meetup & talked. Then we left."),
        ("Ann", "She said it was great."),
        ("Bob", "Is `<yours>` <yours>? Really."),  # not HTML: kept, escaped or not
    ]


def test_an_earmark_export_does_not_carry_speakers_over() -> None:
    """Every paragraph of Earmark's export is stamped: no label means no speaker."""
    text = "## Transcript\n\n[00:00:00] **Speaker 1:** Hi.\n\n[00:00:04] Plain words.\n"
    t = parse_transcript(text, "md")
    assert [s.speaker for s in t.segments] == ["Speaker 1", None]


# --- Subtitles whose cue text names the speaker ---


def test_srt_name_prefixes_become_speakers_and_carry_on() -> None:
    t = load_transcript(TURNS_SRT)
    assert t.format == "srt"
    assert t.warnings == []
    assert len(t.segments) == 21
    turns = [(k, len(list(g))) for k, g in itertools.groupby(s.speaker for s in t.segments)]
    assert turns == [
        ("Bob Summerwill", 2),
        ("Viktor Trón", 4),
        ("Bob Summerwill", 5),
        ("Viktor Trón", 6),
        ("Bob Summerwill", 1),
        ("Viktor Trón", 3),
    ]
    assert not any(s.text.startswith(("Bob Summerwill:", "Viktor Trón:")) for s in t.segments)
    # The two-line cue "Bob Summerwill: At that time…?" / "Viktor Trón: Yeah, I was in London."
    # is shared between them by text length.
    question, answer = t.segments[17], t.segments[18]
    assert question.text == "At that time you were in London, you were living in London?"
    assert answer.text == "Yeah, I was in London."
    assert (question.start, answer.end) == (115.0, 121.058)
    assert question.end == answer.start == pytest.approx(115.0 + 6.058 * 59 / 81, abs=0.001)


def test_vtt_name_prefixes_too() -> None:
    srt = TURNS_SRT.read_text(encoding="utf-8")
    vtt = "WEBVTT\n\n" + re.sub(r"(\d\d),(\d\d\d)", r"\1.\2", srt)
    t = parse_transcript(vtt, None)
    assert t.format == "vtt"
    assert [s.speaker for s in t.segments] == [
        s.speaker for s in load_transcript(TURNS_SRT).segments
    ]


def test_a_stray_label_in_captions_is_not_a_speaker() -> None:
    cues = [
        "Example: a list of numbers.",
        "We sort it first.",
        "Note: this is slow.",
        "Example: the same list, sorted.",
        "That is all.",
    ]
    srt = "".join(
        f"{i + 1}\n00:00:0{i},000 --> 00:00:0{i},900\n{text}\n\n" for i, text in enumerate(cues)
    )
    t = parse_transcript(srt, "srt")
    assert speakers(t) == {None}
    assert [s.text for s in t.segments] == cues


# --- Prose is refused ---


def test_prose_with_a_stray_stamp_is_refused() -> None:
    with pytest.raises(TranscriptFormatError) as info:
        load_transcript(DATA / "prose_with_stamp.txt")
    assert "prose_with_stamp.txt" in str(info.value)
    assert info.value.message.startswith("does not look like a transcript")


def test_a_long_text_behind_one_stamp_is_refused() -> None:
    prose = " ".join(["The committee discussed the budget and the schedule at length."] * 60)
    for text in (f"[00:10] {prose}\n", f"# Minutes\n\n[00:10] {prose}\n"):
        with pytest.raises(TranscriptFormatError, match="does not look like a transcript"):
            parse_transcript(text, None)


def test_stamps_only_inside_prose_are_refused_by_the_markdown_reader() -> None:
    text = "# Favourite clips\n\nThe clip at [12:30](https://youtu.be/x?t=750) is the best part.\n"
    with pytest.raises(TranscriptFormatError, match="does not look like a transcript"):
        parse_transcript(text, "md")


# --- The two real interviews, whole ---


@needs_corpus
def test_ethereum_episode_whole() -> None:
    t = load_transcript(ETHEREUM)
    raw = ETHEREUM.read_text(encoding="utf-8")
    toc_titles = re.findall(r'^    title: "(.*)"$', raw.split("\n---\n", 1)[0], re.MULTILINE)
    assert len(toc_titles) == 15
    assert [c.title for c in t.chapters] == toc_titles
    # Each chapter starts at the first stamp after its <h3>.
    for heading, chapter in zip(raw.split("<h3")[1:], t.chapters, strict=True):
        assert chapter.start == int(re.search(r"&t=(\d+)s\)", heading).group(1))
    assert speakers(t) == {"Bob Summerwill", "Viktor Trón"}
    assert t.title == "Early Days of Ethereum - Episode 10 - Viktor Trón"
    assert t.segments[0].start == 6.0
    assert t.warnings == []
    assert_clean(t)
    stamps = [int(s) for s in re.findall(r"^\[\[[\d:]+\]\]\([^)]*&t=(\d+)s\)", raw, re.MULTILINE)]
    assert len(stamps) == 193
    starts = {s.start for s in t.segments}
    assert set(stamps) <= starts  # every stamped paragraph keeps its time
    assert all(a.start <= b.start for a, b in itertools.pairwise(t.segments))
    assert len(t.segments) == 337
    assert t.duration == pytest.approx(5387.2)  # last stamp 1:29:44 and its closing words


@needs_corpus
def test_changelog_episode_whole() -> None:
    t = load_transcript(CHANGELOG)
    raw = CHANGELOG.read_text(encoding="utf-8")
    stamps = [parse_clock(s) for s in re.findall(r"\\\[([\d:.]+)\\\]", raw)]
    assert len(stamps) == 23
    assert t.format == "md"
    assert t.chapters == [] and t.warnings == []
    assert speakers(t) == {"Adam Stacoviak", "Guillermo Rauch"}
    assert_clean(t)
    starts = [s.start for s in t.segments]
    assert all(round(stamp, 3) in starts for stamp in stamps)  # 20 paragraphs + 3 breaks
    assert all(a < b for a, b in itertools.pairwise(starts))  # interpolated: strictly rising
    assert (starts[0], t.segments[0].speaker) == (0.0, "Adam Stacoviak")
    assert t.segments[segment_at(t, 3837.26)].text.startswith("I think by continuing this")
    assert t.segments[segment_at(t, 3837.26)].speaker == "Guillermo Rauch"
    assert len(t.segments) == 339
    assert 5779.28 < t.duration < 6100  # last stamp 01:36:19.28, then its last paragraphs


@needs_corpus
def test_the_interviews_readme_is_refused() -> None:
    path = INTERVIEWS / "SOURCE.txt"
    with pytest.raises(TranscriptFormatError) as info:
        load_transcript(path)
    assert "SOURCE.txt" in str(info.value)
    assert "does not look like a transcript" in info.value.message


# --- earmark import DIR ---


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _folder(tmp_path: Path) -> Path:
    root = tmp_path / "shows"
    (root / "ethereum" / "ep10").mkdir(parents=True)
    (root / ".cache").mkdir()
    shutil.copy(ETHEREUM_EXCERPT, root / "ethereum" / "ep10" / "transcript.md")
    shutil.copy(CHANGELOG_EXCERPT, root / "changelog-213.md")
    shutil.copy(TURNS_SRT, root / "ethereum" / "turns.SRT")
    shutil.copy(DATA / "prose_with_stamp.txt", root / "README.txt")
    shutil.copy(TURNS_SRT, root / ".cache" / "hidden.srt")
    (root / "cover.png").write_bytes(b"\x89PNG")
    return root


def test_transcript_files_walks_the_folder_in_order(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    assert [p.relative_to(root).as_posix() for p in transcript_files(root)] == [
        "README.txt",
        "changelog-213.md",
        "ethereum/turns.SRT",
        "ethereum/ep10/transcript.md",
    ]


def test_import_a_folder_recursively_with_a_summary(capsys, tmp_path: Path) -> None:
    root = _folder(tmp_path)
    code, out, err = run(capsys, "import", str(root), "--json")
    assert code == 1  # one file failed
    data = json.loads(out)
    assert data["summary"] == {"imported": 3, "existing": 0, "failed": 1, "not_tried": 0}
    assert sorted(e["title"] for e in data["episodes"]) == [
        "Early Days of Ethereum - Episode 10 - Viktor Trón",
        "changelog-213",
        "turns",
    ]
    assert data["errors"][0]["path"] == str(root / "README.txt")
    assert "does not look like a transcript" in data["errors"][0]["message"]
    assert "README.txt" in err

    code, out, err = run(capsys, "import", str(root))
    assert code == 1
    assert out.splitlines()[-1] == "0 imported, 3 already in the library, 1 failed"
    assert "README.txt: does not look like a transcript" in err


def test_import_an_empty_folder_says_so(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "import", str(tmp_path))
    assert code == 1
    assert f"{tmp_path}: no transcript files in this folder" in err
    assert "no such file" not in err


# --- Insights on a transcript without a single question ---


def test_insights_on_a_transcript_without_a_question(capsys, tmp_path: Path) -> None:
    srt = tmp_path / "speech.srt"
    srt.write_text(
        "1\n00:00:00,000 --> 00:00:05,000\nAnd so, my fellow Americans, ask not what your "
        "country can do for you, ask what you can do for your country.\n\n"
        "2\n00:00:05,000 --> 00:00:09,000\nThe weather over the harbour was clear and the "
        "ships came home safely that evening.\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "import", str(srt), "--json")
    assert code == 0, err
    episode = json.loads(out)["episodes"][0]["id"]
    code, out, err = run(capsys, "insights", str(episode), "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["qa"] == []
    assert payload["tldr"]


# --- Fuzzing the Markdown path: a Transcript or a TranscriptFormatError, nothing else ---

_MD_PIECES = st.sampled_from(
    [
        "[[01:55]](https://www.youtube.com/watch?v=x&t=115s)",
        "[[1:02:03]](https://youtu.be/x?t=3723)",
        "[01:55](https://youtu.be/x)",
        "\\[01:03:57.26\\]",
        "\\[laughs\\]",
        "[00:6x:01]",
        "[99999999:00]",
        "**Bob Summerwill:**",
        "**Break:**",
        "__Ann__:",
        "Ann:",
        '<h3 id="intro">',
        "</h3>",
        "<h2>",
        "</h2>",
        "## ",
        "### ",
        "# ",
        "## Transcript\n",
        "{#slug}",
        "{% include x.html\n",
        "%}",
        "{{ page.x }}",
        "<!--",
        "-->",
        "<audio controls>",
        "</audio>",
        "*(",
        ")*",
        "<span>",
        "&amp;",
        "---\n",
        "table_of_contents:\n",
        '  - link: "#intro"\n',
        '    title: "Intro"\n',
        "  - link: https://youtu.be/x?t=1h2m3s\n",
        "    time: 00:10\n",
        "> ",
        "- ",
        "\n",
        "\n\n",
        " ",
        "words and more words",
    ]
)
_MD_TEXTS = st.lists(st.one_of(_MD_PIECES, st.text(max_size=6)), max_size=50).map("".join)


@pytest.mark.parametrize("fmt", ["md", "srt", None])
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_MD_TEXTS)
def test_markdown_shapes_never_crash(fmt: str | None, text: str) -> None:
    if fmt == "srt":  # the same pieces as cue text, to reach the speaker-prefix path
        text = "".join(
            f"{i}\n00:00:{i:02},000 --> 00:00:{i:02},500\n{line}\n\n"
            for i, line in enumerate(text.split("\n")[:50])
        )
    try:
        result = parse_transcript(text, fmt)
    except TranscriptFormatError:
        return
    assert result.segments
    for segment in result.segments:
        assert 0 <= segment.start <= segment.end
        assert segment.text and segment.text == " ".join(segment.text.split())
    assert all(c.title and c.start >= 0 for c in result.chapters)
    assert sniff_format(text) in ("srt", "vtt", "json", "txt", "md")
