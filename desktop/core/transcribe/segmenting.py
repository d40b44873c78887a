"""Turning a clip's timed words into readable, sentence-sized segments.

Whisper transcribes each clip as one run of text with word timings; a transcript view
wants sentences. Cuts fall after sentence-ending punctuation or in a pause, and a long
unpunctuated run is cut at a comma or, at the limit, anywhere.
"""

from __future__ import annotations

from desktop.core.model import Segment, Word

SENTENCE_END = (".", "?", "!", "…")
CLAUSE_END = (",", ";", ":", "—")
MIN_SECONDS = 1.5  # a sentence shorter than this joins the next one
SOFT_MAX_SECONDS = 12.0  # past this, cut at a clause boundary
HARD_MAX_SECONDS = 20.0  # past this, cut after any word
PAUSE_SECONDS = 1.0


def _ends_with(word: Word, marks: tuple[str, ...]) -> bool:
    return word.text.strip().rstrip("\"')]”’").endswith(marks)


def segments_from_words(words: list[Word]) -> list[Segment]:
    segments: list[Segment] = []
    piece: list[Word] = []
    for i, word in enumerate(words):
        piece.append(word)
        length = word.end - piece[0].start
        following = words[i + 1] if i + 1 < len(words) else None
        pause = following.start - word.end if following else 0.0
        if following is None or (
            (length >= MIN_SECONDS and (_ends_with(word, SENTENCE_END) or pause >= PAUSE_SECONDS))
            or (length >= SOFT_MAX_SECONDS and _ends_with(word, CLAUSE_END))
            or length >= HARD_MAX_SECONDS
        ):
            segments.append(_segment(piece))
            piece = []
    return [s for s in segments if s.text]


def _segment(words: list[Word]) -> Segment:
    text = "".join(w.text for w in words).strip()
    return Segment(words[0].start, words[-1].end, " ".join(text.split()), words=list(words))


def uncovered_speech(
    words: list[Word], speech: tuple[tuple[float, float], ...], min_seconds: float = 1.0
) -> list[tuple[float, float]]:
    """Speech regions of at least `min_seconds` that no word falls in (with 0.5 s slack).

    Whisper decoding a clip without timestamp tokens can skip a whole stretch of speech
    and say nothing about it; VAD says where speech was, so a gap shows.
    """
    middles = [(w.start + w.end) / 2 for w in words]
    return [
        (start, end)
        for start, end in speech
        if end - start >= min_seconds and not any(start - 0.5 <= m <= end + 0.5 for m in middles)
    ]
