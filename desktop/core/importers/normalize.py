"""The clean-up every format shares: whitespace, validation, ordering, long-cue splitting."""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

from desktop.core.errors import TranscriptFormatError
from desktop.core.importers.raw import ParseResult, RawCue
from desktop.core.model import Chapter, Segment, Transcript, Word
from desktop.core.text import clean_line, clean_text

# Readers navigate by segment; a cue longer than this is split so a click lands near the words.
MAX_SEGMENT_SECONDS = 30.0
# Speaking rate used to guess how long the last timestamped paragraph lasts.
WORDS_PER_SECOND = 2.5
# Starts closer than this are not an overlap worth reporting (rounding in the source tools).
_EPSILON = 0.001
_SENTENCE_END_RE = re.compile(r"(?<=[.?!])\s+")
_WORD_GAP_RE = re.compile(r"\s+")


def estimate_duration(text: str) -> float:
    return max(1.0, len(text.split()) / WORDS_PER_SECOND)


def close_open_ends(cues: list[RawCue]) -> None:
    """Give start-only cues (plain text, Markdown) an end: the next start, or a word-count guess.

    "Next" is in time order, so one out-of-order stamp cannot stretch a cue across the file.
    """
    ordered = sorted(range(len(cues)), key=lambda i: cues[i].start)
    for position, index in enumerate(ordered):
        cue = cues[index]
        if cue.end is not None:
            continue
        if position + 1 < len(ordered):
            cue.end = cues[ordered[position + 1]].start
        else:
            cue.end = cue.start + estimate_duration(cue.text)


def normalize(result: ParseResult, fmt: str, path: Path | None) -> Transcript:
    """Turn a parser's raw cues into a validated Transcript, or raise TranscriptFormatError."""
    warnings = list(result.warnings)
    segments: list[Segment] = []
    for cue in result.cues:
        text = clean_line(cue.text)  # also no lone surrogates or control characters
        if not text:
            continue  # nothing left after removing tags: not worth a segment
        start = cue.start
        end = cue.end if cue.end is not None else start + estimate_duration(text)
        if not (math.isfinite(start) and math.isfinite(end)) or start < 0 or end < 0:
            where = f"line {cue.line}: " if cue.line is not None else ""
            warnings.append(f"{where}invalid time {start!r} --> {end!r}, cue skipped")
            if result.first_bad_message is None:
                result.first_bad_line, result.first_bad_message = cue.line, "invalid time"
            continue
        if end < start:
            where = f"line {cue.line}: " if cue.line is not None else ""
            warnings.append(f"{where}cue ends before it starts; end set to its start")
            end = start
        speaker = clean_line(cue.speaker)
        words = _clean_words(cue.words)
        segments.append(Segment(start, end, text, speaker or None, words, cue.edited))
    if not segments:
        if result.first_bad_message is not None:
            raise TranscriptFormatError(
                path,
                f"no usable cues; first problem: {result.first_bad_message}",
                line=result.first_bad_line,
            )
        raise TranscriptFormatError(path, result.empty_message)
    if any(b.start < a.start for a, b in itertools.pairwise(segments)):
        warnings.append("cues were out of order and have been sorted by start time")
        segments.sort(key=lambda s: s.start)  # list.sort is stable: equal starts keep file order
    overlaps = _count_overlaps(segments)
    if overlaps:
        warnings.append(f"{overlaps} cue(s) overlap the cue before them; imported as they are")
    split: list[Segment] = []
    for n, segment in enumerate(segments):
        following = segments[n + 1].start if n + 1 < len(segments) else math.inf
        # A long cue that overlaps the next one has times that cannot be shared out: its
        # pieces would start after the next cue does. It stays whole, in its place.
        split.extend(split_segment(segment) if segment.end <= following else [segment])
    for segment in split:  # estimated and interpolated times: milliseconds are plenty
        segment.start, segment.end = round(segment.start, 3), round(segment.end, 3)
    chapters = sorted(
        (c for c in result.chapters if math.isfinite(c.start) and c.start >= 0),
        key=lambda c: c.start,
    )
    return Transcript(
        segments=split,
        format=fmt,
        title=clean_line(result.title) or None,
        language=clean_line(result.language) or None,
        chapters=[Chapter(c.start, t, c.made) for c in chapters if (t := clean_line(c.title))],
        warnings=warnings,
    )


