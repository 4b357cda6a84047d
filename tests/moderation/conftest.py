"""What only the moderation tests need: a trusted author and one published contribution.
Plain Contribution rows (tests/conftest.py contribute(), kind "contribution") stand in for
comments, submissions and posts, so no test table joins the shared schema."""

from __future__ import annotations

import pytest


@pytest.fixture
def trusted(make_user):
    """A verified NGO member, whose contributions are published at once."""
    return make_user(role="ngo", organisation="LSM Transparansi Medan", verified=True)


@pytest.fixture
def published(contribute, trusted):
    """A published contribution by the trusted member."""
    return contribute(trusted, "Kebutuhan pegawai di Puskesmas belum dihitung dengan ABK terbaru.")
