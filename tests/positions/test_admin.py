"""Admins create and edit position records; everyone else is refused."""

from __future__ import annotations

import json

import pytest
from markupsafe import escape
from sqlalchemy import select

from portal.errors import PermissionDenied
from portal.extensions import db
from portal.positions import services
from portal.positions.models import Position

from tests.conftest import audit_entries


def _form(opd, **overrides) -> dict:
    data = {
        "code": "DINKES-01",
        "name": "Kepala Seksi Pelayanan Kesehatan",
        "opd_id": str(opd.id),
        "unit": "Bidang Pelayanan",
        "parent_code": "",
        "position_type": "pengawas",
        "grade": "9",
        "summary": "Memimpin seksi.",
        "required_count": "2",
        "incumbent_count": "1",
        "service_area": "Kecamatan Medan Deli",
        "service_population": "187000",
    }
    data.update(overrides)
    return data


def test_admin_creates_a_position_and_the_audit_log_records_it(client, english, admin, login_as, make_opd):
    opd = make_opd()
    login_as(admin)
    response = client.post("/positions/new", data=_form(opd))
    assert response.status_code == 302
    position = db.session.scalar(select(Position).where(Position.code == "DINKES-01"))
    assert response.headers["Location"].endswith(f"/positions/{position.id}")
    assert (position.grade, position.required_count, position.service_population) == (9, 2, 187000)
    entry = audit_entries("position.create")[0]
    assert entry.actor_id == admin.id and entry.target_id == position.id
    assert "Shortage of 1" in client.get(f"/positions/{position.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"grade": "18"}, "grade", "must be a whole number from 1 to 17"),
        ({"grade": "tujuh"}, "grade", "must be a whole number from 1 to 17"),
        ({"required_count": "-1"}, "required_count", "0 or more"),
        ({"incumbent_count": "1.5"}, "incumbent_count", "0 or more"),
        ({"position_type": "raja"}, "position_type", "Choose a position type"),
        ({"name": "   "}, "name", "Enter the position name"),
        ({"code": "kode dengan spasi"}, "code", "Use only letters, digits"),
        ({"opd_id": "999999"}, "opd_id", "Choose the OPD"),
        ({"parent_code": "TIDAK-ADA"}, "parent_code", "No position has the code TIDAK-ADA"),
    ],
)
def test_invalid_form_answers_400_with_the_message_at_the_field(
    client, english, admin, login_as, make_opd, overrides, field, message
):
    opd = make_opd()
    login_as(admin)
    response = client.post("/positions/new", data=_form(opd, **overrides))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-errors">' in page
    assert message in page.split(f'id="{field}-errors">')[1].split("</p>")[0]
    assert db.session.scalar(select(Position.id)) is None


