"""The consultation workflow: draft -> open -> closed -> adopted, refused moves, close-due, visibility."""

from __future__ import annotations

from datetime import timedelta


from portal.extensions import db, utcnow
from portal.proposals import services

from tests.conftest import audit_entries
from tests.proposals.conftest import BODY


def _move(client, policy, to_status, note=""):
    return client.post(f"/policies/{policy.slug}/status", data={"to_status": to_status, "note": note})


def test_policy_goes_through_the_whole_workflow_with_each_move_recorded(client, make_policy, official, login_as):
    policy = make_policy("draft")
    login_as(official)
    for target, note in (("open", "Dibuka"), ("closed", "Ditutup"), ("adopted", "Ditetapkan")):
        response = _move(client, policy, target, note)
        assert response.status_code == 302
        db.session.refresh(policy)
        assert policy.status == target
    page = client.get(f"/policies/{policy.slug}").get_data(as_text=True)
    assert "Adopted" in page or "Ditetapkan" in page
    moves = [(t.from_status, t.to_status, t.actor_id, t.note) for t in policy.transitions]
    assert moves == [
        (None, "draft", official.id, ""),
        ("draft", "open", official.id, "Dibuka"),
        ("open", "closed", official.id, "Ditutup"),
        ("closed", "adopted", official.id, "Ditetapkan"),
    ]
    assert all(utcnow() - t.created_at < timedelta(minutes=1) for t in policy.transitions)
    entries = audit_entries("policy.transition")
    assert [(e.actor_id, e.target_id, e.reason) for e in entries] == [(official.id, policy.id, n) for n in ("Dibuka", "Ditutup", "Ditetapkan")]
    assert '"to": "adopted"' in entries[-1].detail
    assert len(audit_entries("policy.create")) == 1
    # The status history on the page names who moved it.
    assert page.count("Pejabat BKPSDM") >= 4


def test_draft_cannot_jump_to_closed_and_the_official_is_told_what_is_allowed(english, make_policy, official, login_as):
    client = english
    policy = make_policy("draft")
    login_as(official)
    response = _move(client, policy, "closed")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "cannot move to" in page and "Open for consultation" in page
    db.session.refresh(policy)
    assert policy.status == "draft"
    assert audit_entries("policy.transition") == []


def test_adopted_policy_cannot_reopen(client, make_policy, official, login_as):
    policy = make_policy(status="adopted")
    login_as(official)
    response = _move(client, policy, "open")
    assert response.status_code == 409
    assert "final" in response.get_data(as_text=True)
    db.session.refresh(policy)
    assert policy.status == "adopted"


def test_citizen_cannot_open_a_consultation(client, make_policy, make_user, login_as):
    policy = make_policy("draft")
    login_as(make_user())
    response = _move(client, policy, "open")
    assert response.status_code in (403, 404)  # a draft is not even visible to a citizen
    policy_open = make_policy(status="open", title="Sudah dibuka")
    response = _move(client, policy_open, "closed")
    assert response.status_code == 403
    db.session.refresh(policy_open)
    assert policy_open.status == "open"


def test_unknown_status_is_a_400_not_a_500(client, make_policy, official, login_as):
    policy = make_policy("draft")
    login_as(official)
    assert _move(client, policy, "published").status_code == 400
    assert client.post(f"/policies/{policy.slug}/status", data={}).status_code == 400


def test_opening_needs_a_window_that_closes_in_the_future(english, make_policy, official, login_as):
    client = english
    no_window = make_policy("draft", opens_at=None, closes_at=None, title="Tanpa jadwal")
    past = make_policy("draft", opens_at=utcnow() - timedelta(days=9), closes_at=utcnow() - timedelta(days=2), title="Lewat")
    login_as(official)
    response = _move(client, no_window, "open")
    assert response.status_code == 409
    assert "opening and closing times" in response.get_data(as_text=True)
    response = _move(client, past, "open")
    assert response.status_code == 409
    assert "already passed" in response.get_data(as_text=True)


def test_officials_see_only_the_allowed_move_buttons(client, make_policy, official, make_user, login_as):
    policy = make_policy(status="closed")
    login_as(official)
    page = client.get(f"/policies/{policy.slug}").get_data(as_text=True)
    assert 'name="to_status" value="adopted"' in page and 'name="to_status" value="withdrawn"' in page
    assert 'value="open"' not in page
    client.post("/logout")
    login_as(make_user())
    assert 'name="to_status"' not in client.get(f"/policies/{policy.slug}").get_data(as_text=True)


def test_drafts_are_404_to_the_public_and_citizens_but_visible_to_moderators(client, make_policy, make_user, official, login_as):
    draft = make_policy("draft", title="Rahasia Draf")
    urls = [f"/policies/{draft.slug}", f"/policies/{draft.slug}/versions/1", f"/policies/{draft.slug}/diff"]
    for url in urls:
        assert client.get(url).status_code == 404
    assert "Rahasia Draf" not in client.get("/policies/").get_data(as_text=True)
    assert "Rahasia Draf" not in client.get("/").get_data(as_text=True)
    login_as(make_user(role="ngo", organisation="LSM Medan", verified=True))
    for url in urls:
        assert client.get(url).status_code == 404
    client.post("/logout")
    login_as(official)
    for url in urls:
        assert client.get(url).status_code == 200
    assert "Rahasia Draf" in client.get("/policies/").get_data(as_text=True)


def test_list_puts_open_consultations_first_soonest_closing_with_days_left(client, make_policy):
    now = utcnow()
    make_policy(status="closed", title="Sudah Ditutup", body=BODY)
    make_policy(status="open", title="Tutup Lama", closes_at=now + timedelta(days=20, hours=2), body=BODY)
    make_policy(status="open", title="Tutup Segera", closes_at=now + timedelta(days=3, hours=2), body=BODY)
    page = client.get("/policies/").get_data(as_text=True)
    assert page.index("Tutup Segera") < page.index("Tutup Lama") < page.index("Sudah Ditutup")
    assert "3 days left" in page or "3 hari lagi" in page
    assert "20 days left" in page or "20 hari lagi" in page
    assert "3 articles" in page or "3 pasal" in page
    assert "WIB" in page


def test_window_is_shown_in_wib(client, make_policy):
    from datetime import datetime, timezone

    policy = make_policy(status="open", opens_at=datetime(2025, 1, 1, 1, 0, tzinfo=timezone.utc),
                         closes_at=utcnow() + timedelta(days=5))
    page = client.get(f"/policies/{policy.slug}").get_data(as_text=True)
    assert "08:00 WIB" in page  # 01:00 UTC is 08:00 in Jakarta


def test_close_due_closes_only_ended_consultations_as_the_system(app, make_policy, runner):
    ended = make_policy(status="open", title="Berakhir")
    running = make_policy(status="open", title="Berjalan")
    later = utcnow() + timedelta(days=11)
    ended.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert ended.phase() == "ended" and ended.days_left() is None
    result = runner.invoke(args=["policies", "close-due"])
    assert result.exit_code == 0
    assert result.output.strip() == "1 konsultasi yang waktunya berakhir ditutup."  # the default language
    db.session.refresh(ended)
    db.session.refresh(running)
    assert (ended.status, running.status) == ("closed", "open")
    last = ended.transitions[-1]
    assert (last.from_status, last.to_status, last.actor_id) == ("open", "closed", None)
    assert audit_entries("policy.transition")[-1].actor_id is None
    assert services.close_due() == 0  # nothing left to close, nothing recorded twice
    assert services.close_due(now=later) == 1
