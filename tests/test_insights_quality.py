"""What a reader asks of insights, as properties of the payload on real transcripts.

The rules live in tests/insight_rules.py (bench/insights_quality.py counts the same faults
on the full corpus). Each test here fails on nonsense: titles replaced by "Point N", a
lorem ipsum TL;DR, an answer that runs into the host's next line, a doubtful word.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from functools import cache

import pytest

from desktop.core.importers import load_transcript
from desktop.core.insights.engine import InsightInput
from desktop.core.insights.extractive import ExtractiveEngine
from desktop.core.insights.payload import Insights, KeyInsight, QuestionAnswer
from desktop.core.model import Chapter, Segment
from tests import insight_rules as rules
from tests.conftest import DATA, SAMPLE_VTT

INSIGHTS = DATA / "insights"
CASES = {
    "lecture captions (vtt)": DATA / "importers" / "9EN_HoEk3KY.vtt",
    "scripted interview (vtt)": SAMPLE_VTT,
    "interview with chapters (md)": INSIGHTS / "early-days-of-ethereum-ep010-excerpt.md",
    "Earmark's own transcription (json)": INSIGHTS / "nasa-hwhap414-tiny-en.json",
}


Case = tuple[str, list[Segment], list[Chapter], Insights]


@cache
def generated(name: str, chapters: bool = True) -> Case:
    """The payload for a case, under the episode's own title (the file's, else its name,
    as an import gives it); with `chapters=False` as if the transcript had none (Earmark's
    own transcriptions never do)."""
    transcript = load_transcript(CASES[name])
    shown = transcript.chapters if chapters else []
    source = InsightInput(title_of(name), transcript.segments, shown)
    insights = ExtractiveEngine().generate(source)
    return name, transcript.segments, shown, insights


@cache
def title_of(name: str) -> str:
    return load_transcript(CASES[name]).title or CASES[name].stem


@pytest.fixture(params=list(CASES))
def case(request: pytest.FixtureRequest) -> Case:
    return generated(request.param)


def names_in(segments: list[Segment]) -> set[str]:
    return rules.speaker_names(segments) | rules.addressed_names(segments)


def spoken(segments: list[Segment]) -> list[str]:
    return rules.words(" ".join(s.text for s in segments))


def said_in_the_transcript(sentence: str, transcript: list[str]) -> bool:
    return rules.said_in(rules.words(sentence), transcript)


# --- titles ----------------------------------------------------------------------------


def title_faults(insights: Insights, segments: list[Segment]) -> list[str]:
    names = names_in(segments)
    episode = rules.EpisodeWords.of(segments)
    faults = []
    for item in insights.key_insights:
        problem = rules.title_problem(item.title, item.text, names, episode)
        if problem:
            faults.append(f"{item.title!r}: {problem}")
    titles = [k.title.lower() for k in insights.key_insights]
    faults += [f"{t!r} twice" for t in set(titles) if titles.count(t) > 1]
    return faults


def test_titles_are_distinct_names_of_things_the_episode_says(case) -> None:
    _, segments, _, insights = case
    assert title_faults(insights, segments) == []


def test_titles_hold_without_chapters() -> None:
    """Earmark's own transcriptions have no chapters: the interview's titles, without its
    chapters, still name things."""
    _, segments, _, insights = generated("interview with chapters (md)", chapters=False)
    assert title_faults(insights, segments) == []


# Titles a user reported (a 97-minute interview and the NASA sample), each in a sentence
# like the one it came from: a lone adjective, a lone verb, a lone everyday noun, a
# sentence's opening words, a phrase cut before its noun.
BAD_TITLES = {
    "Impactful": "It was the most impactful thing I have done in my career.",
    "Fortunate": "I was fortunate to join the team when it was still small.",
    "Growing": "It's interesting, when I was growing up I didn't know what I wanted to be.",
    "Trajectory": "The trajectory of the whole field changed after that paper.",
    "Depth Means": "Depth means that you can compute far more complicated functions.",
    "NLP and Use Convolutional": "We looked at NLP and use convolutional networks for it.",
    "Moved to Virginia": "My family moved to Virginia while I was still in high school.",
    "My Family": "My family moved to Virginia while I was still in high school.",
}
GOOD_TITLES = {
    "Hessian-free Optimizer": "We trained it with the Hessian-free optimizer for weeks.",
    "Double Descent": "Double descent shows up when the model gets bigger than the data.",
    "Staged Release of GPT-2": "The staged release of GPT-2 was meant to buy time.",
    "Swarm": "Swarm was meant to store the data of the apps on the network.",
    "Polymers": "The polymers came back from space and the polymers were tested again.",
}


def test_the_rules_reject_titles_that_name_nothing() -> None:
    transcript = [Segment(float(i), i + 1.0, t) for i, t in enumerate(BAD_TITLES.values())]
    episode = rules.EpisodeWords.of(transcript)
    for title, text in BAD_TITLES.items():
        assert rules.title_problem(title, text, set(), episode), title


def test_the_rules_accept_titles_that_name_a_thing() -> None:
    sentences = [*GOOD_TITLES.values(), "Later the Swarm team met in Berlin."]
    transcript = [Segment(float(i), i + 1.0, t) for i, t in enumerate(sentences)]
    episode = rules.EpisodeWords.of(transcript)
    for title, text in GOOD_TITLES.items():
        assert rules.title_problem(title, text, set(), episode) is None, title


# --- the spotlight ---------------------------------------------------------------------


def spotlight_faults(insights: Insights, segments: list[Segment]) -> list[str]:
    punctuated = rules.is_punctuated(segments)
    transcript = spoken(segments)
    faults = []
    for section, sentence in rules.spotlight_sentences(insights):
        problem = rules.fragment_problem(sentence, punctuated)
        if problem is None and not said_in_the_transcript(sentence, transcript):
            problem = "not said in the transcript"
        if problem:
            faults.append(f"{section}: {sentence[:60]!r} ({problem})")
    return faults


def test_the_spotlight_holds_complete_sentences_of_the_transcript(case) -> None:
    """TL;DR, Key Insights, Summary, Takeaways and answers: no fragment, backchannel,
    stage direction, question or sponsor read, and nothing the transcript does not say."""
    _, segments, _, insights = case
    assert spotlight_faults(insights, segments) == []


def test_the_tldr_says_who_talks_about_what(case) -> None:
    """Written, not picked: the speakers' names (or the title), three themes or more the
    transcript says, no word it does not; and no sentence shown twice elsewhere."""
    name, segments, chapters, insights = case
    assert rules.tldr_problem(insights.tldr, segments, title_of(name), chapters) is None
    assert rules.repeated_sentences(insights) == []


def test_the_tldr_of_the_nasa_sample_names_the_show_and_three_themes() -> None:
    """The issue's done-when, on Earmark's own transcription (no speakers, no chapters)."""
    name = "Earmark's own transcription (json)"
    _, segments, _, insights = generated(name)
    said = rules.words(" ".join(s.text for s in segments))
    assert "Science in Space" in insights.tldr
    themes = rules.tldr_themes(insights.tldr, said, set(rules.words(title_of(name))))
    assert len(themes) >= 3, insights.tldr


def test_the_tldr_holds_without_chapters() -> None:
    name = "interview with chapters (md)"
    _, segments, _, insights = generated(name, chapters=False)
    assert rules.tldr_problem(insights.tldr, segments, title_of(name)) is None
    assert insights.tldr.startswith("Bob Summerwill talks with Viktor Trón about ")


def test_the_summary_is_one_timed_line_per_section(case) -> None:
    _, segments, chapters, insights = case
    assert rules.summary_problems(insights.summary, segments, chapters) == []
    assert len(rules.summary_lines(insights.summary) or []) >= 3


def test_doubtful_words_stay_out_of_the_insights() -> None:
    """On Earmark's own transcription, no sentence with a word the recogniser doubted."""
    _, segments, _, insights = generated("Earmark's own transcription (json)")
    assert any(w.probability < rules.DOUBTFUL_PROBABILITY for s in segments for w in s.words or [])
    shown = [(k.text, k.start) for k in insights.key_insights]
    shown += [(t.text, t.start) for t in insights.takeaways]
    shown += [(s, -1.0) for s in rules.summary_sentences(insights.summary)]
    shown += [(s, -1.0) for q in insights.qa for s in rules.sentences(q.answer)]
    doubtful = [text for text, start in shown if rules.doubtful_sentence(text, start, segments)]
    assert doubtful == []


