"""Local transcription with the real embedded model on real and synthesised speech."""

from __future__ import annotations

import csv
import os
import shutil
from itertools import pairwise
from pathlib import Path

import pytest

from desktop.core.errors import EarmarkError, ModelError
from desktop.core.media import decode_audio, probe_media
from desktop.core.model import EpisodeStatus
from desktop.core.store import Library
from desktop.core.transcribe import TranscribeOptions, Transcriber, load_transcriber, resolve_model
from desktop.services.transcription import CancelToken, Progress, transcribe_media
from tests import media_fixtures as media
from tests.wer import word_error_rate

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def engine() -> Transcriber:
    return load_transcriber()


@pytest.fixture(scope="module")
def cache(pytestconfig: pytest.Config) -> Path:
    return pytestconfig.cache.mkdir("earmark-media")


@pytest.fixture(scope="module")
def interview(cache: Path) -> Path:
    return media.interview(cache)


@pytest.fixture(scope="module")
def reference(cache: Path) -> str:
    return " ".join(str(t["text"]) for t in media.interview_turns(cache))


def refs() -> dict[str, str]:
    with (media.AUDIO_DATA / "refs.tsv").open(encoding="utf-8") as handle:
        return {row[0]: row[1] for row in csv.reader(handle, delimiter="\t")}


def never_load() -> Transcriber:
    raise AssertionError("the model must not be loaded for this file")


def transcript_text(library: Library, episode_id: int) -> str:
    return " ".join(s.text for s in library.segments(episode_id))


@pytest.mark.parametrize(
    ("name", "limit"), [("jfk.flac", 0.10), ("joinly_OSR_us_000_0034_8k.wav", 0.25)]
)
def test_word_error_rate_of_the_embedded_model(
    library: Library, engine: Transcriber, name: str, limit: float
) -> None:
    result = transcribe_media(library, media.AUDIO_DATA / name, lambda: engine)
    hypothesis = transcript_text(library, result.episode.id)
    wer = word_error_rate(refs()[name], hypothesis)
    print(f"WER {name}: {wer:.1%} ({hypothesis!r})")
    assert wer <= limit
    episode = result.episode
    assert (episode.status, episode.language, episode.model) == (
        EpisodeStatus.DONE,
        "en",
        "tiny.en",
    )
    assert episode.engine == "faster-whisper"


