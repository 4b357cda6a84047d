"""Themes of a set of contributions: `compute(docs, k=None) -> Result`.

Same input, same result (fixed seed, deterministic init). Empty input, a single document or only stop
words give a Result without themes and every document in `other`; nothing is ever dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import metadata

import numpy as np
from threadpoolctl import threadpool_limits

from portal.aspirations.themes import labels, model
from portal.aspirations.themes.text import MAX_CHARS, THEME_NEGATIONS, Prepared

METHOD = "tfidf-sastrawi-nmf"
# A document whose cosine with its best theme is below OTHER_FIT, or below OTHER_RELATIVE of the median
# cosine of that theme's documents when that is lower, fits no theme: it goes to `other`. The relative
# floor is for broad themes (a few themes over varied texts), whose typical member has a cosine well
# under 0.05: an absolute floor alone put a third of such collections in `other`.
OTHER_FIT = 0.05
OTHER_RELATIVE = 0.25
MIN_THEME_DOCS = 2
MIN_DOCS = 3
QUOTES = 3


@dataclass(frozen=True)
class Doc:
    id: int
    text: str
    weight: int = 1  # copies of a campaign text


@dataclass
class Theme:
    terms: list[str]  # readable key phrases (label = ", ".join(terms[:3]))
    members: list[int]  # Doc ids, most central first
    quotes: list[int]  # 2-3 most central Doc ids, distinct texts
    size: int = 0  # contributions in the theme, campaign copies counted

    @property
    def label(self) -> str:
        return ", ".join(self.terms[:3])


@dataclass
class Result:
    themes: list[Theme]
    other: list[int]
    settings: dict = field(default_factory=dict)


def _versions() -> dict[str, str]:
    found = {}
    for name in ("scikit-learn", "numpy", "scipy", "PySastrawi"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:  # pragma: no cover - installed with the portal
            found[name] = "?"
    return found


def _settings(**extra) -> dict:
    settings = {
        "method": METHOD,
        "seed": model.SEED,
        "ngram": [1, model.MAX_NGRAM],
        "max_df": model.MAX_DF,
        "max_features": model.MAX_FEATURES,
        "min_df": "2 from 20 documents, else 1",
        "sublinear_tf": True,
        "init": "nndsvda",
        "k_bounds": [model.MIN_K, model.MAX_K],
        "k_choice": "stability (Greene et al. 2014)",
        "other_fit": OTHER_FIT,
        "other_relative": OTHER_RELATIVE,
        "campaign_weight": "1 + ln(copies) in the NMF loss; every copy counted in sizes",
        "negations": sorted(THEME_NEGATIONS),
        "max_chars": MAX_CHARS,
        "versions": _versions(),
    }
    settings.update(extra)
    return settings


def compute(docs: list[Doc], k: int | None = None) -> Result:
    """Group `docs` into themes (k of them, or the most stable number when k is None).

    BLAS runs on one thread: the matrices are small or sparse, where threads mostly wait for each other,
    and the server's cores are shared with the web workers (measured: about 4x faster on 2 busy cores).
    """
    with threadpool_limits(limits=1):
        return _compute(docs, k)


def _compute(docs: list[Doc], k: int | None) -> Result:
    docs = list(docs)
    ids = [doc.id for doc in docs]
    prepared = Prepared()
    tokens = prepared.documents([doc.text if isinstance(doc.text, str) else "" for doc in docs])
    empty = _settings(k=0, k_requested=k, n_docs=len(docs), n_features=0)
    matrix, features = model.vectorise(tokens)
    if matrix is None:
        return Result(themes=[], other=ids, settings=empty)
    nonzero = np.flatnonzero(matrix.getnnz(axis=1))
    if len(nonzero) < MIN_DOCS:
        return Result(themes=[], other=ids, settings=empty)
    rows = [int(i) for i in nonzero]  # positions in `docs` of the rows kept
    matrix = matrix[nonzero]
    scale = model.row_scale([max(1, int(docs[i].weight or 1)) for i in rows])
    scaled = matrix.multiply(scale[:, None]).tocsr()
    scores: dict[int, float] = {}
    if k is None:
        low, high = model.k_bounds(matrix)
        if high < low:
            chosen = 1
        else:
            chosen, scores = model.choose_k(scaled)
    else:
        chosen = max(1, min(int(k), matrix.shape[0], matrix.shape[1]))
    w, h = model.nmf(scaled, chosen)
    # W scaled by the length of each theme's term vector: a document goes to the theme that contributes
    # most to its reconstruction (raw W favours themes whose term vectors happen to be short)
    best = np.argmax(w * np.linalg.norm(h, axis=1)[None, :], axis=1)
    fit = np.zeros(len(rows))
    for theme in range(chosen):
        mine = np.flatnonzero(best == theme)
        if len(mine):
            fit[mine] = model.centrality(matrix, h, theme, mine)
    fit[w.max(axis=1) <= 0] = 0.0
    floors = _floors(fit, best, chosen)
    placed: set[int] = set()
    themes: list[Theme] = []
    for theme in range(chosen):
        mine = [r for r in np.flatnonzero(best == theme) if fit[r] > 0 and fit[r] >= floors[theme]]
        if len(mine) < MIN_THEME_DOCS:
            continue
        mine.sort(key=lambda r: (-round(float(fit[r]), 12), ids[rows[r]]))
        members = [ids[rows[r]] for r in mine]
        themes.append(Theme(
            terms=labels.key_phrases(h[theme], features, prepared),
            members=members,
            quotes=_quotes([rows[r] for r in mine], docs, tokens),
            size=sum(max(1, int(docs[rows[r]].weight or 1)) for r in mine),
        ))
        placed.update(rows[r] for r in mine)
    themes.sort(key=lambda t: (-t.size, -len(t.members), t.members[0]))
    other = [ids[i] for i in range(len(docs)) if i not in placed]
    return Result(themes=themes, other=other, settings=_settings(
        k=len(themes), k_requested=k, k_fitted=chosen, k_stability=scores, n_docs=len(docs),
        n_features=len(features)))


def _floors(fit: np.ndarray, best: np.ndarray, themes: int) -> list[float]:
    """The least fit a member of each theme needs: OTHER_FIT, or OTHER_RELATIVE of the theme's median
    fit when that is lower (a broad theme spreads its weight over many terms, so even its typical member
    has a small cosine with it)."""
    floors = []
    for theme in range(themes):
        mine = fit[best == theme]
        mine = mine[mine > 0]
        typical = float(np.median(mine)) if len(mine) else 0.0
        floors.append(min(OTHER_FIT, OTHER_RELATIVE * typical))
    return floors


def _quotes(positions: list[int], docs: list[Doc], tokens: list[list[str]]) -> list[int]:
    """The most central members with distinct wording (at most QUOTES)."""
    quotes: list[int] = []
    seen: set[tuple[str, ...]] = set()
    for position in positions:
        key = tuple(tokens[position])
        if key in seen:
            continue
        seen.add(key)
        quotes.append(docs[position].id)
        if len(quotes) >= QUOTES:
            break
    return quotes