def test_emoji_follow_the_keyword_table(case) -> None:
    _, _, _, insights = case
    problems = [rules.emoji_problem(k.emoji, k.title, k.text) for k in insights.key_insights]
    assert [p for p in problems if p] == []


# --- structure -------------------------------------------------------------------------


def test_every_chapter_has_a_key_insight() -> None:
    _, segments, chapters, insights = generated("interview with chapters (md)")
    covered, total = rules.chapter_coverage(insights, chapters, segments[-1].end)
    assert total >= 4
    assert covered == total


def test_questions_are_the_hosts_and_answers_stop_at_the_reply(case) -> None:
    name, segments, _, insights = case
    punctuated = rules.is_punctuated(segments)
    assert insights.qa, name
    for item in insights.qa:
        verdict = rules.judge_question(item.question, item.answer, item.start, segments, punctuated)
        assert not verdict.holds_answer, (item.question, verdict.notes)
        assert not verdict.answer_past_turn, (item.question, verdict.notes)
        assert verdict.asked_by_host, item.question


def test_without_speakers_the_questions_are_the_interviewers() -> None:
    """Earmark's own transcription has no speakers; its human reference says who asked."""
    segments = load_transcript(CASES["Earmark's own transcription (json)"]).segments
    insights = ExtractiveEngine().generate(InsightInput("Science in Space", segments))
    asked = [q.question for q in insights.qa]
    assert len(asked) >= 3
    for question in asked:  # all three are the host's (Kenna's) in the reference
        assert re.search(r"\byou\b", question, re.IGNORECASE), question
    assert not any(re.match(r"I (went|asked)\b", q) for q in asked)


