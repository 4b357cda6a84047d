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
from itertools import chain

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import normalize
from sklearn.utils.extmath import randomized_svd

SEED = 20_241
MIN_K, MAX_K = 2, 12
MAX_NGRAM = 2  # words and two-word phrases (what `vectorise` makes)
MAX_DF = 0.6
# At most this many terms (the most frequent): beyond it come phrases two or three people used, which
# cost time and memory in the NMF without naming a theme.
MAX_FEATURES = 30_000
STABILITY_SAMPLE = 600
STABILITY_RUNS = 2
STABILITY_FRACTION = 0.8
STABILITY_TOP_TERMS = 10
STABILITY_FEATURES = 1_500
STABILITY_MAX_ITER = 100
STABILITY_TOL = 5e-3
MAX_ITER = 200


def vectorise(tokens: list[list[str]]):
    """(matrix, feature names) of the documents' token lists: their words and two-word phrases, TF-IDF
    weighted; (None, []) when nothing is left.

    What scikit-learn's TfidfVectorizer(sublinear_tf=True, smooth_idf=True, norm="l2", min_df, max_df,
    max_features) computes over the n-grams, built with array operations on token ids instead of a Python
    loop over every phrase (about a fifth of the time): a phrase is counted only when both its words are
    in `min_df` documents (it cannot be in more documents than its rarer word). Features come in a fixed
    order (words, then phrases, each alphabetical); past MAX_FEATURES the most frequent are kept.
    """
    n = len(tokens)
    terms = sorted(set(chain.from_iterable(tokens)))
    if not terms:
        return None, []
    size = len(terms)
    ids = {term: i for i, term in enumerate(terms)}
    flat = np.fromiter(map(ids.__getitem__, chain.from_iterable(tokens)), dtype=np.int64)
    doc = np.repeat(np.arange(n, dtype=np.int64), np.fromiter(map(len, tokens), dtype=np.int64, count=n))
    term_df = np.bincount(np.unique(doc * size + flat) % size, minlength=size)
    same_doc = doc[1:] == doc[:-1]
    for low, high in ((min_df(n), MAX_DF if n >= 20 else 1.0), (1, 1.0)):
        frequent = term_df >= low
        words = frequent[flat]
        phrases = same_doc & words[:-1] & words[1:]
        # a word's code is its id; a phrase's is size + first * size + second: one id space for both
        codes = np.concatenate([flat[words], size + flat[:-1][phrases] * size + flat[1:][phrases]])
        rows = np.concatenate([doc[words], doc[:-1][phrases]])
        if not len(codes):
            continue
        codes, columns = np.unique(codes, return_inverse=True)
        counts = sparse.csr_matrix((np.ones(len(rows)), (rows, columns.ravel())), shape=(n, len(codes)))
        counts.sum_duplicates()
        df = np.bincount(counts.indices, minlength=len(codes))
        keep = np.flatnonzero((df >= low) & (df <= high * n))
        if not len(keep):
            continue
        if len(keep) > MAX_FEATURES:
            totals = np.asarray(counts.sum(axis=0)).ravel()
            keep = np.sort(keep[np.argsort(-totals[keep], kind="stable")[:MAX_FEATURES]])
        matrix = counts[:, keep].tocsr()
        matrix.data = np.log(matrix.data) + 1.0  # sublinear tf
        idf = np.log((1.0 + n) / (1.0 + df[keep])) + 1.0
        matrix = normalize(matrix @ sparse.diags(idf), norm="l2", copy=False).tocsr()
        matrix.sort_indices()
        return matrix, [_name(int(code), terms) for code in codes[keep]]
    return None, []


def _name(code: int, terms: list[str]) -> str:
    size = len(terms)
    if code < size:
        return terms[code]
    first, second = divmod(code - size, size)
    return f"{terms[first]} {terms[second]}"


def min_df(documents: int) -> int:
    """A term must be in two documents once there are 20 (a word one person wrote is not a theme)."""
    return 2 if documents >= 20 else 1


