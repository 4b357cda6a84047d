"""Fixtures for search tests: officials, policies, contributions and a drain helper."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.extensions import db, utcnow

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


@pytest.fixture
def official(moderator):
    """A moderator (official) account."""
    return moderator


@pytest.fixture(autouse=True)
def _no_premoderation(publish_at_once):
    """Contributions are published at once in these tests."""


@pytest.fixture
def make_policy(app, official):
    """Factory: make_policy(status="open", body=POLICY_BODY, **details) through the services."""
    from portal.proposals import services

    def factory(status: str = "open", body: str = POLICY_BODY, **details):
        now = utcnow()
        details.setdefault("title", "Rancangan Perwal Pelatihan Jabatan")
        details.setdefault("kind", "Rancangan Peraturan Wali Kota")
        details.setdefault("summary", "Ringkasan kebijakan pelatihan.")
        details.setdefault("opens_at", now - timedelta(days=1))
        details.setdefault("closes_at", now + timedelta(days=10))
        policy = services.create_policy(official, body=body, **details)
        if status != "draft":
            services.transition(official, policy, "open")
        return policy

    return factory


@pytest.fixture
def contribute(app):
    """Factory: contribute(author, body, policy=None, status=None) -> a base Contribution, admitted and committed."""
    from portal.contributions import services as contributions
    from portal.contributions.models import Contribution

    def factory(author, body: str, policy=None, status: str | None = None):
        item = Contribution(body=body, policy_id=policy.id if policy is not None else None)
        contributions.admit(author, item)
        if status is not None:
            item.status = status
        db.session.commit()
        return item

    return factory


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
