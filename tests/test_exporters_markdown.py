"""Markdown export: front matter, insight sections, notes, transcript paragraphs, escaping."""

from __future__ import annotations

import html
import itertools
import re
from pathlib import Path

import pytest
import yaml

from desktop.core.exporters import render
from desktop.core.exporters.markdown import (
    EXTRACTIVE_LINE,
    HARD_PARAGRAPH_WORDS,
    escape_block,
    escape_inline,
)
from desktop.core.insights.payload import Insights, KeyInsight, QuestionAnswer, Takeaway
from desktop.core.model import (
    Chapter,
    Episode,
    EpisodeDocument,
    EpisodeSource,
    EpisodeStatus,
    Note,
    Segment,
)

# --- a realistic document -------------------------------------------------------------------

_LINES = [
    ("Ana", "Welcome back to Slow Signals, the show about the tools we use every day."),
    ("Ana", "I'm Ana, and today I'm talking to Ben about local-first software."),
    ("Ben", "Thanks for having me. It's a topic I've been obsessed with for years."),
    ("Ana", "Let's start simple. What does local-first actually mean?"),
    ("Ben", "The short version: your data lives on your machine first."),
    ("Ben", "The cloud becomes a helper for sync and backup, not the owner of your files."),
    ("Ben", "If the company goes away tomorrow, your notes and documents still open."),
    ("Ana", "That sounds obvious, but most apps don't work that way."),
    ("Ben", "Right. We got used to renting access to our own work."),
    ("Ben", "Every keystroke goes through a server somewhere, usually far away."),
    ("Ana", "And that has a cost you can feel, doesn't it?"),
    ("Ben", "Latency, mostly. A local app answers in a few milliseconds."),
    ("Ben", "A network round trip can take hundreds, and far more on a train."),
    ("Ana", "So speed is the first argument. What's the second?"),
    ("Ben", "Ownership. You can back it up, grep it, script it, move it."),
    ("Ben", "Plain files outlive the apps that made them."),
    ("Ana", "Let's talk about the hard part, though: sync."),
    ("Ben", "Sync is where local-first gets genuinely difficult."),
    ("Ben", "Two devices edit the same note offline, and then they meet again."),
    ("Ben", "You need a way to merge those edits without losing anything."),
    ("Ana", "That's where CRDTs come in?"),
    ("Ben", "Yes. Conflict-free replicated data types merge automatically."),
    ("Ben", "They're not magic, and they cost memory, but they make merging predictable."),
    ("Ana", "Is that overkill for a personal app?"),
    ("Ben", "Often, yes. If one person uses it, last-writer-wins is usually fine."),
    ("Ben", "Start with plain files and a clear export. Add CRDTs when you need them."),
    ("Ana", "What about privacy? That seems like a big selling point."),
    ("Ben", "It is. Data that never leaves your laptop can't leak from a server."),
    ("Ben", "Things like transcription can run locally now, even on modest hardware."),
    ("Ana", "Which is exactly what we're doing with this episode, funnily enough."),
    ("Ben", "Ha, that's the dream: record, transcribe and search, all offline."),
    ("Ana", "Any advice for someone building their first local-first app?"),
    ("Ben", "Pick a file format you'd be happy to read in ten years."),
    ("Ben", "Make export a first-class feature, not an afterthought."),
    ("Ben", "And test what happens when the disk is full or the power goes out."),
    ("Ana", "Atomic writes, in other words."),
    ("Ben", "Exactly. Write to a temp file, sync it, then rename it into place."),
    ("Ana", "Ben, this was great. Where can people find you?"),
    ("Ben", "I write at slowsignals.example, and I'm always happy to get email."),
    ("Ana", "Thanks for listening, everyone. See you next week."),
]


