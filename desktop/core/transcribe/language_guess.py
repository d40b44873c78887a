"""Whether an English-only model is hearing another language.

An English-only model (the embedded tiny.en) cannot detect a language: given German or
Italian it writes English-sounding words it is unsure of, and given Spanish or French it
often falls into a loop that repeats a phrase far faster than anyone speaks. Measured on
espeak-ng clips and the corpus recordings (mean word probability; words per second of
segment time): German 0.31, Italian 0.15; Spanish and French 14 words/s; English 0.90-0.97
and 2-3 words/s (the noisiest corpus file, a stereo recording, 0.65). So: a mean below
0.5 or a rate above 6 words/s, over at least MIN_WORDS words, says "probably not English".
It is a guess: the window and the command line warn, naming the model to fetch, and the
transcription goes on.
"""

from __future__ import annotations

from collections.abc import Sequence

from desktop.core.model import Segment

MIN_WORDS = 8
MIN_PROBABILITY = 0.5
MAX_WORDS_PER_SECOND = 6.0
CHECK_SECONDS = 30.0  # of stored transcript before the guess is made


def probably_not_english(segments: Sequence[Segment]) -> bool:
    words = [w for s in segments for w in s.words or [] if w.probability is not None]
    if len(words) < MIN_WORDS:
        return False
    mean = sum(w.probability or 0.0 for w in words) / len(words)
    spoken = sum(max(0.0, s.end - s.start) for s in segments)
    rate = len(words) / spoken if spoken > 0 else 0.0
    return mean < MIN_PROBABILITY or rate > MAX_WORDS_PER_SECOND
