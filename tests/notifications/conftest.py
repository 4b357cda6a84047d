"""Fixtures for the notification tests: an open policy to follow, contributions, mail files."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta
from pathlib import Path

import pytest

from portal.extensions import db, utcnow
from portal.contributions import services as contributions
from portal.contributions.models import Contribution


@pytest.fixture
def policy(app, make_user):
    """An open draft policy, created by an official through the services."""
    from portal.proposals import services

    official = make_user(role="moderator", display_name="Pejabat BKPSDM")
    now = utcnow()
    policy = services.create_policy(
        official,
        body="Rancangan Perwal.\n\n### Pasal 1\n\nJabatan adalah kedudukan.\n",
        title="Rancangan Perwal Manajemen Jabatan",
        kind="Rancangan Peraturan Wali Kota",
        summary="Ringkasan.",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=10),
    )
    services.transition(official, policy, "open")
    return policy


@pytest.fixture
def contribute(app):
    """Factory: contribute(author, body) admits and commits a plain contribution."""

    def factory(author, body: str = "Pasal 1 perlu definisi OPD yang lebih jelas."):
        contribution = Contribution(body=body)
        contributions.admit(author, contribution)
        db.session.commit()
        return contribution

    return factory


@pytest.fixture
def mails(app):
    """Read the mail files the file backend wrote: mails() -> list of (to, subject, body)."""
    outbox = Path(app.instance_path) / "mail"

    def read() -> list[tuple[str, str, str]]:
        if not outbox.exists():
            return []
        messages = [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default) for path in outbox.glob("*.eml")
        ]
        return sorted((m["To"], m["Subject"], m.get_content()) for m in messages)

    return read
