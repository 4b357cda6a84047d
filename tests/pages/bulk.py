"""Many published comments, posts and field comments at once (one transaction, through the ORM),
for the tests that prove a page does not grow with what people wrote."""

from __future__ import annotations

import itertools
from datetime import timedelta

from portal.comments.models import POSITION_FIELDS, STANCES, Comment, Endorsement
from portal.extensions import db, utcnow
from portal.forums.models import Post

_serial = itertools.count(1)
GROUPS = ("citizen", "ngo", "academic")


def add_comments(policy, authors, count: int, *, position=None, endorsers=()) -> list[Comment]:
    """`count` published comments spread over the policy's articles (or the position's fields),
    every fifth one on the whole policy, every seventh a reply; the first few endorsed."""
    version = policy.current_version
    keys = [article.key for article in version.articles] if position is None else list(POSITION_FIELDS)
    now = utcnow()
    comments: list[Comment] = []
    for n in range(count):
        author = authors[n % len(authors)]
        at = now - timedelta(seconds=count - n)
        comment = Comment(
            kind="comment", public_id=f"KMT-BULK-{next(_serial):07d}", author_id=author.id,
            body=f"Komentar nomor {n} tentang ketentuan ini.", status="published",
            policy_id=policy.id, stakeholder_group=GROUPS[n % len(GROUPS)],
            created_at=at, published_at=at, updated_at=at, stance=STANCES[n % len(STANCES)],
            suggested_wording="",
        )
        if position is None:
            comment.version_id = version.id
            comment.article_key = None if n % 5 == 0 else keys[n % len(keys)]
        else:
            comment.position_id, comment.position_field = position.id, keys[n % len(keys)]
        if n % 7 == 6 and comments:
            parent = comments[n - 6] if comments[n - 6].parent is None else comments[0]
            comment.parent = parent
            comment.article_key, comment.position_field = parent.article_key, parent.position_field
            comment.stance = None
        comments.append(comment)
    db.session.add_all(comments)
    db.session.flush()
    for comment in comments[:3]:
        for user in endorsers:
            db.session.add(Endorsement(comment_id=comment.id, user_id=user.id, created_at=now))
    db.session.commit()
    return comments


def add_posts(thread, authors, count: int) -> None:
    """`count` published answers in a forum thread, every fourth one a reply to the opening post."""
    now = utcnow()
    opening = thread.posts[0]
    posts = []
    for n in range(count):
        at = now - timedelta(seconds=count - n)
        posts.append(Post(
            kind="post", public_id=f"FRM-BULK-{next(_serial):07d}", author_id=authors[n % len(authors)].id,
            body=f"Jawaban nomor {n} dalam diskusi ini.", status="published", policy_id=thread.policy_id,
            stakeholder_group=GROUPS[n % len(GROUPS)], created_at=at, published_at=at, updated_at=at,
            thread_id=thread.id, parent_id=opening.id if n % 4 == 3 else None,
        ))
    db.session.add_all(posts)
    thread.last_post_at = now
    db.session.commit()
