"""Many people writing at the same moment lose nothing and get distinct receipts.

Runs against PostgreSQL when TEST_DATABASE_URL is set; on the SQLite file
database the writers are serialised by SQLite's lock, which must still lose
nothing.
"""

from __future__ import annotations

from sqlalchemy import func, select

from portal.accounts.models import User
from portal.extensions import db
from portal.contributions import services as contributions
from portal.contributions.models import Contribution, ContributionEvent

WRITERS = 20


def test_twenty_concurrent_writers_get_distinct_public_ids_and_no_row_is_lost(app, make_user, at_once):
    user_ids = [make_user(role="ngo", organisation="LSM Serentak", verified=True).id for _ in range(WRITERS)]

    def write(n: int) -> str:
        contribution = Contribution(body=f"Masukan serentak nomor {n} untuk Pasal 5.")
        contributions.admit(db.session.get(User, user_ids[n]), contribution)
        db.session.commit()
        return contribution.public_id

    public_ids = at_once(write, WRITERS)
    assert len(public_ids) == WRITERS
    assert len(set(public_ids)) == WRITERS
    assert db.session.scalar(select(func.count(Contribution.id))) == WRITERS
    assert db.session.scalar(select(func.count(ContributionEvent.id))) == WRITERS
    stored = set(db.session.scalars(select(Contribution.public_id)))
    assert stored == set(public_ids)
    bodies = set(db.session.scalars(select(Contribution.body)))
    assert bodies == {f"Masukan serentak nomor {n} untuk Pasal 5." for n in range(WRITERS)}
