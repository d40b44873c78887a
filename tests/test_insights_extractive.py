"""The embedded extractive insight engine on real captions and speaker-labelled interviews."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from desktop.core.importers import load_transcript
from desktop.core.insights.engine import InsightError, InsightInput, ungrounded_items
from desktop.core.insights.extractive import ExtractiveEngine
from desktop.core.insights.extractive.keyphrases import section_keyphrases
from desktop.core.insights.payload import Insights
from desktop.core.model import Segment
from desktop.core.resources import resources_dir
from tests import media_fixtures as media
from tests.conftest import DATA, SAMPLE_VTT

CORPUS = DATA / "importers"


def interview_segments(cache: Path) -> list[Segment]:
    """The espeak-ng interview's script as a speaker-labelled transcript."""
    return [
        Segment(float(t["start"]), float(t["end"]), str(t["text"]), str(t["speaker"]).title())
        for t in media.interview_turns(cache)
    ]


@pytest.fixture(scope="module")
def cache(pytestconfig: pytest.Config) -> Path:
    return pytestconfig.cache.mkdir("earmark-media")


def transcripts(cache: Path) -> dict[str, list[Segment]]:
    return {
        "auto-captions (vtt)": load_transcript(CORPUS / "9EN_HoEk3KY.vtt").segments,
        "speaker paragraphs (txt)": load_transcript(CORPUS / "9EN_HoEk3KY.txt").segments,
        "sample interview": load_transcript(SAMPLE_VTT).segments,
        "espeak interview": interview_segments(cache),
    }


NAMES = ["auto-captions (vtt)", "speaker paragraphs (txt)", "sample interview", "espeak interview"]


@pytest.fixture(scope="module", params=NAMES)
def case(request: pytest.FixtureRequest, cache: Path) -> tuple[str, list[Segment], Insights]:
    segments = transcripts(cache)[request.param]
    return request.param, segments, ExtractiveEngine().generate(InsightInput("Talk", segments))


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def supported(segments: list[Segment], start: float, text: str) -> bool:
    """The text's words are spoken, in order, from a segment starting at `start` on, and the
    first of them in that segment (fillers and stutters may have been removed)."""
    firsts = [i for i, s in enumerate(segments) if s.start == start]
    return any(_spoken_from(segments, first, text) for first in firsts)


def _spoken_from(segments: list[Segment], first: int, text: str) -> bool:
    spoken = words(" ".join(s.text for s in segments[first : first + 40]))
    position = 0
    for word in words(text):
        try:
            position = spoken.index(word, position) + 1
        except ValueError:
            return False
    return spoken.index(words(text)[0]) < len(words(segments[first].text)) + 1


def test_counts_are_within_their_ranges(case) -> None:
    name, _, insights = case
    assert 6 <= len(insights.key_insights) <= 14
    assert len(insights.takeaways) == 3
    lines = insights.summary.splitlines()
    assert 3 <= len(lines) <= 12
    assert all(re.match(r"\[\d\d:\d\d\] \S", line) for line in lines), lines
    assert insights.tldr and len(insights.tldr.split()) <= 90
    if name != "speaker paragraphs (txt)":
        assert 5 <= len(insights.qa) <= 15, name


def test_items_are_distinct(case) -> None:
    _, _, insights = case
    texts = [k.text for k in insights.key_insights]
    assert len(set(texts)) == len(texts)
    titles = [k.title.lower() for k in insights.key_insights]
    assert len(set(titles)) == len(titles)
    questions = [q.question for q in insights.qa]
    assert len(set(questions)) == len(questions)
    assert len({t.text for t in insights.takeaways}) == 3


def test_every_item_points_at_the_segment_that_says_it(case) -> None:
    _, segments, insights = case
    assert ungrounded_items(insights, segments) == []
    for item in insights.key_insights:
        assert supported(segments, item.start, item.text), item
    for item in insights.takeaways:
        assert supported(segments, item.start, item.text), item
    for item in insights.qa:
        assert supported(segments, item.start, item.question), item


def test_insights_spread_over_the_whole_episode(case) -> None:
    _, segments, insights = case
    duration = segments[-1].end
    starts = sorted(k.start for k in insights.key_insights)
    assert starts == [k.start for k in insights.key_insights], "in episode order"
    gaps = [b - a for a, b in zip([0.0, *starts], [*starts, duration], strict=True)]
    assert max(gaps) < 0.35 * duration
    thirds = {min(2, int(3 * t.start / duration)) for t in insights.takeaways}
    assert thirds == {0, 1, 2}


def test_emoji_come_from_the_table(case) -> None:
    _, _, insights = case
    table = json.loads((resources_dir() / "insights" / "emoji.json").read_text(encoding="utf-8"))
    allowed = set(table["keywords"].values()) | {table["default"]}
    assert {k.emoji for k in insights.key_insights} <= allowed


def test_questions_are_the_hosts_and_answers_are_the_guests(cache: Path) -> None:
    segments = interview_segments(cache)
    insights = ExtractiveEngine().generate(InsightInput("Bees", segments))
    guest_text = " ".join(s.text for s in segments if s.speaker == "Guest")
    for item in insights.qa:
        host_segment = next(s for s in segments if s.start == item.start)
        assert host_segment.speaker == "Host"
        assert item.question.endswith("?")
        for sentence in re.split(r"(?<=[.!?])\s+", item.answer):
            assert sentence in guest_text, sentence