# --- the rules themselves fail on nonsense ----------------------------------------------


def test_nonsense_fails_the_rules(case) -> None:
    name, segments, chapters, insights = case
    assert insights.key_insights
    points = [replace(k, title=f"Point {n}") for n, k in enumerate(insights.key_insights, 1)]
    assert title_faults(replace(insights, key_insights=points), segments)
    lorem = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor."
    assert rules.tldr_problem(lorem, segments, title_of(name), chapters)
    themeless = insights.tldr.split(" about ")[0] + " about things."
    assert rules.tldr_problem(themeless, segments, title_of(name), chapters)
    summary = f"{insights.summary}\n[00:00] Lorem ipsum — {lorem}"
    assert rules.summary_problems(summary, segments)
    echo = replace(insights, takeaways=[*insights.takeaways, insights.key_insights[0]])
    assert rules.repeated_sentences(echo)
    filler = replace(insights.key_insights[0], title="Kinda", emoji="🐝")
    assert title_faults(replace(insights, key_insights=[filler]), segments)
    if "bee" not in insights.key_insights[0].text.lower():
        assert rules.emoji_problem(filler.emoji, filler.title, filler.text)


def test_quotes_for_insights_fail_the_rules(case) -> None:
    """Negative control: randomly chosen transcript sentences with their first words as
    titles, one as the TL;DR and six as the Summary (what a picking engine gave)."""
    name, segments, chapters, insights = case
    pool = [
        s
        for s in rules.sentences(" ".join(seg.text for seg in segments))
        if len(rules.words(s)) >= 8
    ]
    chosen = random.Random(7).sample(pool, 12)
    opening = [" ".join(s.split()[:2]).strip(",.") for s in chosen[:6]]
    quotes = replace(
        insights,
        tldr=chosen[6],
        summary=" ".join(chosen[7:12]),
        key_insights=[
            replace(k, title=t, text=s)
            for k, t, s in zip(insights.key_insights, opening, chosen, strict=False)
        ],
    )
    assert rules.tldr_problem(quotes.tldr, segments, title_of(name), chapters), quotes.tldr
    assert rules.summary_problems(quotes.summary, segments)
    faults = title_faults(quotes, segments)
    assert len(faults) >= len(quotes.key_insights) // 2, (opening, faults)


