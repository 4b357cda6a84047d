"""Measured theme quality: the portal's themes against labels, beside a random and a plain baseline.

`evaluate(texts, labels, k)` themes the texts with exactly `engine.compute` and scores purity and NMI
against the labels; in the same run it scores (1) a random assignment with the same theme sizes (seeded)
and (2) plain TF-IDF + NMF (scikit-learn defaults, no stemming, no phrases, k = number of labels, argmax).
Documents the portal puts in `other` form one more cluster of their own: nothing is left out of the score.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from portal.aspirations.themes import engine

RANDOM_SEED = 20_241
PLAIN_SEED = 0
OTHER = -1


class DataError(ValueError):
    """A labelled file that cannot be read as asked (message for the person who ran the command)."""


@dataclass
class Score:
    method: str
    n: int
    k: int
    purity: float
    nmi: float


def purity(assigned: list[int], labels: list[str]) -> float:
    """Share of documents whose cluster's most common label is their own."""
    if not labels:
        return 0.0
    clusters: dict[int, Counter] = {}
    for cluster, label in zip(assigned, labels, strict=True):
        clusters.setdefault(cluster, Counter())[label] += 1
    return sum(counts.most_common(1)[0][1] for counts in clusters.values()) / len(labels)


def nmi(assigned: list[int], labels: list[str]) -> float:
    from sklearn.metrics import normalized_mutual_info_score

    if len(labels) < 2:
        return 0.0
    return float(normalized_mutual_info_score(labels, assigned))


def portal_assignment(texts: list[str], k: int | None) -> tuple[list[int], int]:
    """Cluster of each text by the portal's own method (OTHER for `other`), and the number of themes."""
    result = engine.compute([engine.Doc(id=i, text=text) for i, text in enumerate(texts)], k=k)
    assigned = [OTHER] * len(texts)
    for number, theme in enumerate(result.themes):
        for member in theme.members:
            assigned[member] = number
    return assigned, len(result.themes)


def random_assignment(assigned: list[int], seed: int = RANDOM_SEED) -> list[int]:
    """The same cluster sizes, shuffled (seeded)."""
    shuffled = list(assigned)
    random.Random(seed).shuffle(shuffled)  # nosec B311 # a seeded baseline, not security
    return shuffled


def plain_assignment(texts: list[str], k: int) -> list[int]:
    """scikit-learn defaults: TfidfVectorizer(), NMF(n_components=k, random_state=0), argmax."""
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        matrix = TfidfVectorizer().fit_transform(texts)
    except ValueError:  # no words at all
        return [0] * len(texts)
    k = max(1, min(k, *matrix.shape))
    w = NMF(n_components=k, random_state=PLAIN_SEED).fit_transform(matrix)
    return [int(i) for i in np.argmax(w, axis=1)]


def evaluate(texts: list[str], labels: list[str], k: int | None = None) -> list[Score]:
    """Scores of the portal's themes, the random assignment and plain TF-IDF + NMF, in that order."""
    n = len(texts)
    assigned, themes = portal_assignment(texts, k)
    shuffled = random_assignment(assigned)
    plain = plain_assignment(texts, len(set(labels))) if n else []
    return [
        Score("portal themes", n, themes, purity(assigned, labels), nmi(assigned, labels)),
        Score("random, same sizes", n, themes, purity(shuffled, labels), nmi(shuffled, labels)),
        Score("plain TF-IDF + NMF", n, len(set(plain)), purity(plain, labels), nmi(plain, labels)),
    ]


def table(scores: list[Score]) -> str:
    lines = [f"{'method':<22} {'n':>7} {'k':>4} {'purity':>7} {'nmi':>7}"]
    lines += [f"{s.method:<22} {s.n:>7} {s.k:>4} {s.purity:>7.3f} {s.nmi:>7.3f}" for s in scores]
    return "\n".join(lines)


def _format(path: Path, head: str) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".tsv", ".tab"):
        return "\t"
    if suffix == ".csv":
        return ","
    if head.lstrip().startswith("{"):
        return "jsonl"
    try:
        return csv.Sniffer().sniff(head, delimiters=",\t;|").delimiter
    except csv.Error:
        return ","


def read_labelled(path: Path, text_column: str, label_column: str) -> tuple[list[str], list[str]]:
    """Texts and labels of a CSV, TSV or JSON-lines file; rows without a label are skipped."""
    try:
        content = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataError(f"{path} is not UTF-8 text ({error.reason} at byte {error.start}).") from error
    except OSError as error:
        raise DataError(f"{path} cannot be read: {error.strerror}.") from error
    kind = _format(path, content[:20_000])
    rows: list[dict] = []
    if kind == "jsonl":
        for number, line in enumerate(content.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise DataError(f"{path}, line {number}: not JSON ({error.msg}).") from error
            if not isinstance(row, dict):
                raise DataError(f"{path}, line {number}: expected a JSON object per line.")
            rows.append(row)
        columns = sorted({key for row in rows for key in row})
    else:
        csv.field_size_limit(2**31 - 1)
        reader = csv.DictReader(io.StringIO(content, newline=""), delimiter=kind)
        try:
            rows = list(reader)
        except csv.Error as error:
            raise DataError(f"{path}, line {reader.line_num}: {error}.") from error
        columns = [c for c in (reader.fieldnames or []) if c is not None]
    for column in (text_column, label_column):
        if column not in columns:
            shown = ", ".join(columns[:30]) or "none"
            raise DataError(f"{path} has no column {column!r} (columns: {shown}).")
    texts, labels = [], []
    for row in rows:
        label = row.get(label_column)
        if label is None or str(label).strip() == "":
            continue
        text = row.get(text_column)
        texts.append("" if text is None else str(text))
        labels.append(str(label).strip())
    if not texts:
        raise DataError(f"{path} has no rows with a {label_column!r} label.")
    return texts, labels
