"""Scoring and snippets in Python, for queries too common for FTS5's bm25 to stay fast.

bm25 reads the whole posting list of every term to count documents, so a word found in
hundreds of thousands of segments costs seconds. For such queries the search takes the
newest candidates only and ranks them here with the same bm25 shape (term frequency,
length normalisation); every candidate contains every term, so IDF cannot change the order
of a single-term query and hardly changes a multi-term one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from desktop.core.search.query import MARK_CLOSE, MARK_OPEN

_WORD = re.compile(r"\w+", re.UNICODE)
_SUFFIXES = ("ings", "ing", "edly", "ed", "es", "ly", "s")
K1 = 1.2
B = 0.75


def fold(word: str) -> str:
    """Lower case without diacritics, as FTS5's unicode61 tokenizer compares words."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def stem_prefix(word: str) -> str:
    """A prefix that the word's inflections share (running → runn, talks → talk)."""
    folded = fold(word)
    for suffix in _SUFFIXES:
        if folded.endswith(suffix) and len(folded) - len(suffix) >= 3:
            return folded[: -len(suffix)]
    return folded


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, with overlapping spans joined (the word `C` inside the match `C++`)."""
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _matches(token: str, prefixes: Sequence[str]) -> bool:
    folded = fold(token)
    return any(folded.startswith(p) for p in prefixes)


def rank_texts(
    candidates: Sequence[tuple[int, str]],
    words: Sequence[str],
    raw_patterns: Sequence[str] = (),
) -> list[tuple[int, float]]:
    """(rowid, score) best first; ties go to the newer (higher) rowid.

    The score is bm25's term-frequency part with equal weight for every term. Counting
    uses one compiled pattern per term and a space count for the length: this runs on
    thousands of candidates per keystroke. `raw_patterns` (terms with symbols, such as
    `C++`) count as terms too, matched case-insensitively in the unfolded text.
    """
    patterns = [re.compile(r"\b" + re.escape(stem_prefix(w))) for w in words]
    raws = [re.compile(p, re.IGNORECASE) for p in raw_patterns]
    folded = [(rowid, fold(text), text) for rowid, text in candidates]
    lengths = [text.count(" ") + 1 for _, text, _ in folded]
    average = sum(lengths) / max(len(lengths), 1)
    scored = []
    for (rowid, text, original), length in zip(folded, lengths, strict=True):
        norm = K1 * (1 - B + B * length / average)
        total = 0.0
        counts = [len(p.findall(text)) for p in patterns]
        counts += [len(p.findall(original)) for p in raws]
        for tf in counts:
            total += tf * (K1 + 1) / (tf + norm)
        scored.append((rowid, total))
    scored.sort(key=lambda item: (-item[1], -item[0]))
    return scored


def make_snippet(
    text: str, words: Sequence[str], max_tokens: int, raw_patterns: Sequence[str] = ()
) -> str:
    """The text with matching words wrapped in the markers, cut to a window around the first.

    Text matching one of `raw_patterns` (case-insensitive regexes, for terms such as `C++`)
    is marked as a whole, symbols included.
    """
    prefixes = [stem_prefix(w) for w in words]
    spans = [m.span() for m in _WORD.finditer(text)]
    marks = [(a, b) for a, b in spans if _matches(text[a:b], prefixes)]
    for pattern in raw_patterns:
        marks += [
            m.span() for m in re.finditer(pattern, text, re.IGNORECASE) if m.end() > m.start()
        ]
    marks = _merged(marks)
    # The first word that a mark touches decides the window.
    first_hit = next((i for i, (a, b) in enumerate(spans) if marks and b > marks[0][0]), 0)
    first = max(0, min(first_hit, len(spans) - max_tokens)) if spans else 0
    if len(spans) > max_tokens:
        first = max(0, first_hit - max_tokens // 4)
        first = min(first, len(spans) - max_tokens)
    last = min(len(spans), first + max_tokens)
    start_char = spans[first][0] if first else 0
    end_char = spans[last - 1][1] if last < len(spans) else len(text)
    out: list[str] = ["…" if start_char else ""]
    cursor = start_char
    for a, b in marks:
        if a < start_char or b > end_char:
            continue
        out += [text[cursor:a], MARK_OPEN, text[a:b], MARK_CLOSE]
        cursor = b
    out.append(text[cursor:end_char])
    if end_char < len(text):
        out.append("…")
    return "".join(out)
