"""Fixtures for the moderation tests: plain Contribution rows stand in for
comments, submissions and posts, so no test table joins the shared schema."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.contributions import services as contributions
from portal.contributions.models import Contribution


@pytest.fixture
def contribute(app):
    """Factory: contribute(author, body=..., **fields) admits and commits a contribution."""

    def factory(author, body: str = "Pasal ini perlu memperhatikan jumlah penduduk kecamatan.", **fields):
        contribution = Contribution(body=body, **fields)
        contributions.admit(author, contribution)
        db.session.commit()
        return contribution

    return factory


@pytest.fixture
def moderator(make_user):
    """A moderator (an official)."""
    return make_user(role="moderator")


@pytest.fixture
def trusted(make_user):
    """A verified NGO member, whose contributions are published at once."""
    return make_user(role="ngo", organisation="LSM Transparansi Medan", verified=True)


@pytest.fixture
def published(contribute, trusted):
    """A published contribution by the trusted member."""
    return contribute(trusted, "Kebutuhan pegawai di Puskesmas belum dihitung dengan ABK terbaru.")
