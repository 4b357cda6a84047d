"""Twenty verified members submitting at the same moment each get their own receipt number.

Runs against PostgreSQL when TEST_DATABASE_URL is set; on SQLite the writers
are serialised by the database lock and must still lose nothing.
"""

from __future__ import annotations

from sqlalchemy import func, select

from portal.accounts.models import User
from portal.extensions import db
from portal.proposals.models import Policy
from portal.submissions import services
from portal.submissions.attachments import Upload
from portal.submissions.models import Attachment, Submission

WRITERS = 20


def test_twenty_concurrent_submitters_get_twenty_distinct_receipt_numbers(app, make_user, policy, pdf_bytes, at_once):
    user_ids = [
        make_user(role="ngo" if n % 2 else "academic", organisation=f"Organisasi {n}", verified=True).id
        for n in range(WRITERS)
    ]
    policy_id = policy.id

    def write(n: int) -> str:
        submission = services.submit(
            db.session.get(User, user_ids[n]), db.session.get(Policy, policy_id), f"Masukan serentak {n}",
            f"Isi masukan serentak nomor {n} untuk Pasal 5.", ["pasal-5"], [Upload(f"lampiran-{n}.pdf", pdf_bytes)],
        )
        return submission.public_id

    receipts = at_once(write, WRITERS)
    assert len(receipts) == WRITERS
    assert len(set(receipts)) == WRITERS
    assert set(db.session.scalars(select(Submission.public_id))) == set(receipts)
    assert db.session.scalar(select(func.count(Attachment.id))) == WRITERS
    stored_files = {a.stored_name for a in db.session.scalars(select(Attachment))}
    assert len(stored_files) == WRITERS
