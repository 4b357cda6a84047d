"""Fixtures for the forum tests: people with different rights, categories,
threads and a policy, all made through the services."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from portal.extensions import utcnow
from portal.forums import services

PASSWORD = "kata-sandi-rahasia-42"  # the password tests/conftest.py gives every user

POLICY_BODY = """Rancangan Peraturan Wali Kota Medan tentang Manajemen Jabatan.

## BAB I — Ketentuan Umum

### Pasal 1

Kebutuhan pegawai dihitung setiap tahun oleh BKPSDM.
"""


@pytest.fixture(autouse=True)
def _publish_at_once(publish_at_once):
    """Most tests want posts published at once; pre-moderation tests set N themselves."""


@pytest.fixture
def general(moderator):
    """A general, open category."""
    return services.create_category(moderator, "Umum", "Diskusi umum tentang manajemen jabatan ASN.")


@pytest.fixture
def roundtable(moderator):
    """A restricted category: readable by all, writable by verified organisation members."""
    return services.create_category(
        moderator, "Meja Bundar LSM & Akademisi", "Forum terbatas.", restricted=True
    )


@pytest.fixture
def make_thread(general, citizen):
    """Factory: make_thread(author=citizen, category=general, title=..., body=...)."""

    def factory(author=None, category=None, title="Kebutuhan perawat di Puskesmas", body=None):
        body = body or f"Apakah ABK Puskesmas sudah dihitung ulang? ({title})"
        return services.start_thread(author or citizen, category or general, title, body)

    return factory


@pytest.fixture
def make_policy(moderator):
    """Factory: make_policy(status="open") through the proposal services."""
    from portal.proposals import services as proposals

    def factory(status: str = "open", title: str = "Rancangan Perwal Manajemen Jabatan"):
        now = utcnow()
        policy = proposals.create_policy(
            moderator, title=title, kind="Rancangan Peraturan Wali Kota", summary="Ringkasan.",
            body=POLICY_BODY, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=10),
        )
        if status != "draft":
            proposals.transition(moderator, policy, "open")
        return policy

    return factory


def text_of(page: str) -> str:
    """The page as a reader sees it: tags removed, entities decoded, white space folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture
def sign_in(client, login_as):
    """Sign `user` in on the client, signing out whoever was signed in before."""

    def do(user):
        with client.session_transaction() as session:
            for key in ("_user_id", "_fresh", "_id"):
                session.pop(key, None)
        return login_as(user)

    return do


def tr(msgid: str, **variables) -> str:
    """`msgid` as the interface language shows it (the tests read pages in the default language)."""
    from flask_babel import gettext

    return gettext(msgid, **variables)
