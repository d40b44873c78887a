"""Word error rate for speech tests and the transcription benchmark."""

from __future__ import annotations

import re
import unicodedata

# Whisper writes numbers as digits; references spell them out. Map the few that occur.
_NUMBERS = {
    "42": "forty two",
    "20": "twenty",
    "5": "five",
    "11": "eleven",
    "6": "six",
    "1": "one",
    "2": "two",
    "3": "three",
    "4": "four",
}


def normalise(text: str) -> list[str]:
    """Lower case, no punctuation, digits spelled out, hyphens and apostrophes split."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[’']", "", text)
    text = re.sub(r"[^\w\s]", " ", text)
    words: list[str] = []
    for word in text.split():
        words.extend(_NUMBERS.get(word, word).split())
    return words


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words, by edit distance."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    previous = list(range(len(hyp) + 1))
    for i, ref_word in enumerate(ref, 1):
        current = [i]
        for j, hyp_word in enumerate(hyp, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref_word != hyp_word))
            )
        previous = current
    return previous[-1] / max(len(ref), 1)