def realistic_doc() -> EpisodeDocument:
    segments = []
    t = 0.0
    for i, (who, text) in enumerate(_LINES):
        length = 2.0 + len(text) / 14
        segments.append(Segment(round(t, 2), round(t + length, 2), text, who))
        t += length + (9.0 if i == 15 else 0.4)
    episode = Episode(
        id=12,
        title="Local-first: Why your data should live with you",
        status=EpisodeStatus.DONE,
        source=EpisodeSource.TRANSCRIBED,
        created="2024-06-03T18:22:05Z",
        updated="2024-06-03T18:31:40Z",
        media_path="/home/ana/Podcasts/slow-signals-012.mp3",
        media_sha256="0f" * 32,
        duration=round(t, 2),
        language="en",
        engine="faster-whisper",
        model="tiny.en",
        segment_count=len(segments),
    )
    chapters = [Chapter(0.0, "Why local-first?"), Chapter(segments[16].start, "Sync & privacy")]
    notes = [
        Note(1, 12, "Good definition of local-first — quote it in the newsletter.",
             "2024-06-04T08:00:00Z", segment_idx=4),
        Note(2, 12, "Look up CRDT libraries [automerge, yjs]", "2024-06-04T08:02:00Z",
             time=segments[21].start + 1.2),
    ]  # fmt: skip
    insights = Insights(
        tldr="Local-first apps keep your data on your own machine and treat the cloud as a "
        "helper; sync is the hard part, and plain files plus a good export go a long way.",
        summary="Ana and Ben define local-first software and argue for it on speed, ownership "
        "and privacy.\n\nThey then look at sync: CRDTs make merging predictable, but "
        "last-writer-wins is often enough for a personal app.",
        engine="extractive",
        created="2024-06-03T18:35:00Z",
        key_insights=[
            KeyInsight(
                "🏠",
                "Data lives with you",
                segments[4].text + " " + segments[5].text,
                segments[4].start,
            ),
            KeyInsight("⚡", "Local is fast", segments[11].text, segments[11].start),
            KeyInsight("🔀", "Sync is the hard part", segments[17].text, segments[17].start),
        ],
        qa=[
            QuestionAnswer(segments[3].text, segments[4].text, segments[3].start),
            QuestionAnswer(segments[23].text, segments[24].text, segments[23].start),
            QuestionAnswer(segments[31].text, segments[32].text, segments[31].start),
        ],
        takeaways=[
            Takeaway(segments[32].text, segments[32].start),
            Takeaway(segments[33].text, segments[33].start),
            Takeaway(segments[36].text, segments[36].start),
        ],
    )
    return EpisodeDocument(episode, segments, chapters, notes, insights)


def front_matter(md: str) -> dict:
    assert md.startswith("---\n")
    end = md.index("\n---\n", 4)
    return yaml.safe_load(md[4:end])


def paragraph_lines(md: str) -> list[str]:
    """Non-empty lines of the transcript section."""
    body = md.split("## Transcript\n", 1)[1]
    return [line for line in body.split("\n") if line]


# --- structure ------------------------------------------------------------------------------


def test_front_matter_is_yaml() -> None:
    doc = realistic_doc()
    doc.episode.source_path = "/imports/x.srt"
    meta = front_matter(render(doc, "md"))
    assert meta == {
        "title": doc.episode.title,
        "media": "/home/ana/Podcasts/slow-signals-012.mp3",
        "duration": "00:04:31",
        "source": "transcribed",
        "transcript_file": "/imports/x.srt",
        "language": "en",
        "engine": "faster-whisper",
        "model": "tiny.en",
        "created": "2024-06-03T18:22:05Z",
        "tags": ["earmark"],
    }


def test_front_matter_omits_missing_values() -> None:
    doc = realistic_doc()
    doc.episode.media_path = None
    doc.episode.engine = doc.episode.model = doc.episode.language = None
    doc.episode.duration = None
    doc.episode.source = EpisodeSource.IMPORTED
    meta = front_matter(render(doc, "md"))
    assert set(meta) == {"title", "duration", "source", "created", "tags"}
    assert meta["source"] == "imported"
    assert meta["duration"] == "00:04:31"  # from the last segment


