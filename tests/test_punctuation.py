"""Readable segments (issue 16.4): the real engine on the first 103 s of the NASA sample.

Clips decoded with no prompt often come out as long lower-case runs without punctuation
(on this sample, 1:12-1:41: "military or is your family military or no believe it or not
I was literally..."). Given the text stored before the resume point, the engine prompts
each clip with the last words before it; whatever Whisper still leaves unpunctuated is
cut at pauses (segmenting.split_long_runs). A resumed run must prompt, and so transcribe,
each clip exactly as an uninterrupted run did.
"""

from __future__ import annotations

import csv
import subprocess
from dataclasses import dataclass, replace

import numpy as np
import pytest

from desktop.core.media import decode_audio
from desktop.core.model import Segment
from desktop.core.transcribe import TranscribeOptions, load_transcriber
from desktop.core.transcribe.clips import SAMPLE_RATE, Clip
from desktop.core.transcribe.faster_whisper_engine import FasterWhisperTranscriber
from desktop.core.transcribe.prompting import PROMPT_WORDS, prompt_from, tail
from desktop.core.transcribe.segmenting import LONG_RUN_WORDS, has_sentence_end
from tests.conftest import CORPUS, ROOT
from tests.wer import word_error_rate

pytestmark = pytest.mark.timeout(300)

NASA = ROOT / "resources" / "sample" / "nasa-hwhap414-science-in-space.mp3"
EXCERPT_SECONDS = 103.4  # in the silence after "...that's now what I call home" (1:41)
LAST_WORDS = "that's now what I call home."
PROMPTED = TranscribeOptions(previous_text="")  # a new episode: nothing stored before


@dataclass(frozen=True)
class Run:
    batches: list[list[Segment]]  # one per clip, as the engine yields them
    prompts: list[tuple[Clip, str | None]]  # each decoded clip and the prompt it was given

    @property
    def segments(self) -> list[Segment]:
        return [s for batch in self.batches for s in batch]

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)


@pytest.fixture(scope="module")
def engine() -> FasterWhisperTranscriber:
    transcriber = load_transcriber()
    assert isinstance(transcriber, FasterWhisperTranscriber)
    return transcriber


@pytest.fixture(scope="module")
def audio(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    out = tmp_path_factory.mktemp("nasa") / "nasa-excerpt.wav"
    cut = ["-t", f"{EXCERPT_SECONDS}", "-ac", "1", "-ar", "16000", str(out)]
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(NASA), *cut],
        check=True,
        timeout=120,
    )
    return decode_audio(out)


@pytest.fixture(scope="module")
def reference() -> str:
    """The human transcript of the excerpt (refs.tsv: no speaker names)."""
    with (CORPUS / "audio" / "refs.tsv").open(encoding="utf-8") as handle:
        text = dict(csv.reader(handle, delimiter="\t"))["nasa_hwhap414_science_in_space.mp3"]
    return text[: text.index(LAST_WORDS) + len(LAST_WORDS)]


def run(
    engine: FasterWhisperTranscriber,
    audio: np.ndarray,
    options: TranscribeOptions,
    resume_at: float = 0.0,
) -> Run:
    """A whole stream, with the prompt the engine gave each clip."""
    prompts: list[tuple[Clip, str | None]] = []
    decode = engine._decode_clip

    def spy(
        audio: np.ndarray,
        clip: Clip,
        language: str | None,
        options: TranscribeOptions,
        prompt: str | None,
    ) -> list[Segment]:
        prompts.append((clip, prompt))
        return decode(audio, clip, language, options, prompt)

    engine._decode_clip = spy  # type: ignore[method-assign]
    try:
        batches = list(engine.stream(audio, options, resume_at).batches)
    finally:
        del engine._decode_clip  # the class's own again
    return Run(batches, prompts)


@pytest.fixture(scope="module")
def prompted(engine: FasterWhisperTranscriber, audio: np.ndarray) -> Run:
    return run(engine, audio, PROMPTED)


