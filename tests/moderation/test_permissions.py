"""The moderation permission rules as a table: actor x action x expected answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin

from portal import permissions
from portal.extensions import db, utcnow
from portal.contributions.models import Contribution

ACTORS = ("anonymous", "citizen", "suspended", "author", "verified_ngo", "moderator", "admin")

# action, state of the item, then the expected answer for each actor in ACTORS order.
TABLE = [
    ("contribution.create", None, (0, 1, 0, 1, 1, 1, 1)),
    ("contribution.flag", "published", (0, 1, 0, 0, 1, 1, 1)),
    ("contribution.flag", "pending", (0, 0, 0, 0, 0, 0, 0)),
    ("contribution.flag", "hidden", (0, 0, 0, 0, 0, 0, 0)),
    ("contribution.appeal", "hidden", (0, 0, 0, 1, 0, 0, 0)),
    ("contribution.appeal", "published", (0, 0, 0, 0, 0, 0, 0)),
    ("contribution.withdraw", "published", (0, 0, 0, 1, 0, 0, 0)),
    ("contribution.withdraw", "pending", (0, 0, 0, 1, 0, 0, 0)),
    ("contribution.withdraw", "withdrawn", (0, 0, 0, 0, 0, 0, 0)),
    ("moderation.queue", None, (0, 0, 0, 0, 0, 1, 1)),
    ("moderation.act", "pending", (0, 0, 0, 0, 0, 1, 1)),
    ("moderation.act", "published", (0, 0, 0, 0, 0, 1, 1)),
]


@pytest.fixture
def actors(make_user):
    """One user per row of the table; the author wrote the item."""
    suspended = make_user()
    suspended.suspended_until = utcnow() + timedelta(days=1)
    db.session.commit()
    return {
        "anonymous": AnonymousUserMixin(),
        "citizen": make_user(),
        "suspended": suspended,
        "author": make_user(),
        "verified_ngo": make_user(role="ngo", organisation="LSM Pantau ASN", verified=True),
        "moderator": make_user(role="moderator"),
        "admin": make_user(role="admin"),
    }


@pytest.mark.parametrize("action, status, expected", TABLE, ids=[f"{a}-{s}" for a, s, _ in TABLE])
def test_moderation_permissions(actors, action, status, expected):
    item = None
    if status is not None:
        item = Contribution(body="x", status=status, author_id=actors["author"].id)
    answers = tuple(int(permissions.can(actors[name], action, item)) for name in ACTORS)
    assert dict(zip(ACTORS, answers, strict=True)) == dict(zip(ACTORS, expected, strict=True))


@pytest.mark.parametrize(
    "actor, target, expected",
    [
        ("citizen", "author", False),
        ("moderator", "citizen", True),
        ("moderator", "verified_ngo", True),
        ("moderator", "admin", False),
        ("moderator", "moderator", False),
        ("admin", "moderator", True),
        ("admin", "admin", False),
        ("anonymous", "citizen", False),
    ],
)
def test_who_may_suspend_whom(actors, actor, target, expected):
    assert permissions.can(actors[actor], "moderation.suspend", actors[target]) is expected
