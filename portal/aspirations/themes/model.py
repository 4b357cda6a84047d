"""The model: TF-IDF over stemmed tokens and phrases, NMF, and the number of themes chosen by stability.

Choices (general, not tuned to a data set):
- TF-IDF with sublinear tf and L2-normalised rows; unigrams and two-word phrases; a term must occur in at
  least two contributions (once the collection has 20) and in at most 60% of them (a word nearly every
  contribution uses names the subject, not a theme).
- NMF (Frobenius, coordinate descent) with NNDSVDA init: deterministic given the data, and the seed fixes
  the rest.
- Campaign copies (Doc.weight > 1): the text counts once in the document frequencies, and its row is scaled
  by sqrt(1 + ln(weight)), which weighs it like 1 + ln(weight) contributions in the NMF loss: 40 copies weigh
  about 4.7, so a campaign shapes a theme without drowning the others, and its every copy is counted in the
  theme's size.
- The number of themes, when not given, is the most stable one in [MIN_K, MAX_K] (Greene, O'Callaghan and
  Cunningham 2014, "How many topics? Stability analysis for topic models"): topics fitted on random 80%
  subsamples are matched (Hungarian) to those of the whole sample, and their top terms compared (Jaccard);
  measured on at most STABILITY_SAMPLE contributions, so the cost does not grow with the collection.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer

SEED = 20_241
MIN_K, MAX_K = 2, 12
MAX_NGRAM = 2
MAX_DF = 0.6
STABILITY_SAMPLE = 1_000
STABILITY_RUNS = 3
STABILITY_FRACTION = 0.8
STABILITY_TOP_TERMS = 10
MAX_ITER = 300


def _identity(tokens):
    return tokens


def vectorise(grams: list[list[str]]):
    """(matrix, feature names) of the documents' n-gram lists; (None, []) when nothing is left."""
    n = len(grams)
    min_df = 2 if n >= 20 else 1
    for low, high in ((min_df, MAX_DF if n >= 20 else 1.0), (1, 1.0)):
        vectoriser = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=low, max_df=high,
                                     norm="l2", dtype=np.float64)
        try:
            matrix = vectoriser.fit_transform(grams)
        except ValueError:  # every term pruned (or none at all)
            continue
        return matrix, list(vectoriser.get_feature_names_out())
    return None, []


def row_scale(weights: list[int]) -> np.ndarray:
    """sqrt(1 + ln(w)) per document: its NMF loss then weighs like 1 + ln(w) documents."""
    return np.sqrt(1.0 + np.log(np.maximum(np.asarray(weights, dtype=np.float64), 1.0)))


def nmf(matrix, k: int, seed: int = SEED):
    """(W, H) of a k-topic NMF of `matrix`."""
    model = NMF(n_components=k, init="nndsvda", solver="cd", beta_loss="frobenius", max_iter=MAX_ITER,
                tol=1e-4, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        w = model.fit_transform(matrix)
    return w, model.components_


def k_bounds(matrix) -> tuple[int, int]:
    """The range of theme counts this matrix can support: at least 3 documents a theme on average."""
    rows, cols = matrix.shape
    high = min(MAX_K, rows // 3, cols)
    return MIN_K, high


def _top_terms(h: np.ndarray) -> list[set[int]]:
    return [set(np.argsort(-row, kind="stable")[:STABILITY_TOP_TERMS]) for row in h]


def _agreement(a: list[set[int]], b: list[set[int]]) -> float:
    jaccard = np.array([[len(x & y) / max(len(x | y), 1) for y in b] for x in a])
    rows, cols = linear_sum_assignment(-jaccard)
    return float(jaccard[rows, cols].mean())


def choose_k(matrix, seed: int = SEED) -> tuple[int, dict[int, float]]:
    """The most stable number of themes (ties to the smaller), and the stability of each candidate."""
    low, high = k_bounds(matrix)
    rng = np.random.default_rng(seed)
    rows = matrix.shape[0]
    sample = np.sort(rng.choice(rows, size=STABILITY_SAMPLE, replace=False)) if rows > STABILITY_SAMPLE else None
    base = matrix[sample] if sample is not None else matrix
    subsets = [np.sort(rng.choice(base.shape[0], size=max(2, int(base.shape[0] * STABILITY_FRACTION)),
                                  replace=False)) for _ in range(STABILITY_RUNS)]
    scores: dict[int, float] = {}
    for k in range(low, high + 1):
        reference = _top_terms(nmf(base, k, seed)[1])
        scores[k] = sum(_agreement(reference, _top_terms(nmf(base[subset], k, seed)[1])) for subset in subsets)
        scores[k] = round(scores[k] / len(subsets), 6)
    best = max(scores, key=lambda k: (scores[k], -k))
    return best, scores


def centrality(matrix, h: np.ndarray, theme: int, rows: np.ndarray) -> np.ndarray:
    """Cosine of each document row (unscaled tf-idf) with a theme's term vector."""
    vector = h[theme]
    norm = float(np.linalg.norm(vector)) or 1.0
    return np.asarray(matrix[rows] @ vector).ravel() / norm
