"""Turning a clip's timed words into readable, sentence-sized segments.

Whisper transcribes each clip as one run of text with word timings; a transcript view
wants sentences. Cuts fall after sentence-ending punctuation or in a pause, and a long
unpunctuated run is cut at a comma or, at the limit, anywhere. What is still a run of 15
words or more without a sentence mark is then cut at its longest pauses
(`split_long_runs`), never by adding a mark Whisper did not write.
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


LONG_RUN_WORDS = 15  # a segment this long with no sentence end reads as a wall of text
MIN_PIECE_WORDS = 4  # a cut leaves at least this many words on each side
# Words that open a clause in speech. Inside a run the pauses are often a few hundredths
# of a second, so the longest one can fall mid-phrase ("believe | it or not"); a cut
# before one of these reads as a new sentence, so it counts as this much more pause.
CLAUSE_OPENERS = frozenset(
    ["and", "but", "so", "because", "then", "now", "well", "okay", "yeah", "i"]
)
OPENER_BONUS = 0.25  # seconds


def has_sentence_end(text: str) -> bool:
    """A sentence mark followed by a space, a closing quote or the end ("1.5" is no end)."""
    return any(
        ch in SENTENCE_END and (i + 1 == len(text) or not text[i + 1].isalnum())
        for i, ch in enumerate(text)
    )


def split_long_runs(segments: list[Segment], max_words: int = LONG_RUN_WORDS) -> list[Segment]:
    """Segments of `max_words` or more with no sentence mark, cut at their longest pauses
    between words until each piece is shorter.

    Whisper decoding a clip without context sometimes writes a minute of speech with no
    punctuation; a pause is where the speaker broke off, so a cut there is honest, and no
    punctuation mark is invented. Each new piece starts with a capital, as a line does.
    """
    out: list[Segment] = []
    for segment in segments:
        words = segment.words or []
        if _word_count(words) < max_words or has_sentence_end(segment.text):
            out.append(segment)
            continue
        for i, piece in enumerate(_cut_at_pauses(words, max_words)):
            # The first piece starts as Whisper wrote it, the others as a new line.
            cut = _segment(_capitalised(piece) if i > 0 else piece)
            cut.speaker = segment.speaker
            out.append(cut)
    return out


def _word_count(words: list[Word]) -> int:
    return len("".join(w.text for w in words).split())


def _cut_at_pauses(words: list[Word], max_words: int) -> list[list[Word]]:
    if _word_count(words) < max_words or len(words) < 2 * MIN_PIECE_WORDS:
        return [words]
    # The longest pause (a clause opener after it counting extra) that leaves
    # MIN_PIECE_WORDS on both sides; among equal ones the nearest the middle.
    middle = len(words) / 2

    def score(i: int) -> tuple[float, float]:
        pause = words[i].start - words[i - 1].end
        opener = words[i].text.strip().lower() in CLAUSE_OPENERS
        return round(pause + (OPENER_BONUS if opener else 0.0), 2), -abs(i - middle)

    best = max(range(MIN_PIECE_WORDS, len(words) - MIN_PIECE_WORDS + 1), key=score)
    return _cut_at_pauses(words[:best], max_words) + _cut_at_pauses(words[best:], max_words)


def _capitalised(words: list[Word]) -> list[Word]:
    first, rest = words[0], words[1:]
    stripped = first.text.lstrip()
    # Only a plain lower-case word: "iPhone" and "eBay" keep their spelling.
    if not (stripped[:1].islower() and stripped.islower()):
        return words
    text = first.text[: len(first.text) - len(stripped)] + stripped[0].upper() + stripped[1:]
    return [Word(first.start, first.end, text, first.probability), *rest]