def test_form_shows_every_error_at_once_and_keeps_what_was_typed(client, english, admin, login_as, make_opd):
    opd = make_opd()
    login_as(admin)
    response = client.post("/positions/new", data=_form(opd, grade="0", required_count="x", summary="Teks saya"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="grade-errors"' in page and 'id="required_count-errors"' in page
    assert "Teks saya" in page


def test_duplicate_code_is_refused(client, english, admin, login_as, make_position):
    existing = make_position(code="DUP-1")
    login_as(admin)
    response = client.post("/positions/new", data=_form(existing.opd, code="DUP-1"))
    assert response.status_code == 400
    assert "Another position already has this code" in response.get_data(as_text=True)


def test_parent_in_another_opd_is_refused(client, english, admin, login_as, make_opd, make_position):
    boss = make_position(code="BOSS")
    login_as(admin)
    response = client.post("/positions/new", data=_form(make_opd(), parent_code="BOSS"))
    assert response.status_code == 400
    assert "must be in the same OPD" in response.get_data(as_text=True)
    assert boss.children == []


def test_admin_edits_a_position_and_the_audit_entry_names_the_changes(client, english, admin, login_as, make_position):
    position = make_position(name="Lama", grade=7)
    login_as(admin)
    form_page = client.get(f"/positions/{position.id}/edit").get_data(as_text=True)
    assert 'value="Lama"' in form_page
    data = _form(position.opd, code=position.code, name="Baru", grade="8")
    response = client.post(f"/positions/{position.id}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(position)
    assert (position.name, position.grade) == ("Baru", 8)
    entry = audit_entries("position.update")[0]
    assert {"name", "grade"} <= set(json.loads(entry.detail)["changed"])


def test_edit_refuses_a_loop_of_superiors(client, english, admin, login_as, make_opd, make_position):
    opd = make_opd()
    head = make_position(opd=opd, code="HEAD")
    staff = make_position(opd=opd, parent=head, code="STAFF")
    login_as(admin)
    data = _form(opd, code="HEAD", parent_code="STAFF")
    response = client.post(f"/positions/{head.id}/edit", data=data)
    assert response.status_code == 400
    assert "cannot report to itself or to one of its subordinates" in response.get_data(as_text=True)
    db.session.refresh(head)
    assert head.parent is None and staff.parent_id == head.id


@pytest.mark.parametrize("role", ["citizen", "ngo", "moderator"])
def test_non_admins_get_403_on_admin_pages(client, make_user, login_as, make_position, role):
    position = make_position()
    login_as(make_user(role=role))
    assert client.get("/positions/new").status_code == 403
    assert client.get(f"/positions/{position.id}/edit").status_code == 403
    assert client.get("/positions/import").status_code == 403
    assert client.post("/positions/new", data=_form(position.opd, code="X-1")).status_code == 403
    assert client.post(f"/positions/{position.id}/edit", data=_form(position.opd, name="Hack")).status_code == 403
    assert db.session.get(Position, position.id).name != "Hack"


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get("/positions/new").status_code == 302


def test_services_refuse_non_admins(make_user, make_opd):
    citizen = make_user()
    with pytest.raises(PermissionDenied):
        services.create_position(citizen, {"code": "A", "name": "A", "opd_id": make_opd().id, "position_type": "jpt", "grade": 14})


def test_admin_adds_an_opd(client, english, admin, login_as):
    login_as(admin)
    response = client.post("/positions/opds/new", data={"code": "BAPPEDA", "name": "Badan Perencanaan", "short_name": ""})
    assert response.status_code == 302
    assert "Badan Perencanaan" in client.get("/positions/opds").get_data(as_text=True)
    again = client.post("/positions/opds/new", data={"code": "BAPPEDA", "name": "Lain", "short_name": ""})
    assert again.status_code == 400


def test_every_naughty_string_round_trips_as_a_name_through_the_service(app, blns, admin, make_opd, client):
    opd = make_opd()
    for number, text in enumerate(blns):
        data = {"code": f"N-{number}", "name": text, "opd_id": opd.id, "position_type": "pelaksana", "grade": 5}
        if not text.strip() or len(text) > 200:
            with pytest.raises(services.PositionInvalid):
                services.create_position(admin, data)
            continue
        position = services.create_position(admin, data)
        db.session.expire_all()
        assert db.session.get(Position, position.id).name == text


def test_every_naughty_string_round_trips_through_the_admin_form_and_is_escaped(
    client, blns, admin, login_as, make_opd
):
    opd = make_opd()
    login_as(admin)
    for number, text in enumerate(blns):
        if not text.strip() or len(text) > 200:
            continue
        response = client.post("/positions/new", data=_form(opd, code=f"F-{number}", name=text))
        assert response.status_code == 302, text
        position = db.session.scalar(select(Position).where(Position.code == f"F-{number}"))
        assert position.name == text
        page = client.get(f"/positions/{position.id}")
        assert page.status_code == 200
        body = page.get_data(as_text=True)
        assert f"<h1 lang=\"id\">{escape(text)}</h1>" in body
        assert "<script>alert" not in body


def test_admin_forms_open_with_the_current_values(client, admin, login_as, make_position):
    position = make_position(code="PRE-1", grade=11)
    login_as(admin)
    for url in ("/positions/new", "/positions/import", "/positions/opds/new"):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/positions/{position.id}/edit").get_data(as_text=True)
    assert f'<option selected value="{position.opd.id}">' in page or f'<option value="{position.opd.id}" selected' in page
    assert 'value="PRE-1"' in page and 'value="11"' in page
