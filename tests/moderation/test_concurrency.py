"""Many people writing at the same moment lose nothing and get distinct receipts.

Runs against PostgreSQL when TEST_DATABASE_URL is set; on the SQLite file
database the writers are serialised by SQLite's lock, which must still lose
nothing.
"""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from portal.accounts.models import User
from portal.extensions import db
from portal.moderation import services
from portal.moderation.models import Contribution, ContributionEvent

WRITERS = 20


def test_twenty_concurrent_writers_get_distinct_public_ids_and_no_row_is_lost(app, make_user):
    user_ids = [make_user(role="ngo", organisation="LSM Serentak", verified=True).id for _ in range(WRITERS)]
    db.session.remove()  # the threads open their own sessions
    start = threading.Barrier(WRITERS)
    public_ids: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def write(user_id: int, n: int) -> None:
        try:
            with app.app_context():
                # Wait before touching the database: the pool has fewer than 20 connections.
                start.wait(timeout=30)
                author = db.session.get(User, user_id)
                contribution = Contribution(body=f"Masukan serentak nomor {n} untuk Pasal 5.")
                services.admit(author, contribution)
                db.session.commit()
                with lock:
                    public_ids.append(contribution.public_id)
        except BaseException as error:  # reported below, so a failing thread fails the test
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=write, args=(uid, n)) for n, uid in enumerate(user_ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert len(public_ids) == WRITERS
    assert len(set(public_ids)) == WRITERS
    assert db.session.scalar(select(func.count(Contribution.id))) == WRITERS
    assert db.session.scalar(select(func.count(ContributionEvent.id))) == WRITERS
    stored = set(db.session.scalars(select(Contribution.public_id)))
    assert stored == set(public_ids)
    bodies = set(db.session.scalars(select(Contribution.body)))
    assert bodies == {f"Masukan serentak nomor {n} untuk Pasal 5." for n in range(WRITERS)}