@pytest.mark.parametrize(
    "title",
    [
        'He said "no": a #1 hit',
        "key: value\n- list\n---\n...",
        "Ünïcödé 🎧 ✨ 日本語",
        "back\\slash and 'quotes' and tab\tend",
        "odd \x85 \u2028 \u2029 \ufeff \x7f \x9b chars",
        "@at `tick` &amp; {brace} [bracket] % !",
        "yes",
        "123",
    ],
)
def test_any_title_is_valid_yaml(title: str) -> None:
    doc = realistic_doc()
    doc.episode.title = title
    doc.episode.media_path = title
    meta = front_matter(render(doc, "md"))
    assert meta["media"] == title  # exact, even with line breaks and odd characters
    assert meta["title"] == " ".join(title.replace("\x7f", "").replace("\x9b", "").split())


def test_sections_in_order() -> None:
    md = render(realistic_doc(), "md")
    headings = [line for line in md.split("\n") if line.startswith("#")]
    assert headings == [
        "# Local-first: Why your data should live with you",
        "## TL;DR",
        "## Key Insights",
        "## Questions & Answers",
        "## Summary",
        "## Key Takeaways",
        "## Notes",
        "## Transcript",
        "### Why local-first?",
        "### Sync & privacy",
    ]
    assert md.endswith(".\n") and not md.endswith("\n\n")


def test_insight_items() -> None:
    md = render(realistic_doc(), "md")
    assert (
        "- ⚡ **Local is fast** — Latency, mostly. A local app answers in a few milliseconds. "
        "[00:01:15]" in md
    )
    assert "**Is that overkill for a personal app?** [00:02:39]\n\nOften, yes." in md
    assert "1. Pick a file format you'd be happy to read in ten years. [00:03:41]\n2. " in md
    assert "\n\nThey then look at sync" in md.split("## Summary")[1]


def test_extractive_provenance_line() -> None:
    md = render(realistic_doc(), "md")
    assert f"*{EXTRACTIVE_LINE}*" in md
    assert "AI-generated" not in md and "Generated by" not in md


def test_other_engine_provenance_line() -> None:
    doc = realistic_doc()
    doc.insights = Insights(tldr="Short.", summary="", engine="ollama", model="llama3.1:8b")
    md = render(doc, "md")
    assert "*Generated by ollama (llama3.1:8b)*" in md
    assert "Extracted" not in md
    doc.insights = Insights(tldr="Short.", summary="", engine="ollama")
    assert "*Generated by ollama*" in render(doc, "md")


def test_empty_sections_omitted() -> None:
    doc = realistic_doc()
    doc.insights = Insights(tldr="Only this.", summary="  ", engine="extractive")
    doc.notes = []
    md = render(doc, "md")
    assert "## TL;DR" in md
    for section in ("Key Insights", "Questions", "Summary", "Takeaways", "Notes"):
        assert f"## {section}" not in md
    doc.insights = Insights(tldr="", summary="", engine="extractive")
    md = render(doc, "md")
    assert "## TL;DR" not in md and EXTRACTIVE_LINE not in md
    doc.insights = None
    assert "## TL;DR" not in render(doc, "md")


def test_notes_with_stamps_in_time_order() -> None:
    doc = realistic_doc()
    doc.notes.append(Note(3, 12, "no time at all", "2024-06-04T09:00:00Z"))
    doc.notes.append(Note(4, 12, "first\n\nsecond paragraph", "2024-06-04T09:00:00Z", time=1.0))
    notes = render(doc, "md").split("## Notes\n\n", 1)[1].split("\n\n## ", 1)[0]
    assert notes.split("\n") == [
        "- [00:00:01] first",
        "",
        "  second paragraph",
        "- [00:00:28] Good definition of local-first — quote it in the newsletter.",
        "- [00:02:26] Look up CRDT libraries \\[automerge, yjs\\]",
        "- no time at all",
    ]