def test_same_input_same_output() -> None:
    segments = load_transcript(SAMPLE_VTT).segments
    first = ExtractiveEngine().generate(InsightInput("x", segments))
    second = ExtractiveEngine().generate(InsightInput("x", segments))
    assert replace(first, created=None) == replace(second, created=None)


def test_sponsor_reads_and_fillers_never_reach_the_insights() -> None:
    segments = load_transcript(SAMPLE_VTT).segments
    ad = "This episode is brought to you by Notion, the notes app; use code FIELD for 20% off."
    segments.insert(8, Segment(60.0, 60.5, ad, "Maya"))
    segments[5] = replace(
        segments[5], text="Uh, you know, " + segments[5].text.replace(" ", " um ", 1)
    )
    insights = ExtractiveEngine().generate(InsightInput("x", segments))
    everything = json.dumps(insights.to_dict(), ensure_ascii=False).lower()
    assert "notion" not in everything and "code field" not in everything
    assert not re.search(r"\b(uh|um)\b", everything)
    assert "you know," not in everything


def test_unpunctuated_lower_case_captions_still_give_questions() -> None:
    segments = [
        replace(s, text=re.sub(r"[^\w\s']", "", s.text).lower(), speaker=None)
        for s in load_transcript(SAMPLE_VTT).segments
    ]
    insights = ExtractiveEngine().generate(InsightInput("x", segments))
    # Three minutes without punctuation make 16 runs of caption words, and none is shown
    # twice across TL;DR, Key Insights, Summary and Takeaways: fewer than 6 Key Insights.
    assert 3 <= len(insights.key_insights) <= 14
    assert insights.qa
    assert all(
        re.match(
            r"(so |and )?(what|why|how|when|where|who|do|did|is|are|can)", q.question, re.IGNORECASE
        )
        for q in insights.qa
    )


@pytest.mark.parametrize("texts", [[], ["", "  "], ["Hi.", "Ok."]])
def test_too_little_text_is_a_clear_error(texts: list[str]) -> None:
    segments = [Segment(float(i), i + 1.0, t) for i, t in enumerate(texts)]
    with pytest.raises(InsightError, match="Tiny"):
        ExtractiveEngine().generate(InsightInput("Tiny", segments))


# --- what is written, not picked: keyphrases, the TL;DR, the Summary ------------------


def test_section_keyphrases_name_the_things_a_passage_talks_about() -> None:
    texts = [
        "We trained the network with the Hessian-free optimizer for weeks.",
        "The Hessian-free optimizer was slow, but it worked on deep networks.",
        "Then double descent showed up in the bigger models.",
        "Double descent surprised everyone, and people thought it was a bug.",
        "It was a great time, really, and a lot of fun.",
    ]
    found = section_keyphrases(texts, range(len(texts)), 3)
    assert "Hessian-free optimizer" in found and "double descent" in found
    assert not {"time", "people", "lot", "fun", "great time"} & {f.lower() for f in found}
    assert section_keyphrases(texts, [2, 3], 1) == ["double descent"]


def test_auto_caption_labels_are_no_names() -> None:
    """ "Speaker 3" is no name: the TL;DR of the lecture names no speaker label."""
    segments = load_transcript(CORPUS / "9EN_HoEk3KY.vtt").segments
    insights = ExtractiveEngine().generate(InsightInput("9EN_HoEk3KY", segments))
    assert "Speaker" not in insights.tldr
    assert re.match(r"A (talk|conversation) (by|with) \w+ about ", insights.tldr), insights.tldr


def test_without_speakers_the_guest_comes_from_the_title() -> None:
    excerpt = load_transcript(DATA / "insights" / "early-days-of-ethereum-ep010-excerpt.md")
    segments = [replace(s, speaker=None) for s in excerpt.segments]
    title = "Early Days of Ethereum - Episode 10 - Viktor Trón"
    insights = ExtractiveEngine().generate(InsightInput(title, segments))
    assert insights.tldr.startswith("In “Early Days of Ethereum - Episode 10”, Viktor Trón talks")


def test_the_tldr_says_what_a_named_theme_is_when_the_episode_does() -> None:
    text = (
        "We talked about his new company, ZEIT, which builds products for developers. "
        "We also covered HyperTerm, a terminal emulator written in JavaScript. "
        "HyperTerm runs plugins, and HyperTerm plugins can change every action. "
        "ZEIT also makes Now, and ZEIT wants deployment to be one command. "
        "The plugins for HyperTerm come from npm and reload while you work. "
        "Deployment with ZEIT takes one command and gives you a link. "
        "A terminal emulator draws text, and HyperTerm draws it with the DOM."
    )
    segments = [
        Segment(float(i * 10), float(i * 10 + 10), t, "Adam" if i == 0 else "Guillermo")
        for i, t in enumerate(re.split(r"(?<=\.)\s+", text))
    ]
    insights = ExtractiveEngine().generate(InsightInput("The Changelog 213", segments))
    assert "HyperTerm is a terminal emulator written in JavaScript" in insights.tldr
    assert "ZEIT is his new company" in insights.tldr
