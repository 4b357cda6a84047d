"""Twenty people commenting on the same article at the same moment lose no
comment and get distinct public ids (on PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.accounts.models import User
from portal.comments import services
from portal.comments.models import Comment
from portal.extensions import db
from portal.proposals.models import Policy

WRITERS = 20


def test_twenty_users_commenting_on_one_article_at_once_lose_nothing(app, make_user, policy, at_once):
    user_ids = [make_user(display_name=f"Warga {n}").id for n in range(WRITERS)]
    policy_id = policy.id

    def write(n: int) -> str:
        comment = services.post_comment(
            db.session.get(User, user_ids[n]), db.session.get(Policy, policy_id),
            body=f"Komentar serentak nomor {n} tentang sumber data.", stance="objects", article_key="pasal-3",
        )
        return comment.public_id

    public_ids = at_once(write, WRITERS)
    assert len(public_ids) == WRITERS and len(set(public_ids)) == WRITERS
    assert db.session.scalar(select(func.count(Comment.id))) == WRITERS
    assert set(db.session.scalars(select(Comment.public_id))) == set(public_ids)
    assert set(db.session.scalars(select(Comment.body))) == {
        f"Komentar serentak nomor {n} tentang sumber data." for n in range(WRITERS)
    }
    reader = db.session.get(User, user_ids[0])
    assert services.counts_by_article(reader, db.session.get(Policy, policy_id)) == {"pasal-3": WRITERS}