def test_transcript_speaker_turns_and_chapters() -> None:
    doc = realistic_doc()
    lines = paragraph_lines(render(doc, "md"))
    assert lines[0] == "### Why local-first?"
    assert lines[1] == (
        "[00:00:00] **Ana:** Welcome back to Slow Signals, the show about the tools we use "
        "every day. I'm Ana, and today I'm talking to Ben about local-first software."
    )
    assert lines[2].startswith("[00:00:14] **Ben:** Thanks for having me.")
    # Ben's long turn at 16 is split by the chapter: heading exactly before segment 16.
    chapter_at = lines.index("### Sync & privacy")
    assert lines[chapter_at - 1].endswith("Plain files outlive the apps that made them.")
    assert lines[chapter_at + 1] == (
        "[00:01:55] **Ana:** Let's talk about the hard part, though: sync."
    )
    speakers = [re.match(r"\[\d\d:\d\d:\d\d\] \*\*(\w+):\*\*", line) for line in lines]
    labelled = [m.group(1) for m in speakers if m]
    assert all(a != b for a, b in itertools.pairwise(labelled))
    assert len(labelled) == len(lines) - 2


def test_chapter_inside_a_segment_and_after_the_end() -> None:
    doc = realistic_doc()
    doc.chapters = [
        Chapter(doc.segments[2].start + 0.5, "Early in segment 2"),
        Chapter(doc.segments[5].end - 0.1, "Late in segment 5"),
        Chapter(10_000.0, "After the end"),
    ]
    lines = paragraph_lines(render(doc, "md"))
    first = lines.index("### Early in segment 2")
    assert lines[first + 1].startswith("[00:00:14] **Ben:** Thanks for having me.")
    late = lines.index("### Late in segment 5")
    assert lines[late - 1].endswith("not the owner of your files.")
    assert lines[late + 1].startswith("[00:00:42] **Ben:** If the company goes away")
    assert lines[-1] == "### After the end"


def _speakerless(n: int, words_per: int, sentence_every: int) -> EpisodeDocument:
    doc = realistic_doc()
    doc.chapters, doc.notes, doc.insights = [], [], None
    doc.segments = []
    for i in range(n):
        end = "." if i % sentence_every == sentence_every - 1 else ","
        text = " ".join(f"w{i}x{j}" for j in range(words_per)) + end
        doc.segments.append(Segment(i * 5.0, i * 5.0 + 5.0, text))
    return doc


def test_long_speakerless_transcript_splits_at_sentence_ends() -> None:
    doc = _speakerless(n=60, words_per=10, sentence_every=4)  # 600 words
    lines = paragraph_lines(render(doc, "md"))
    assert len(lines) >= 3
    for line in lines:
        assert re.match(r"\[\d\d:\d\d:\d\d\] w\d+x0 ", line)  # no speaker label
        assert "**" not in line
    for line in lines[:-1]:
        assert line.endswith(".")
        assert 150 <= len(line.split()) - 1 <= HARD_PARAGRAPH_WORDS + 10
    # stamp is the first segment's start
    second_first = int(re.match(r"\[\d\d:\d\d:\d\d\] w(\d+)x0", lines[1]).group(1))
    assert lines[1].startswith(f"[00:{second_first * 5 // 60:02d}:{second_first * 5 % 60:02d}]")


def test_long_transcript_without_sentence_ends_splits_hard() -> None:
    doc = _speakerless(n=60, words_per=10, sentence_every=1000)
    lines = paragraph_lines(render(doc, "md"))
    assert len(lines) == 3  # 250 + 250 + 100 words
    assert [len(line.split()) - 1 for line in lines] == [250, 250, 100]


