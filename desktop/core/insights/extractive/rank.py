"""Sentence importance (TF-IDF + TextRank), diversity (MMR) and topic sections."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | {
    "yeah", "okay", "ok", "right", "like", "just", "really", "think", "know", "going",
    "gonna", "got", "thing", "things", "lot", "actually", "kind", "sort", "mean", "say",
    "said", "little", "bit", "want", "way", "yes", "oh", "guess", "maybe", "pretty", "stuff",
}  # fmt: skip


class SentenceSpace:
    """TF-IDF vectors of the cleaned sentences and what is derived from them."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.vectorizer = TfidfVectorizer(
            stop_words=sorted(STOP_WORDS),
            ngram_range=(1, 3),
            sublinear_tf=True,
            token_pattern=r"(?u)\b[^\W\d_][\w'-]*\b",
            min_df=1,
        )
        try:
            self.matrix: sparse.csr_matrix = self.vectorizer.fit_transform(texts)
        except ValueError:  # nothing but stop words
            self.matrix = sparse.csr_matrix((len(texts), 1))
        self.vocabulary = (
            self.vectorizer.get_feature_names_out() if self.matrix.shape[1] > 1 else []
        )
        self.similarity = (self.matrix @ self.matrix.T).toarray()
        np.fill_diagonal(self.similarity, 0.0)

    def textrank(self, damping: float = 0.85, iterations: int = 50) -> np.ndarray:
        """PageRank over the sentence-similarity graph: sentences echoed by many others."""
        weights = self.similarity
        totals = weights.sum(axis=1)
        totals[totals == 0] = 1.0
        transition = weights / totals[:, None]
        n = len(weights)
        scores = np.full(n, 1.0 / max(n, 1))
        for _ in range(iterations):
            scores = (1 - damping) / max(n, 1) + damping * transition.T @ scores
        return scores / scores.max() if n and scores.max() > 0 else scores

    def mmr(
        self,
        relevance: np.ndarray,
        candidates: Sequence[int],
        count: int,
        chosen: Sequence[int] = (),
        balance: float = 0.7,
    ) -> list[int]:
        """Maximal marginal relevance: relevant sentences unlike those already chosen."""
        picked = list(chosen)
        pool = [c for c in candidates if c not in picked]
        result: list[int] = []
        while pool and len(result) < count:

            def value(i: int) -> float:
                overlap = max((self.similarity[i, j] for j in picked), default=0.0)
                return balance * relevance[i] - (1 - balance) * overlap

            best = max(pool, key=value)
            result.append(best)
            picked.append(best)
            pool.remove(best)
        return result

    def keyphrases(self, row: int, text: str, limit: int = 3) -> list[str]:
        """Phrases of the sentence as spoken (runs of content words, RAKE-style), best first.

        A phrase scores the TF-IDF weights of its words in this sentence; two- and
        three-word phrases get a bonus because they make better titles.
        """
        weights = self.word_weights(row)
        scored: dict[str, float] = {}
        for phrase in _candidate_phrases(text):
            words = [w.lower() for w in phrase.split()]
            total = sum(weights.get(w, 0.0) for w in words)
            if total <= 0:
                continue
            content = sum(1 for w in words if w not in STOP_WORDS)
            bonus = {1: 1.0, 2: 1.5, 3: 1.6}.get(content, 1.2) * _title_shape(words)
            key = phrase.lower()
            scored[key] = max(scored.get(key, 0.0), total / len(words) ** 0.5 * bonus)
        return sorted(scored, key=lambda p: -scored[p])[:limit]

    def word_weights(self, row: int) -> dict[str, float]:
        vector = self.matrix.getrow(row)
        if not len(self.vocabulary):
            return {}
        return {
            str(self.vocabulary[i]): float(v)
            for i, v in zip(vector.indices, vector.data, strict=True)
            if " " not in str(self.vocabulary[i])
        }


_JOINERS = {"of", "for", "per", "and", "in", "on", "to"}
_VAGUE = {"quite", "rather", "pretty", "very", "much", "lot", "lots", "thing", "things", "way"}


def _title_shape(words: list[str]) -> float:
    """Titles read as noun phrases: adverbs ("slightly", "quite") and a trailing past
    tense ("figured") make poor ones; without a tagger, their endings are the tell."""
    factor = 1.0
    for word in words:
        if word in _VAGUE or (word.endswith("ly") and len(word) > 4):
            factor *= 0.3
    if words[-1].endswith("ed") and len(words[-1]) > 4:
        factor *= 0.5
    return factor


_TOKEN = re.compile(r"[^\W\d_][\w'-]*|\S")


def _candidate_phrases(text: str) -> list[str]:
    """Runs of up to four content words, which may be joined by of/for/per/and/in/on/to."""
    phrases: list[str] = []
    run: list[str] = []

    def close() -> None:
        while run and run[-1].lower() in _JOINERS:
            run.pop()
        for size in range(1, min(4, len(run)) + 1):
            for i in range(len(run) - size + 1):
                piece = run[i : i + size]
                if piece[0].lower() not in _JOINERS:
                    phrases.append(" ".join(piece))
        run.clear()

    for token in _TOKEN.findall(text):
        lower = token.lower()
        # Contractions ("that's", "haven't") are function words, never title material.
        content = token[0].isalpha() and lower not in STOP_WORDS and "'" not in token
        if content or (lower in _JOINERS and run):
            run.append(token)
        else:
            close()
    close()
    return phrases


def sections(
    space: SentenceSpace, times: Sequence[float], count: int, window: int = 6
) -> list[int]:
    """Boundaries (sentence indexes) that cut the episode into `count` topic sections.

    Each boundary starts at an equal share of the episode's time, so sections cover it
    evenly, and then moves to the nearest topic shift within a quarter section: the
    deepest valley of a TextTiling-style cohesion curve (the similarity between the
    `window` sentences before and after each gap).
    """
    n = space.matrix.shape[0]
    if count <= 1 or n < 2:
        return []
    depths = _cohesion_depths(space, window)
    begin, end = times[0], times[-1]
    share = (end - begin) / count
    boundaries: list[int] = []
    for k in range(1, count):
        lo = _index_at(times, begin + (k - 0.25) * share)
        hi = _index_at(times, begin + (k + 0.25) * share)
        lo = max(lo, boundaries[-1] + 1 if boundaries else 1)
        if lo >= n:
            break
        window_gaps = range(lo, max(lo + 1, min(hi, n - 1) + 1))
        boundaries.append(max(window_gaps, key=lambda gap: depths[gap]))
    return boundaries


def _index_at(times: Sequence[float], moment: float) -> int:
    return int(np.searchsorted(np.asarray(times), moment))


def _cohesion_depths(space: SentenceSpace, window: int) -> np.ndarray:
    """1 - cosine similarity of the summed sentence vectors on each side of every gap.

    Computed from the sentence-similarity matrix (dot products of unit vectors), so no
    dense term matrix is ever built: a.b sums the block across the gap, |a|^2 the block
    inside a window plus one per non-empty sentence.
    """
    n = space.matrix.shape[0]
    sim = space.similarity
    self_norms = (space.matrix.getnnz(axis=1) > 0).astype(float)
    depths = np.zeros(n + 1)
    for gap in range(1, n):
        before = slice(max(0, gap - window), gap)
        after = slice(gap, min(n, gap + window))
        dot = sim[before, after].sum()
        norm_a = sim[before, before].sum() + self_norms[before].sum()
        norm_b = sim[after, after].sum() + self_norms[after].sum()
        norm = np.sqrt(norm_a * norm_b)
        depths[gap] = 1.0 - (dot / norm if norm else 0.0)
    return depths
