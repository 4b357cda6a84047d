"""The demo comments: spread over the three demo policies, some waiting, some hidden."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from portal.comments.demo import seed_comments_demo
from portal.comments.models import Comment, Endorsement
from portal.demo.seed import seed_demo
from portal.extensions import db


def test_the_demo_comments_cover_the_three_policies_with_pending_and_hidden_ones(app, english):
    app.config["MODERATION_PREMODERATE_FIRST_N"] = 2
    seed_demo()  # seeds the demo comments along with everything else
    created = list(db.session.scalars(select(Comment)))
    assert len(created) >= 25
    assert len({c.policy_id for c in created}) == 3
    statuses = Counter(c.status for c in created)
    assert 2 <= statuses["pending"] <= 3 and 1 <= statuses["hidden"] <= 2
    assert all(c.hidden_note for c in created if c.status == "hidden")
    assert any(c.parent_id for c in created) and any(c.suggested_wording for c in created)
    assert db.session.scalar(select(func.count(Endorsement.id))) >= 10
    assert seed_comments_demo() == [], "running it twice adds nothing"
    needs = next(c.policy for c in created if "Analisis Kebutuhan" in c.policy.title)
    page = english.get(f"/policies/{needs.slug}").get_data(as_text=True)
    assert "Made on version 1" in page and "This article has changed since" in page
    assert "Comments on removed articles" in page and "Pasal 17" in page
    assert db.session.scalar(select(func.count(Comment.id))) == len(created)
