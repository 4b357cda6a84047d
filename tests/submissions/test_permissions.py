"""Who may do what with formal submissions, as a table. (That every mutating
service asks permission first is tests/permissions/.)"""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal import permissions
from portal.extensions import utcnow
from portal.submissions.models import CoSignature, Submission


@pytest.fixture
def actors(make_user, ngo, academic, official):
    return {
        "anonymous": None,
        "citizen": make_user(),
        "unverified": make_user(role="ngo", organisation="LSM Baru", verified=False),
        "suspended": make_user(role="ngo", organisation="LSM Ditangguhkan", verified=True,
                               suspended_until=utcnow() + timedelta(days=3)),
        "ngo": ngo,
        "academic": academic,
        "official": official,
    }


@pytest.mark.parametrize(
    "actor, expected",
    [("anonymous", False), ("citizen", False), ("unverified", False), ("suspended", False),
     ("ngo", True), ("academic", True), ("official", False)],
)
def test_who_may_send_a_formal_submission(actors, policy, actor, expected):
    assert permissions.can(actors[actor], "submission.create", policy) is expected


@pytest.mark.parametrize(
    "actor, expected",
    [("anonymous", False), ("citizen", False), ("ngo", False), ("official", True)],
)
def test_who_may_record_offline_input(actors, policy, actor, expected):
    assert permissions.can(actors[actor], "submission.record_offline", policy) is expected


@pytest.mark.parametrize(
    "actor, action, expected",
    [
        ("ngo", "submission.withdraw", True),
        ("academic", "submission.withdraw", False),
        ("official", "submission.withdraw", False),
        ("ngo", "submission.invite_cosigner", True),
        ("academic", "submission.invite_cosigner", False),
        ("academic", "submission.cosign", True),
        ("ngo", "submission.cosign", False),
        ("citizen", "submission.cosign", False),
    ],
)
def test_who_may_withdraw_invite_and_cosign(actors, policy, actor, action, expected):
    submission = Submission(author_id=actors["ngo"].id, status="published", policy=policy, title="t", body="b")
    target = submission
    if action == "submission.cosign":
        target = CoSignature(organisation_id=actors["academic"].organisation_id, status="requested")
    assert permissions.can(actors[actor], action, target) is expected
