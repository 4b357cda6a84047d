"""Readable labels: a theme's key phrases in the words people wrote, without repeating themselves."""

from __future__ import annotations

import numpy as np

from portal.aspirations.themes.text import Prepared

LABEL_TERMS = 5
CANDIDATES = 30


def _stems(feature: str) -> set[str]:
    return set(feature.replace("_", " ").split(" "))


def key_phrases(h_row: np.ndarray, features: list[str], prepared: Prepared, count: int = LABEL_TERMS) -> list[str]:
    """The theme's strongest terms, readable; a phrase replaces a word it contains, a word already covered is skipped."""
    chosen: list[str] = []
    for index in np.argsort(-h_row, kind="stable")[:CANDIDATES]:
        if h_row[index] <= 0:
            break
        feature = features[index]
        stems = _stems(feature)
        if any(stems <= _stems(other) for other in chosen):
            continue  # already said by a phrase we have
        chosen = [other for other in chosen if not _stems(other) <= stems]  # the phrase says it better
        chosen.append(feature)
        if len(chosen) >= count:
            break
    readable: list[str] = []
    for feature in chosen:
        words = prepared.readable(feature)
        if words not in readable:
            readable.append(words)
    return readable