def test_segments_carry_word_timings_and_never_overlap(
    engine: Transcriber, interview: Path, reference: str
) -> None:
    whole = media.uninterrupted(interview, engine)  # shared with the resume tests
    segments, seen = whole.segments, whole.progress
    assert len(segments) >= 10
    for before, after in pairwise(segments):
        assert before.end <= after.start
    for segment in segments:
        assert segment.start <= segment.end
        assert segment.words, "word timings are stored"
        assert segment.words[0].start >= segment.start - 0.01
        assert segment.words[-1].end <= segment.end + 0.01
    assert word_error_rate(reference, " ".join(s.text for s in segments)) <= 0.30
    fractions = [p.fraction for p in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any(p.eta is not None and p.speed for p in seen[:-1])
    assert seen[-1].segments == len(segments)
    assert whole.episode.status is EpisodeStatus.DONE


@pytest.mark.parametrize("fmt", ["mp3", "m4a", "ogg", "mp4"])
def test_every_container_decodes_and_transcribes(
    library: Library, engine: Transcriber, cache: Path, interview: Path, reference: str, fmt: str
) -> None:
    path = media.convert(interview, fmt, cache)
    result = transcribe_media(library, path, lambda: engine)
    text = transcript_text(library, result.episode.id)
    assert result.episode.status is EpisodeStatus.DONE
    assert word_error_rate(reference, text) <= 0.35, text


def test_moved_file_opens_the_same_episode(
    library: Library, engine: Transcriber, tmp_path: Path
) -> None:
    original = tmp_path / "jfk.flac"
    shutil.copy(media.JFK, original)
    first = transcribe_media(library, original, lambda: engine)
    moved = tmp_path / "elsewhere" / "renamed.flac"
    moved.parent.mkdir()
    original.rename(moved)
    again = transcribe_media(library, moved, never_load)
    assert again.already_done
    assert again.episode.id == first.episode.id
    assert again.episode.media_path == str(moved.resolve())
    assert library.row_counts()["episodes"] == 1


def test_cancel_keeps_what_was_stored_and_resume_completes_it(
    library: Library, engine: Transcriber, interview: Path
) -> None:
    token = CancelToken()
    stored_at_cancel: list[int] = []

    def cancel_after_two_batches(progress: Progress) -> None:
        if progress.segments >= 2 and not token.cancelled:
            token.cancel()
            stored_at_cancel.append(progress.segments)

    cancelled = transcribe_media(
        library, interview, lambda: engine, on_progress=cancel_after_two_batches, cancel=token
    )
    assert cancelled.cancelled
    assert cancelled.episode.status is EpisodeStatus.TRANSCRIBING
    assert cancelled.episode.segment_count == stored_at_cancel[0]
    partial = library.segments(cancelled.episode.id)

    resumed = transcribe_media(library, interview, lambda: engine)
    assert resumed.resumed_from == partial[-1].end
    assert resumed.episode.status is EpisodeStatus.DONE
    final = library.segments(resumed.episode.id)
    assert final[: len(partial)] == partial
    # Nothing missing, doubled or shifted where it stopped: the same as without a stop.
    assert final == media.uninterrupted(interview, engine).segments


def test_resume_after_a_clip_whose_words_stop_early_stores_nothing_twice(
    library: Library, engine: Transcriber, cache: Path
) -> None:
    """The first clip is speech, silence, then a whisper VAD hears and Whisper leaves
    empty: its words end before its midpoint, and a resume must still skip it."""
    path = media.speech_then_whisper(cache)
    audio = decode_audio(path, probe_media(path))
    first_clip = next(iter(engine.plan(audio, TranscribeOptions())))
    token = CancelToken()

    def cancel_after_the_first_clip(progress: Progress) -> None:
        if progress.segments >= 1:
            token.cancel()

    cancelled = transcribe_media(
        library, path, lambda: engine, on_progress=cancel_after_the_first_clip, cancel=token
    )
    assert cancelled.cancelled
    partial = library.segments(cancelled.episode.id)
    # The case: everything stored comes from the first clip, and ends before its midpoint.
    assert partial and partial[-1].end < first_clip.midpoint < first_clip.end
    resumed = transcribe_media(library, path, lambda: engine)
    assert resumed.episode.status is EpisodeStatus.DONE
    final = library.segments(resumed.episode.id)
    texts = [s.text for s in final]
    assert len(texts) == len(set(texts)), texts  # no sentence stored twice
    assert final[: len(partial)] == partial
    assert final == media.uninterrupted(path, engine).segments


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda cache: media.empty_file(cache), "empty"),
        (lambda cache: media.random_bytes(cache), "not an audio or video file"),
        (lambda cache: media.text_as_wav(cache), "not an audio or video file"),
        (lambda cache: media.video_without_audio(cache), "no audio"),
        (lambda cache: media.truncated_mp3(cache), "truncated"),
    ],
    ids=["zero bytes", "random bytes .mp3", "text .wav", "video without audio", "truncated mp3"],
)
def test_bad_media_is_refused_and_leaves_the_library_alone(
    library: Library, cache: Path, make, reason: str
) -> None:
    path = make(cache)
    before = library.row_counts()
    with pytest.raises(EarmarkError) as info:
        transcribe_media(library, path, never_load)
    assert path.name in str(info.value)
    assert reason in str(info.value)
    assert library.row_counts() == before


def test_a_folder_that_is_not_a_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not found"):
        resolve_model(tmp_path / "nope")
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "config.json").write_text("{}")
    with pytest.raises(ModelError, match=r"missing model\.bin, tokenizer\.json"):
        resolve_model(tmp_path / "half")


def test_a_broken_model_file_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken-model"
    shutil.copytree(resolve_model().path, broken)
    (broken / "model.bin").write_bytes(b"not a model")
    with pytest.raises(ModelError, match="cannot load the model"):
        load_transcriber(str(broken))