def row_scale(weights: list[int]) -> np.ndarray:
    """sqrt(1 + ln(w)) per document: its NMF loss then weighs like 1 + ln(w) documents."""
    return np.sqrt(1.0 + np.log(np.maximum(np.asarray(weights, dtype=np.float64), 1.0)))


def nmf(matrix, k: int, seed: int = SEED, start=None, max_iter: int = MAX_ITER, tol: float = 1e-4):
    """(W, H) of a k-topic NMF of `matrix`, from NNDSVDA (or the given (W, H) start)."""
    model = NMF(n_components=k, init="custom" if start is not None else "nndsvda", solver="cd",
                beta_loss="frobenius", max_iter=max_iter, tol=tol, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if start is not None:
            w = model.fit_transform(matrix, W=start[0].copy(), H=start[1].copy())
        else:
            w = model.fit_transform(matrix)
    return w, model.components_


def svd(matrix, rank: int, seed: int = SEED):
    """A truncated SVD of `matrix`, shared by the NNDSVDA starts of every k up to `rank`."""
    return randomized_svd(matrix, rank, random_state=seed), float(matrix.mean())


def nndsvda(decomposition, k: int, eps: float = 1e-6):
    """NNDSVDA start (Boutsidis and Gallopoulos 2008, zeros filled with the mean) from the first k factors,
    as scikit-learn computes it, without a new SVD per k."""
    (u, s, vt), mean = decomposition
    w = np.zeros((u.shape[0], k))
    h = np.zeros((k, vt.shape[1]))
    w[:, 0] = np.sqrt(s[0]) * np.abs(u[:, 0])
    h[0, :] = np.sqrt(s[0]) * np.abs(vt[0, :])
    for j in range(1, k):
        x, y = u[:, j], vt[j, :]
        xp, yp, xn, yn = np.maximum(x, 0), np.maximum(y, 0), np.abs(np.minimum(x, 0)), np.abs(np.minimum(y, 0))
        mp = np.linalg.norm(xp) * np.linalg.norm(yp)
        mn = np.linalg.norm(xn) * np.linalg.norm(yn)
        (a, b, sigma) = (xp, yp, mp) if mp > mn else (xn, yn, mn)
        if sigma <= 0:
            continue
        scale = np.sqrt(s[j] * sigma)
        w[:, j] = scale * a / np.linalg.norm(a)
        h[j, :] = scale * b / np.linalg.norm(b)
    w[w < eps] = mean
    h[h < eps] = mean
    return w, h


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
    frequency = np.asarray(base.getnnz(axis=0))
    columns = np.sort(np.argsort(-frequency, kind="stable")[:STABILITY_FEATURES])
    base = base[:, columns[frequency[columns] > 0]].tocsr()
    high = min(high, base.shape[1])
    subsets = [np.sort(rng.choice(base.shape[0], size=max(2, int(base.shape[0] * STABILITY_FRACTION)),
                                  replace=False)) for _ in range(STABILITY_RUNS)]
    runs = [(base, svd(base, high, seed))] + [(base[rows_], svd(base[rows_], high, seed)) for rows_ in subsets]
    scores: dict[int, float] = {}
    for k in range(low, high + 1):
        terms = [_top_terms(nmf(x, k, seed, nndsvda(d, k), STABILITY_MAX_ITER, STABILITY_TOL)[1]) for x, d in runs]
        scores[k] = round(sum(_agreement(terms[0], other) for other in terms[1:]) / len(subsets), 6)
    best = max(scores, key=lambda k: (scores[k], -k)) if scores else low
    return best, scores


def centrality(matrix, h: np.ndarray, theme: int, rows: np.ndarray) -> np.ndarray:
    """Cosine of each document row (unscaled tf-idf) with a theme's term vector."""
    vector = h[theme]
    norm = float(np.linalg.norm(vector)) or 1.0
    return np.asarray(matrix[rows] @ vector).ravel() / norm