@pytest.fixture(scope="module")
def independent(engine: FasterWhisperTranscriber, audio: np.ndarray) -> Run:
    """Clips without a prompt: the engine before issue 16.4, and a caller that passes no
    previous text."""
    return run(engine, audio, TranscribeOptions())


def unpunctuated(segments: list[Segment]) -> list[str]:
    return [
        s.text
        for s in segments
        if len(s.text.split()) >= LONG_RUN_WORDS and not has_sentence_end(s.text)
    ]


@pytest.mark.parametrize("which", ["prompted", "independent"])
def test_no_segment_of_15_words_or_more_lacks_a_sentence_mark(
    request: pytest.FixtureRequest, which: str
) -> None:
    result: Run = request.getfixturevalue(which)
    for segment in result.segments:
        print(f"{int(segment.start // 60)}:{segment.start % 60:05.2f}  {segment.text}")
    assert len(result.batches) >= 4
    assert unpunctuated(result.segments) == []


def test_the_prompt_costs_no_words(prompted: Run, independent: Run, reference: str) -> None:
    """Measured on this excerpt with tiny.en: 6.2% with the prompt, 10.2% without."""
    wer = word_error_rate(reference, prompted.text)
    without = word_error_rate(reference, independent.text)
    print(f"WER prompted {wer:.1%}, independent {without:.1%}")
    assert wer <= max(without, 0.10)
    # The passage that came out as one lower-case run is written in sentences now.
    passage = next(s for s in prompted.segments if "believe it or not" in s.text)
    assert has_sentence_end(passage.text), passage.text


def test_each_clip_is_prompted_with_the_words_before_it(prompted: Run) -> None:
    prompts = [prompt for _, prompt in prompted.prompts]
    assert prompts[0] is None  # nothing before the first clip
    before = ""
    for batch, prompt in zip(prompted.batches, prompts, strict=False):
        assert prompt == (tail(before) or None)
        before = " ".join([before, *(s.text for s in batch)])


@pytest.mark.parametrize("stored_clips", [1, 3])
def test_a_resumed_run_prompts_and_transcribes_each_clip_as_an_uninterrupted_one(
    engine: FasterWhisperTranscriber, audio: np.ndarray, prompted: Run, stored_clips: int
) -> None:
    """What the service passes on resume: the stored text, and the end of its last
    segment. The first clip decoded after a resume gets the uninterrupted run's prompt,
    so the rest of the episode comes out the same (3: the clip with the run at 1:12)."""
    stored = prompted.batches[:stored_clips]
    stored_text = " ".join(s.text for batch in stored for s in batch)
    resumed = run(engine, audio, replace(PROMPTED, previous_text=stored_text), stored[-1][-1].end)
    assert resumed.prompts == prompted.prompts[stored_clips:]
    assert resumed.prompts[0][1] is not None  # a prompt from stored text, not none at all
    assert resumed.batches == prompted.batches[stored_clips:]


def test_the_prompt_is_the_tail_of_the_text_and_never_a_loop() -> None:
    text = " ".join(f"Word{i}." for i in range(300))
    assert tail(text).split() == text.split()[-PROMPT_WORDS:]
    # Whatever the clip boundaries, the same words before a clip give the same prompt.
    assert tail(tail(text[:1000]) + " " + text[1000:]) == tail(text)
    assert prompt_from("") is None
    assert prompt_from("So it was incredibly organic. The whole process, I graduated.")
    assert prompt_from(tail("Thank you. " * 100)) is None  # a decoding gone into a loop


def test_without_previous_text_clips_get_only_the_fixed_prompt(
    independent: Run, engine: FasterWhisperTranscriber, audio: np.ndarray
) -> None:
    assert {prompt for _, prompt in independent.prompts} == {None}
    fixed = "Hello, and welcome."
    first = next(iter(engine.plan(audio, TranscribeOptions())))
    piece = audio[: round(first.end * SAMPLE_RATE)]  # the first clip is enough
    calls = run(engine, piece, TranscribeOptions(prompt=fixed))
    assert {prompt for _, prompt in calls.prompts} == {fixed}