def test_long_turn_of_one_speaker_splits_and_keeps_label() -> None:
    doc = _speakerless(n=40, words_per=10, sentence_every=2)
    for seg in doc.segments:
        seg.speaker = "Speaker 1"
    lines = paragraph_lines(render(doc, "md"))
    assert len(lines) > 1
    assert all(" **Speaker 1:** " in line for line in lines)


# --- escaping -------------------------------------------------------------------------------


HOSTILE = [
    "<script>alert(1)</script>",
    "**bold** and _em_ and `code`",
    "[x](y) and ![img](src) and [[wikilink]]",
    "# not a heading",
    "- not a list",
    "1. not a list",
    "> not a quote",
    "back\\slash \\* star",
    "~~strike~~ ==mark== %%hidden%% $x^2$ &copy; #tag",
    "end with a block ref ^abc123",
]


def test_hostile_transcript_renders_literally() -> None:
    doc = realistic_doc()
    doc.chapters, doc.notes, doc.insights = [], [], None
    doc.segments = [Segment(float(i), i + 1.0, text, f"S{i % 2}") for i, text in enumerate(HOSTILE)]
    lines = paragraph_lines(render(doc, "md"))
    assert lines[0] == r"[00:00:00] **S0:** \<script\>alert(1)\</script\>"
    assert lines[1] == r"[00:00:01] **S1:** \*\*bold\*\* and \_em\_ and \`code\`"
    assert lines[2] == r"[00:00:02] **S0:** \[x\](y) and !\[img\](src) and \[\[wikilink\]\]"
    assert lines[3] == r"[00:00:03] **S1:** \# not a heading"
    assert lines[7] == r"[00:00:07] **S1:** back\\slash \\\* star"
    assert lines[8] == (
        r"[00:00:08] **S0:** \~\~strike\~\~ \=\=mark\=\= \%\%hidden\%\% \$x^2\$ \&copy; \#tag"
    )
    assert lines[9] == r"[00:00:09] **S1:** end with a block ref \^abc123"


@pytest.mark.parametrize("text", HOSTILE)
def test_escapes_undo_to_the_original(text: str) -> None:
    """An importer that removes `\\x` escapes gets the text back."""
    for escaped in (escape_inline(text), escape_block(text)):
        assert re.sub(r"\\(.)", r"\1", escaped) == text
        assert "<" not in escaped.replace("\\<", "")
        assert "&" not in escaped.replace("\\&", "").replace("& ", "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- dash", r"\- dash"),
        ("+ plus", r"\+ plus"),
        ("> quote", r"\> quote"),
        ("# hash", r"\# hash"),
        ("12. twelve", r"12\. twelve"),
        ("3) three", r"3\) three"),
        ("=== setext", r"\=\=\= setext"),
        ("--- rule", r"\--- rule"),
        ("plain - text", "plain - text"),
        ("2024 was fine", "2024 was fine"),
    ],
)
def test_line_start_escapes(text: str, expected: str) -> None:
    assert escape_block(text) == expected


def test_hostile_insights_and_notes() -> None:
    doc = realistic_doc()
    doc.insights = Insights(
        tldr="- starts like a list <b>",
        summary="1. numbered\n\n# heading",
        engine="<img src=x onerror=alert(1)>",
        model="**m**",
        key_insights=[KeyInsight("-", "*T*", "[x](y)", 1.0)],
        qa=[QuestionAnswer("**Q**?", "> A", 2.0)],
        takeaways=[Takeaway("- nested?", 3.0)],
    )
    doc.notes = [Note(9, 12, "# note <i>", "2024-01-01", time=4.0)]
    md = render(doc, "md")
    assert r"\- starts like a list \<b\>" in md
    assert "\n1\\. numbered\n\n\\# heading\n" in md
    assert r"*Generated by \<img src=x onerror=alert(1)\> (\*\*m\*\*)*" in md
    assert r"- \- **\*T\*** — \[x\](y) [00:00:01]" in md
    assert "**\\*\\*Q\\*\\*?** [00:00:02]\n\n\\> A" in md
    assert r"1. \- nested? [00:00:03]" in md
    assert r"- [00:00:04] \# note \<i\>" in md
    body = md.split("---\n", 2)[2]
    assert "<" not in body.replace("\\<", "")