def test_a_question_holding_its_answer_or_the_next_turn_fails() -> None:
    segments = load_transcript(SAMPLE_VTT).segments
    asked = next(i for i, s in enumerate(segments) if s.text.endswith("?") and s.speaker)
    question, reply = segments[asked], segments[asked + 1]
    host_again = next(s for s in segments[asked + 2 :] if s.speaker == question.speaker)
    swallowed = rules.judge_question(
        f"{question.text} {reply.text}", reply.text, question.start, segments, True
    )
    assert swallowed.holds_answer
    overrun = rules.judge_question(
        question.text, f"{reply.text} {host_again.text}", question.start, segments, True
    )
    assert overrun.answer_past_turn


# --- edge cases ------------------------------------------------------------------------


def test_a_transcript_without_any_question_has_no_questions() -> None:
    speech = (
        "And so my fellow Americans, ask not what your country can do for you, ask what you "
        "can do for your country. The energy, the faith and the devotion which we bring to "
        "this endeavour will light our country and all who serve it. The glow from that fire "
        "can truly light the world, and we shall pay any price to assure the survival of "
        "liberty."
    )
    segments = [
        Segment(float(i * 5), float(i * 5 + 5), text)
        for i, text in enumerate(re.split(r"(?<=\.)\s+", speech))
    ]
    insights = ExtractiveEngine().generate(InsightInput("Inaugural", segments))
    assert insights.qa == []
    assert insights.tldr


def test_a_transcript_in_another_language_keeps_its_own_sentences() -> None:
    """The TL;DR's templates are English: a German talk gets its own sentences instead."""
    speech = (
        "Die Bienen sammeln im Frühling den Nektar der Obstbäume und bringen ihn in den "
        "Stock. Im Sommer ist die Kolonie am größten, und die Imker ernten den Honig. "
        "Wenn es kalt wird, bilden die Bienen eine Traube und wärmen die Königin. "
        "Die Varroamilbe ist die größte Gefahr für die Völker in Europa. "
        "Viele Imker behandeln ihre Völker deshalb im Spätsommer mit Ameisensäure. "
        "Ohne Behandlung stirbt ein Volk oft schon im zweiten Winter. "
        "Die Bestäubung durch Bienen ist für die Landwirtschaft sehr wichtig. "
        "Ein Drittel unserer Nahrung hängt davon ab, dass Insekten die Blüten bestäuben."
    )
    segments = [
        Segment(float(i * 20), float(i * 20 + 20), text)
        for i, text in enumerate(re.split(r"(?<=\.)\s+", speech))
    ]
    insights = ExtractiveEngine().generate(InsightInput("Bienen im Jahreslauf", segments))
    assert not re.search(r"\b(?:talks|about|conversation)\b", insights.tldr)
    said = rules.words(speech)
    assert all(rules.said_in(rules.words(s), said) for s in rules.sentences(insights.tldr))


def test_names_backchannels_and_stage_directions_never_make_the_spotlight() -> None:
    segments = load_transcript(SAMPLE_VTT).segments
    noisy = []
    for s in segments:
        noisy.append(s)
        if s.speaker == "Daniel":
            noisy.append(Segment(s.end, s.end + 0.5, "Maya: [Laughs] Yeah. Right, right.", "Maya"))
    noisy = [
        replace(s, text=s.text.replace("It's", "(chuckles) It- it's", 1)) if n % 3 else s
        for n, s in enumerate(noisy)
    ]
    insights = ExtractiveEngine().generate(InsightInput("Noisy", noisy))
    assert spotlight_faults(insights, noisy) == []
    assert title_faults(insights, noisy) == []
    shown = " ".join(
        [insights.tldr, insights.summary]
        + [f"{k.title} {k.text}" for k in insights.key_insights]
        + [t.text for t in insights.takeaways]
    )
    assert not re.search(r"laughs|chuckles|\bRight, right\b|\bit- it", shown, re.IGNORECASE)
    assert all(not isinstance(k, KeyInsight) or k.title for k in insights.key_insights)
    assert all(isinstance(q, QuestionAnswer) for q in insights.qa)