def test_a_copied_model_folder_works_like_the_embedded_one(
    library: Library, tmp_path: Path
) -> None:
    folder = tmp_path / "my-whisper-model"
    shutil.copytree(resolve_model().path, folder)
    result = transcribe_media(
        library, media.JFK, lambda: load_transcriber(str(folder)), TranscribeOptions(beam_size=5)
    )
    assert result.episode.model == "my-whisper-model"
    assert "fellow americans" in transcript_text(library, result.episode.id).lower()


def test_the_spoken_sample_loses_no_speech_and_takes_its_title_tag(
    library: Library, engine: Transcriber
) -> None:
    """The batched decoder once skipped this file's first 14 s; the VAD check catches it."""
    from desktop.core.importers import load_transcript
    from tests.conftest import SAMPLE_VTT

    result = transcribe_media(library, SAMPLE_VTT.with_suffix(".mp3"), lambda: engine)
    segments = library.segments(result.episode.id)
    assert result.episode.title == "Field Notes: Why I Went Back to Paper"
    assert segments[0].start < 1.0
    assert "welcome to field notes" in segments[0].text.lower()
    script = " ".join(s.text for s in load_transcript(SAMPLE_VTT).segments)
    wer = word_error_rate(script, transcript_text(library, result.episode.id))
    print(f"WER spoken sample: {wer:.1%}")
    assert wer <= 0.25


def test_a_known_file_is_not_hashed_again_until_it_changes(
    library: Library, engine: Transcriber, tmp_path: Path
) -> None:
    path = tmp_path / "speech.flac"
    shutil.copy(media.JFK, path)
    first = transcribe_media(library, path, lambda: engine)
    stat = path.stat()
    # Same size and modification time, other bytes: the remembered hash is trusted, so the
    # file opens as the same episode without being read.
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF
    path.write_bytes(bytes(data))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    again = transcribe_media(library, path, never_load)
    assert again.already_done and again.episode.id == first.episode.id
    # A new modification time means the file may have changed: it is hashed again, and
    # different bytes are a different episode.
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    fresh = transcribe_media(library, path, lambda: engine)
    assert fresh.episode.id != first.episode.id


def test_bad_media_leaves_no_remembered_hash(library: Library, cache: Path) -> None:
    path = media.truncated_mp3(cache)
    with pytest.raises(EarmarkError):
        transcribe_media(library, path, never_load)
    assert library.conn.execute("SELECT count(*) FROM media_hashes").fetchone()[0] == 0


@pytest.mark.parametrize(("voice", "text"), [
    ("de", "Guten Morgen und herzlich willkommen zu unserem Podcast. Heute sprechen wir über "
           "das Wetter in Berlin und über die Geschichte der deutschen Sprache."),
])  # fmt: skip
def test_tiny_en_on_another_language_warns_naming_the_model(
    library: Library, engine: Transcriber, tmp_path: Path, voice: str, text: str
) -> None:
    """The English-only model cannot detect a language; what it writes for German (words
    it is unsure of: a mean probability of 0.35, the same in every run) gives it away, and
    the user is told once. Italian, Spanish and French are borderline: tiny.en's output
    on them varies between runs (0.22-0.51 for Italian; a loop or not for the others),
    so they are not pinned here."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        pytest.skip("espeak-ng is not installed")
    clip = tmp_path / f"{voice}.wav"
    import subprocess

    subprocess.run([espeak, "-v", voice, "-w", str(clip), text], check=True, timeout=60)
    reports: list[Progress] = []
    transcribe_media(library, clip, lambda: engine, on_progress=reports.append)
    warnings = [r.warning for r in reports if r.warning]
    assert len(warnings) == 1 and "earmark model pull base" in warnings[0]


@pytest.mark.parametrize("name", ["jfk.flac", "joinly_OSR_us_000_0034_8k.wav"])
def test_english_gets_no_language_warning(library: Library, engine: Transcriber, name: str) -> None:
    reports: list[Progress] = []
    transcribe_media(library, media.AUDIO_DATA / name, lambda: engine, on_progress=reports.append)
    assert not [r.warning for r in reports if r.warning]