def test_hostile_text_renders_literally_in_a_commonmark_renderer() -> None:
    """Render with markdown-it (present in the venv through rich) and compare the text."""
    markdown_it = pytest.importorskip("markdown_it")
    doc = realistic_doc()
    doc.chapters = []
    doc.segments = [Segment(float(i), i + 1.0, t, None) for i, t in enumerate(HOSTILE)]
    doc.notes = [Note(i, 12, t, "2024-01-01", time=1.0) for i, t in enumerate(HOSTILE)]
    doc.insights = Insights(
        tldr=HOSTILE[4],
        summary=HOSTILE[5],
        engine="x",
        key_insights=[KeyInsight("", "", t, 1.0) for t in HOSTILE],
        takeaways=[Takeaway(t, 1.0) for t in HOSTILE],
    )
    body = render(doc, "md").split("---\n", 2)[2]
    rendered = markdown_it.MarkdownIt("commonmark").enable("strikethrough").render(body)
    for text in HOSTILE:
        # each text appears, HTML-escaped, in the tl;dr/summary, an item and a note
        assert rendered.count(html.escape(text, quote=False)) >= 3, text
    assert "<script>" not in rendered and "<strong>" not in rendered.split("<h2>Transcript")[1]
    assert "<a " not in rendered and "<code>" not in rendered and "<s>" not in rendered
    assert rendered.count("<h1>") == 1 and "<blockquote>" not in rendered


def test_multiline_segment_text_stays_on_one_line() -> None:
    doc = realistic_doc()
    doc.chapters, doc.notes, doc.insights = [], [], None
    doc.segments = [Segment(0.0, 1.0, "line one\n# line two\r\n\n- three", "A")]
    assert paragraph_lines(render(doc, "md")) == [r"[00:00:00] **A:** line one \# line two - three"]


def test_write_sample(tmp_path: Path) -> None:
    """The realistic sample renders and writes (also handy to read by eye)."""
    from desktop.core.exporters import export_episode

    out = export_episode(realistic_doc(), "md", tmp_path)
    assert out.name == "Local-first Why your data should live with you.md"
    assert out.read_text(encoding="utf-8") == render(realistic_doc(), "md")


if __name__ == "__main__":  # write /tmp/export_sample.md to read by eye
    Path("/tmp/export_sample.md").write_text(render(realistic_doc(), "md"), encoding="utf-8")


def test_a_summary_of_timed_lines_is_a_list_and_quotes_follow_their_items() -> None:
    doc = realistic_doc()
    doc.insights = Insights.from_dict(
        {
            "tldr": "Ana and Ben talk about local-first software.",
            "summary": (
                "[00:00] Speed — A local app answers at once.\n[02:39] Sync — Merging later."
            ),
            "engine": "local",
            "model": "qwen2.5-1.5b-instruct-q4_k_m.gguf",
            "key_insights": [
                {
                    "emoji": "⚡",
                    "title": "Speed",
                    "text": "Local apps answer in milliseconds.",
                    "start": 75.0,
                    "quote": "A local app answers in a few milliseconds",
                }
            ],
            "takeaways": [{"text": "Keep files.", "start": 221.0, "quote": "pick a file format"}],
        }
    )
    md = render(doc, "md")
    summary = md.split("## Summary\n\n")[1].split("\n\n")[0]
    assert summary == (
        "- \\[00:00\\] Speed — A local app answers at once.\n- \\[02:39\\] Sync — Merging later."
    )
    assert "on this computer; every item quotes the transcript*" in md
    assert "[00:01:15]\n  > “A local app answers in a few milliseconds”" in md
    assert "[00:03:41]\n  > “pick a file format”" in md
