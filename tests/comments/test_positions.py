"""Comments on a position record's fields: allowed while a linked policy is open."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.comments import services
from portal.comments.models import Comment
from portal.errors import Conflict, ValidationError
from portal.extensions import db

from tests.conftest import text_of


@pytest.fixture
def position(make_opd, make_position):
    """A position record of Dinas Sosial."""
    return make_position(opd=make_opd(code="DINSOS", name="Dinas Sosial"), code="DINSOS-005",
                         name="Pekerja Sosial Ahli Pertama", position_type="fungsional", grade=8,
                         requirements="S1 Kesejahteraan Sosial.", required_count=21, incumbent_count=9)


def test_a_comment_on_a_position_field_shows_on_the_position_page(english, sign_in, member, make_policy, position):
    policy = make_policy(positions=[position])
    sign_in(member)
    response = english.post(
        f"/positions/{position.id}/comments",
        data={"position_field": "required_count", "stance": "objects",
              "body": "Kebutuhan 21 orang terlalu rendah untuk 21 kecamatan.", "suggested_wording": "42"},
    )
    comment = db.session.scalar(select(Comment))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#c-{comment.id}")
    assert (comment.position_id, comment.position_field, comment.policy_id) == (position.id, "required_count", policy.id)
    page = english.get(f"/positions/{position.id}").get_data(as_text=True)
    part = text_of(page[page.index('id="field-required_count"'):page.index('id="field-required_count"') + 4000])
    assert "Kebutuhan 21 orang terlalu rendah untuk 21 kecamatan." in part and "1 comment" in part
    assert services.comments_for_policy(member, policy) == {}, "position comments stay off the article lists"


def test_an_unknown_field_is_refused_and_the_text_kept(english, sign_in, citizen, make_policy, position):
    make_policy(positions=[position])
    sign_in(citizen)
    response = english.post(f"/positions/{position.id}/comments",
                            data={"position_field": "salary", "stance": "objects", "body": "Teks saya tetap ada."})
    assert response.status_code == 400
    assert "Teks saya tetap ada." in response.get_data(as_text=True)
    with pytest.raises(ValidationError):
        services.post_position_comment(citizen, position, "salary", "Isi.", "objects")


def test_position_comments_close_when_no_linked_policy_is_open(english, sign_in, citizen, moderator, make_policy,
                                                                position):
    from portal.proposals import services as proposals

    with pytest.raises(Conflict):
        services.post_position_comment(citizen, position, "requirements", "Belum ada kebijakan.", "objects")
    policy = make_policy(positions=[position])
    services.post_position_comment(citizen, position, "requirements", "Syarat S1 terlalu sempit.", "objects")
    proposals.transition(moderator, policy, "closed")
    with pytest.raises(Conflict):
        services.post_position_comment(citizen, position, "requirements", "Setelah ditutup.", "objects")
    sign_in(citizen)
    response = english.post(f"/positions/{position.id}/comments",
                            data={"position_field": "requirements", "stance": "objects", "body": "Terlambat."})
    assert response.status_code == 409
    page = english.get(f"/positions/{position.id}").get_data(as_text=True)
    assert "Syarat S1 terlalu sempit." in page, "reading stays"
    assert "accepted only while a draft policy about it is open" in text_of(page)
