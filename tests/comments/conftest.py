"""Fixtures for the comment tests: people, an open policy with articles, and a
signed-in client that reads pages in English."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from portal.extensions import utcnow
from portal.proposals import services as proposals

POLICY_V1 = """Rancangan Peraturan Wali Kota Medan tentang Analisis Kebutuhan Jabatan.

## BAB I — Ketentuan Umum

### Pasal 1 — Pengertian

Dalam Peraturan Wali Kota ini yang dimaksud dengan Daerah adalah Kota Medan.

### Pasal 2 — Tujuan

Analisis kebutuhan jabatan bertujuan menjamin pelayanan publik yang merata.

### Pasal 3 — Sumber Data

(1) Penghitungan memakai data kependudukan per kecamatan.
(2) Data diperbarui setiap 12 bulan.

### Pasal 4 — Rasio Minimal

Setiap kecamatan memiliki paling sedikit satu pekerja sosial.
"""

# Version 2 changes Pasal 3, keeps Pasal 1 and 2, removes Pasal 4.
POLICY_V2 = """Rancangan Peraturan Wali Kota Medan tentang Analisis Kebutuhan Jabatan.

## BAB I — Ketentuan Umum

### Pasal 1 — Pengertian

Dalam Peraturan Wali Kota ini yang dimaksud dengan Daerah adalah Kota Medan.

### Pasal 2 — Tujuan

Analisis kebutuhan jabatan bertujuan menjamin pelayanan publik yang merata.

### Pasal 3 — Sumber Data

(1) Penghitungan memakai data kependudukan dan data pengaduan masyarakat per kecamatan.
(2) Data diperbarui setiap 24 bulan.
"""


@pytest.fixture(autouse=True)
def _publish_at_once(publish_at_once):
    """Most tests want comments published at once; pre-moderation tests set N themselves."""


@pytest.fixture
def make_policy(moderator):
    """Factory: an open policy (version 1 = POLICY_V1) through the proposal services."""

    def factory(title: str = "Rancangan Perwal Analisis Kebutuhan Jabatan", positions=()):
        now = utcnow()
        policy = proposals.create_policy(
            moderator, title=title, kind="Rancangan Peraturan Wali Kota", summary="Ringkasan.",
            body=POLICY_V1, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=10),
            position_ids=[p.id for p in positions],
        )
        proposals.transition(moderator, policy, "open")
        return policy

    return factory


@pytest.fixture
def policy(make_policy):
    """An open policy."""
    return make_policy()


@pytest.fixture
def sign_in(english, login_as):
    """Sign `user` in on the (English) client, signing out whoever was signed in before."""

    def do(user):
        with english.session_transaction() as session:
            for key in ("_user_id", "_fresh", "_id"):
                session.pop(key, None)
            session["lang"] = "en"
        return login_as(user)

    return do


def text_of(page: str) -> str:
    """The page as a reader sees it: tags removed, entities decoded, white space folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def section(page: str, element_id: str) -> str:
    """The text of the element with `element_id` up to the next article/section of the same kind."""
    start = page.index(f'id="{element_id}"')
    ends = [page.find(marker, start + len(element_id) + 40) for marker in ('class="policy-article"', 'id="comments"')]
    ends = [end for end in ends if end != -1]
    return page[start:min(ends) if ends else len(page)]
