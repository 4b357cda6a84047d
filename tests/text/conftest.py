"""Texts for the rendering tests, drawn from the shared corpora."""

from __future__ import annotations

import pytest

from tests.conftest import corpus_texts


@pytest.fixture(scope="session")
def corpus() -> list[str]:
    """See tests.conftest.corpus_texts()."""
    return corpus_texts()
