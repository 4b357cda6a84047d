"""Twenty people commenting on the same article at the same moment lose no
comment and get distinct public ids (on PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from portal.accounts.models import User
from portal.comments import services
from portal.comments.models import Comment
from portal.extensions import db
from portal.proposals.models import Policy

WRITERS = 20


def test_twenty_users_commenting_on_one_article_at_once_lose_nothing(app, make_user, policy):
    user_ids = [make_user(display_name=f"Warga {n}").id for n in range(WRITERS)]
    policy_id = policy.id
    db.session.remove()  # each thread opens its own session
    start = threading.Barrier(WRITERS)
    public_ids: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def write(user_id: int, n: int) -> None:
        try:
            with app.app_context():
                start.wait(timeout=30)
                author = db.session.get(User, user_id)
                target = db.session.get(Policy, policy_id)
                comment = services.post_comment(
                    author, target, body=f"Komentar serentak nomor {n} tentang sumber data.",
                    stance="objects", article_key="pasal-3",
                )
                with lock:
                    public_ids.append(comment.public_id)
                db.session.remove()
        except BaseException as error:  # reported below, so a failing thread fails the test
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=write, args=(uid, n)) for n, uid in enumerate(user_ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert len(public_ids) == WRITERS and len(set(public_ids)) == WRITERS
    assert db.session.scalar(select(func.count(Comment.id))) == WRITERS
    assert set(db.session.scalars(select(Comment.public_id))) == set(public_ids)
    assert set(db.session.scalars(select(Comment.body))) == {
        f"Komentar serentak nomor {n} tentang sumber data." for n in range(WRITERS)
    }
    reader = db.session.get(User, user_ids[0])
    assert services.counts_by_article(reader, db.session.get(Policy, policy_id)) == {"pasal-3": WRITERS}
