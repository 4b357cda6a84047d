"""Naughty strings and XSS payloads as comments: never a 500, stored exactly as
sent, rendered without executable markup."""

from __future__ import annotations

import random

from sqlalchemy import select

from portal.comments import services
from portal.comments.models import Comment
from portal.errors import ValidationError
from portal.extensions import db

from tests.conftest import executable_markup, naughty_texts, should_refuse


def test_every_naughty_string_and_payload_round_trips_through_the_service(english, blns, member, policy):
    previous = None
    kept: dict[int, str] = {}
    for n, sent in enumerate(naughty_texts(blns)):
        try:
            # Each on another article than the last one kept: the same text again is then refused
            # (on the same article it would be the same form resent, answered with the one saved).
            comment = services.post_comment(
                member, policy, body=sent, stance="suggests_change", article_key=f"pasal-{3 + len(kept) % 2}",
                suggested_wording=sent if n % 3 == 0 else "",
            )
        except ValidationError as refused:
            assert refused.field == "body", repr(sent)
            assert should_refuse(sent, previous, services.MAX_BODY), repr(sent)
            db.session.rollback()
            continue
        assert not should_refuse(sent, previous, services.MAX_BODY), repr(sent)
        kept[comment.id] = sent
        previous = sent
    assert len(kept) > 2000
    db.session.expire_all()
    stored = dict(db.session.execute(select(Comment.id, Comment.body).where(Comment.id.in_(kept))).all())
    assert stored == kept, "every body is stored exactly as sent"
    wordings = dict(db.session.execute(
        select(Comment.id, Comment.suggested_wording).where(Comment.id.in_(kept), Comment.suggested_wording != "")
    ).all())
    assert wordings and all(kept[cid] == wording for cid, wording in wordings.items())

    response = english.get(f"/policies/{policy.slug}")
    assert response.status_code == 200
    # the draft page's own script (same origin, keeps the reader's place) is the only one allowed
    page = response.get_data(as_text=True).replace('<script src="/static/js/place.js" defer></script>', "")
    assert executable_markup(page) == []
    assert "<script" not in page.lower()


def test_a_sample_of_payloads_through_the_comment_form(english, sign_in, blns, member, policy):
    sample = random.Random(5).sample(naughty_texts(blns), 100)
    sign_in(member)
    previous = None
    for sent in sample:
        before = db.session.query(Comment).count()
        response = english.post(
            f"/policies/{policy.slug}/comments",
            data={"article_key": "pasal-1", "stance": "objects", "body": sent, "suggested_wording": sent},
        )
        assert response.status_code in (302, 400), (response.status_code, repr(sent))
        db.session.expire_all()
        if response.status_code == 400:
            assert should_refuse(sent, previous, services.MAX_BODY), repr(sent)
            assert db.session.query(Comment).count() == before
            assert executable_markup(response.get_data(as_text=True)) == [], repr(sent)
            continue
        newest = db.session.scalar(select(Comment).order_by(Comment.id.desc()).limit(1))
        assert newest.body == sent and newest.suggested_wording == sent, repr(sent)
        previous = sent
    page = english.get(f"/policies/{policy.slug}").get_data(as_text=True)
    assert executable_markup(page) == []


def test_a_refused_payload_is_shown_back_escaped(english, sign_in, member, policy):
    sign_in(member)
    payload = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    response = english.post(f"/policies/{policy.slug}/comments",
                            data={"article_key": "pasal-1", "body": payload, "suggested_wording": payload})
    assert response.status_code == 400, "no stance"
    page = response.get_data(as_text=True)
    assert executable_markup(page) == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_garbled_form_values_answer_400_not_500(english, sign_in, member, policy):
    sign_in(member)
    for data in (
        {"stance": "loves-it", "body": "Isi."},
        {"stance": "supports", "body": "Isi 2.", "article_key": "x" * 500},
        {"stance": "supports", "body": "Isi 3.", "parent": "99999999999999999999"},
        {"stance": "supports", "body": "Isi 4.", "parent": "424242"},
        {"stance": "supports", "body": "x" * (services.MAX_BODY + 1)},
    ):
        response = english.post(f"/policies/{policy.slug}/comments", data=data)
        assert response.status_code == 400, data
    assert english.post("/comments/KMT-2026-999999/agree").status_code == 404
    assert english.post("/policies/no-such-policy/comments", data={"body": "x"}).status_code == 404
