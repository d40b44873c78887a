"""Refusing prose that merely mentions a time.

A plain-text or Markdown file counts as a transcript when stamps (or speaker labels) open
its lines or paragraphs throughout. A README that says "the last timestamp at 01:36:19"
once is not an episode, and importing it as a 37-minute one of 2 segments misleads.
"""

from __future__ import annotations

from pathlib import Path

from desktop.core.errors import TranscriptFormatError
from desktop.core.importers.raw import ParseResult

# Below this many words there is too little text to judge: a one-line file is trusted.
MIN_WORDS_TO_JUDGE = 80
# A transcript has a stamp or a new speaker at least every couple of minutes of speech
# (real files: 70–150 words per stamp or label); prose has one every few hundred words.
MAX_WORDS_PER_ANCHOR = 400
# Most of a transcript's words are in its segments; a file whose words mostly come before
# its first stamp (or are otherwise outside the transcript) is prose with a stray time.
MIN_SHARE_IN_SEGMENTS = 0.5


def check_transcript_like(result: ParseResult, path: Path | None) -> None:
    """Raise TranscriptFormatError when the stamps found look stray rather than structural."""
    if result.anchors is None or not result.cues or result.text_words < MIN_WORDS_TO_JUDGE:
        return
    in_segments = sum(len(cue.text.split()) for cue in result.cues)
    anchors = max(result.anchors, 1)
    words = result.text_words
    if words / anchors > MAX_WORDS_PER_ANCHOR or in_segments < MIN_SHARE_IN_SEGMENTS * words:
        raise TranscriptFormatError(
            path,
            f"does not look like a transcript: mostly prose, with {result.anchors} "
            f"timestamped or labelled line(s) in {words} words",
        )
