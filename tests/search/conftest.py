"""What only the search tests need: the training policy's text, published-at-once contributions,
and helpers that drain the index outbox and search as a viewer."""

from __future__ import annotations

import pytest

POLICY_BODY = """Rancangan Peraturan Wali Kota Medan tentang Pelatihan Jabatan.

## BAB I — Ketentuan Umum

### Pasal 1
Pengertian

(1) Jabatan adalah kedudukan yang menunjukkan tugas dan tanggung jawab.

### Pasal 2
Pelatihan

Setiap pegawai wajib mengikuti pelatihan kepemimpinan paling sedikit sekali setahun.

### Pasal 3
Perpajakan daerah

Pejabat yang membidangi perpajakan daerah mengikuti bimbingan teknis.
"""


#: The details of the training policy the search tests look words up in ("pelatihan" in the title,
#: summary and Pasal 2; "perpajakan" in Pasal 3): make_policy(**TRAINING).
TRAINING = {"title": "Rancangan Perwal Pelatihan Jabatan", "summary": "Ringkasan kebijakan pelatihan.",
            "body": POLICY_BODY}


@pytest.fixture(autouse=True)
def _no_premoderation(publish_at_once):
    """Contributions are published at once in these tests."""


@pytest.fixture
def drain(app):
    """Apply the outbox to the index now, as the indexer would."""
    from portal.search import services

    def do_drain():
        report = services.drain(wait=5)
        assert not report.skipped
        return report

    return do_drain


@pytest.fixture
def find(app, drain):
    """find(viewer, words, **filters) -> ids of the contributions/articles/policies found, as "type:id"."""
    from portal.search import services

    def do_find(viewer, words: str, **filters):
        with app.test_request_context():  # result links are built with url_for
            page = services.search(viewer, words, **filters)
        return [f"{item.hit.doc_type}:{item.hit.db_id}" for item in page.items]

    return do_find
