"""Texts for the rendering tests, drawn from the shared corpora."""

from __future__ import annotations

import csv
import json

import pytest

from tests.conftest import CORPORA


def corpus_texts() -> list[str]:
    """Every naughty string, XSS payload and sanitiser vector in the corpora, and Indonesian reviews."""
    xss = CORPORA / "xss"
    texts = json.loads((CORPORA / "blns" / "blns.json").read_text(encoding="utf-8"))
    texts += (xss / "payloads.txt").read_text(encoding="utf-8").split("\n")
    texts += [
        path.read_text(encoding="utf-8").split("\n--\n")[0] for path in sorted((xss / "bleach_testdata").glob("*.test"))
    ]
    texts += [case["input"] for case in json.loads((xss / "html5lib_sanitizer" / "tests1.dat").read_text(encoding="utf-8"))]
    with (CORPORA / "indonesian" / "smsa" / "valid_preprocess.tsv").open(encoding="utf-8") as handle:
        texts += [row[0] for row in csv.reader(handle, delimiter="\t")][:300]
    return [text for text in texts if text]


@pytest.fixture(scope="session")
def corpus() -> list[str]:
    """See corpus_texts()."""
    return corpus_texts()