def _clean_words(words: list[Word] | None) -> list[Word] | None:
    if words is None:
        return None
    return [Word(w.start, w.end, clean_text(w.text), w.probability) for w in words]


def _count_overlaps(segments: list[Segment]) -> int:
    count = 0
    reach = -math.inf
    for segment in segments:
        if segment.start < reach - _EPSILON:
            count += 1
        reach = max(reach, segment.end)
    return count


def _pieces(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """(start, end) character spans of the pieces of `text` between matches of `pattern`."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for match in pattern.finditer(text):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, len(text)))
    return [(a, b) for a, b in spans if b > a]


def _pack(spans: list[tuple[int, int]], max_chars: float) -> list[tuple[int, int]]:
    """Greedily join consecutive spans while the joined span stays within max_chars."""
    packed: list[tuple[int, int]] = []
    for start, end in spans:
        if packed and end - packed[-1][0] <= max_chars:
            packed[-1] = (packed[-1][0], end)
        else:
            packed.append((start, end))
    return packed


def split_segment(segment: Segment) -> list[Segment]:
    """Split a segment longer than MAX_SEGMENT_SECONDS into pieces of at most that length.

    Sentence boundaries first; a sentence that is itself too long is cut between words.
    Times are interpolated by character position, which tracks speech closely enough for
    navigation; the word list, when there is one, goes with the piece its words fall in.
    """
    duration = segment.end - segment.start
    text = segment.text
    # Times are kept to the millisecond: a 30 s cue whose end is off by float noise
    # (30.000000000004 s) is not over the limit.
    if round(duration, 3) <= MAX_SEGMENT_SECONDS or len(text) < 2:
        return [segment]
    # A piece lasts until the next one starts, so it also owns the one-space separator after it
    # (whitespace is collapsed by now): hence the -1.
    max_chars = MAX_SEGMENT_SECONDS / duration * len(text) - 1
    spans: list[tuple[int, int]] = []
    for sentence in _pack(_pieces(text, _SENTENCE_END_RE), max_chars):
        if sentence[1] - sentence[0] <= max_chars:
            spans.append(sentence)
            continue
        words = [
            (sentence[0] + a, sentence[0] + b)
            for a, b in _pieces(text[sentence[0] : sentence[1]], _WORD_GAP_RE)
        ]
        spans.extend(_pack(words, max_chars))
    if len(spans) < 2 or any(b - a > max_chars for a, b in spans):
        # Some single word would still last over the limit (a short line followed by a long
        # silence): cutting it into one-word segments would not help a reader, so keep it whole.
        return [segment]
    rate = duration / len(text)
    bounds = [segment.start + a * rate for a, _ in spans[1:]]
    starts = [segment.start, *bounds]
    ends = [*bounds, segment.end]
    pieces: list[Segment] = []
    for (a, b), start, end in zip(spans, starts, ends, strict=True):
        pieces.append(Segment(start, end, text[a:b], segment.speaker, None, segment.edited))
    if segment.words:
        _share_words(segment.words, pieces)
    return pieces


def _share_words(words: list[Word], pieces: list[Segment]) -> None:
    """Give each piece the words whose midpoint falls inside it (the last piece takes the rest)."""
    index = 0
    for piece_no, piece in enumerate(pieces):
        last = piece_no == len(pieces) - 1
        taken: list[Word] = []
        while index < len(words):
            word = words[index]
            if not last and (word.start + word.end) / 2 >= piece.end:
                break
            taken.append(word)
            index += 1
        piece.words = taken or None
