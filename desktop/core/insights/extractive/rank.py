"""Sentence importance (TF-IDF + TextRank), diversity (MMR) and topic sections."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from threadpoolctl import threadpool_limits

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
        n = len(weights)
        scores = np.full(n, 1.0 / max(n, 1))
        # One thread: small products lose more to thread hand-offs on a busy machine than
        # they gain (0.03 s against 0.4 s for 1,400 sentences on two shared cores).
        with threadpool_limits(limits=1, user_api="blas"):
            for _ in range(iterations):
                # (weights / totals[:, None]).T @ scores, as weights is symmetric: no n x n
                # copies (two of them took 320 MB more for the 4,500 sentences of 10 hours).
                scores = (1 - damping) / max(n, 1) + damping * (weights @ (scores / totals))
        return scores / scores.max() if n and scores.max() > 0 else scores

    def centrality(self) -> np.ndarray:
        """Cosine similarity of each sentence to the whole episode (the sum of all)."""
        centroid = np.asarray(self.matrix.sum(axis=0)).ravel()
        norm = np.linalg.norm(centroid)
        if not norm:
            return np.zeros(self.matrix.shape[0])
        return np.asarray(self.matrix @ (centroid / norm)).ravel()

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

    def word_weights(self, row: int) -> dict[str, float]:
        vector = self.matrix.getrow(row)
        if not len(self.vocabulary):
            return {}
        return {
            str(self.vocabulary[i]): float(v)
            for i, v in zip(vector.indices, vector.data, strict=True)
            if " " not in str(self.vocabulary[i])
        }
