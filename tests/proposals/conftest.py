"""Fixtures for draft-policy tests: an official and a policy factory."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.extensions import utcnow

BODY = """Rancangan Peraturan Wali Kota Medan tentang Manajemen Jabatan.

## BAB I — Ketentuan Umum

### Pasal 1
Pengertian

(1) Jabatan adalah kedudukan yang menunjukkan tugas dan tanggung jawab.
(2) OPD adalah perangkat daerah Kota Medan.

### Pasal 2
Ruang Lingkup

Peraturan ini mengatur analisis jabatan dan analisis beban kerja.

## BAB II — Kebutuhan Pegawai

### Pasal 3

Kebutuhan pegawai dihitung setiap tahun oleh BKPSDM.
"""


@pytest.fixture
def official(make_user):
    """A moderator (official) account."""
    return make_user(role="moderator", display_name="Pejabat BKPSDM")


@pytest.fixture
def make_policy(app, official):
    """Factory: make_policy(status="draft", body=BODY, **details) through the services."""
    from portal.proposals import services

    def factory(status: str = "draft", body: str = BODY, **details):
        now = utcnow()
        details.setdefault("title", "Rancangan Perwal Manajemen Jabatan")
        details.setdefault("kind", "Rancangan Peraturan Wali Kota")
        details.setdefault("summary", "Ringkasan kebijakan.")
        details.setdefault("opens_at", now - timedelta(days=1))
        details.setdefault("closes_at", now + timedelta(days=10, hours=1))
        policy = services.create_policy(official, body=body, **details)
        path = {"draft": [], "open": ["open"], "closed": ["open", "closed"],
                "adopted": ["open", "closed", "adopted"], "withdrawn": ["open", "closed", "withdrawn"]}[status]
        for target in path:
            services.transition(official, policy, target)
        return policy

    return factory
