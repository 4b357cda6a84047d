"""The TF-IDF matrix the themes are fitted on: scikit-learn's weights, the same in every process."""

from __future__ import annotations

import os
import subprocess  # nosec B404 - runs this interpreter on a fixed script
import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from portal.aspirations.themes import model
from portal.aspirations.themes.text import Prepared
from tests.aspirations.themes.corpus import LABELLED

ROOT = Path(__file__).resolve().parents[3]


def grams_of(tokens, keep):
    """Words and two-word phrases of words in at least `keep` documents, the reference way."""
    frequency = {}
    for found in tokens:
        for token in set(found):
            frequency[token] = frequency.get(token, 0) + 1
    out = []
    for found in tokens:
        ok = [frequency[t] >= keep for t in found]
        words = [t for t, good in zip(found, ok, strict=True) if good]
        pairs = [f"{a} {b}" for a, b, ga, gb in zip(found, found[1:], ok, ok[1:], strict=False) if ga and gb]
        out.append(words + pairs)
    return out


def test_the_matrix_has_scikit_learns_tfidf_weights():
    texts = [text for text, _label in LABELLED] * 2 + ["Pelatihan pegawai tidak merata di puskesmas."]
    tokens = Prepared().documents(texts)
    matrix, features = model.vectorise(tokens)
    n = len(texts)
    reference = TfidfVectorizer(analyzer=lambda grams: grams, sublinear_tf=True, min_df=model.min_df(n),
                                max_df=model.MAX_DF)
    expected = reference.fit_transform(grams_of(tokens, model.min_df(n)))
    names = list(reference.get_feature_names_out())
    assert sorted(features) == names
    assert any(" " in feature for feature in features)  # phrases are there
    columns = [names.index(feature) for feature in features]
    assert np.allclose(matrix.toarray(), expected[:, columns].toarray())


SCRIPT = """
import sys
from portal.aspirations.themes.engine import Doc, compute
from tests.aspirations.themes.corpus import LABELLED
result = compute([Doc(id=i, text=t) for i, (t, _l) in enumerate(LABELLED * 3)])
print(repr((result.themes, result.other, sorted(result.settings["k_stability"].items()))))
"""


def test_the_same_themes_in_every_process():
    """A web worker and a job worker (different string hashing) give the same themes."""
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True,  # nosec B603
                              text=True, check=True, timeout=120)
        outputs.add(done.stdout)
    assert len(outputs) == 1
