"""The officials' forms: new policy, details and linked positions, bad input, naughty strings."""

from __future__ import annotations

from datetime import datetime, timezone

from markupsafe import escape
from sqlalchemy import select

from portal.extensions import db
from portal.positions.models import Opd, Position
from portal.proposals.models import Policy
from tests.proposals.conftest import BODY


def _form(**overrides):
    data = {
        "title": "Rancangan Perwal Analisis Jabatan",
        "kind": "Rancangan Peraturan Wali Kota",
        "summary": "Ringkasan.",
        "opd_id": "",
        "opens_at": "2030-01-01T08:00",
        "closes_at": "2030-01-31T17:00",
        "body": BODY,
    }
    data.update(overrides)
    return data


def _positions():
    opd = Opd(code="BKPSDM", name="Badan Kepegawaian dan Pengembangan SDM", short_name="BKPSDM")
    first = Position(code="BKPSDM-01", name="Analis Kepegawaian", opd=opd, position_type="fungsional", grade=9)
    second = Position(code="BKPSDM-02", name="Pengelola Data", opd=opd, position_type="pelaksana", grade=7)
    db.session.add_all([opd, first, second])
    db.session.commit()
    return opd, first, second


def test_official_creates_a_draft_with_times_entered_in_wib(client, official, login_as):
    login_as(official)
    assert client.get("/policies/new").status_code == 200
    response = client.post("/policies/new", data=_form())
    assert response.status_code == 302
    policy = db.session.scalar(select(Policy))
    assert response.headers["Location"].endswith(f"/policies/{policy.slug}")
    assert policy.slug == "rancangan-perwal-analisis-jabatan"
    assert policy.status == "draft"
    assert policy.opens_at == datetime(2030, 1, 1, 1, 0, tzinfo=timezone.utc)  # 08:00 WIB
    assert policy.closes_at == datetime(2030, 1, 31, 10, 0, tzinfo=timezone.utc)
    assert [a.key for a in policy.current_version.articles] == ["pembukaan", "pasal-1", "pasal-2", "pasal-3"]
    # The same title again gets its own address.
    client.post("/policies/new", data=_form())
    assert {p.slug for p in db.session.scalars(select(Policy))} == {policy.slug, policy.slug + "-2"}


def test_edit_form_shows_wib_times_and_links_positions(client, official, login_as, make_policy):
    opd, first, second = _positions()
    policy = make_policy("draft", opens_at=datetime(2030, 1, 1, 1, 0, tzinfo=timezone.utc),
                         closes_at=datetime(2030, 2, 1, 1, 0, tzinfo=timezone.utc))
    login_as(official)
    page = client.get(f"/policies/{policy.slug}/edit").get_data(as_text=True)
    assert 'value="2030-01-01T08:00"' in page
    data = _form(title="Judul Baru", opd_id=str(opd.id), position_ids=[str(first.id), str(second.id)])
    del data["body"]
    response = client.post(f"/policies/{policy.slug}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(policy)
    assert policy.title == "Judul Baru" and policy.opd_id == opd.id
    assert [p.code for p in policy.positions] == ["BKPSDM-01", "BKPSDM-02"]
    page = client.get(f"/policies/{policy.slug}").get_data(as_text=True)
    assert f'href="/positions/{first.id}"' in page and "Analis Kepegawaian" in page


def test_bad_form_input_is_shown_again_with_400(client, official, login_as):
    _opd, first, _second = _positions()
    login_as(official)
    cases = [
        _form(title=""),
        _form(body="   "),
        _form(opens_at="2030-02-01T08:00", closes_at="2030-01-01T08:00"),
        _form(opens_at="kemarin"),
        _form(opens_at="0001-01-01T00:00"),
        _form(opd_id="999999"),
        _form(opd_id="abc"),
        _form(position_ids=["abc"]),
        _form(position_ids=[str(first.id + 1000)]),
        _form(title="x" * 301),
    ]
    for data in cases:
        response = client.post("/policies/new", data=data)
        assert response.status_code == 400, data
        assert "### Pasal 1" in response.get_data(as_text=True) or not data["body"].strip()
    assert db.session.scalar(select(Policy)) is None


def test_citizens_and_visitors_cannot_create_or_edit(client, make_user, login_as, make_policy):
    policy = make_policy(status="open")
    response = client.get("/policies/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login_as(make_user())
    assert client.get("/policies/new").status_code == 403
    assert client.post("/policies/new", data=_form()).status_code == 403
    assert client.get(f"/policies/{policy.slug}/edit").status_code == 403
    assert db.session.scalar(select(Policy).where(Policy.id != policy.id)) is None


def test_every_naughty_string_as_a_title_round_trips_and_is_escaped(client, official, login_as, blns):
    login_as(official)
    refused = []
    for title in blns:
        response = client.post("/policies/new", data=_form(title=title))
        if not title.strip():
            assert response.status_code == 400
            refused.append(title)
            continue
        assert response.status_code == 302, title
        slug = response.headers["Location"].rsplit("/", 1)[-1]
        assert db.session.scalar(select(Policy.title).where(Policy.slug == slug)) == title
        page = client.get(f"/policies/{slug}")
        assert page.status_code == 200, title
        assert str(escape(title)) in page.get_data(as_text=True)
        db.session.expire_all()
    assert len(refused) < 5
    listing = client.get("/policies/")
    assert listing.status_code == 200
    assert "<script>alert(" not in listing.get_data(as_text=True)
