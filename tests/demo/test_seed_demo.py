"""`flask seed-demo`: believable Medan content, one account per role, safe to run twice."""

from __future__ import annotations

import csv
import re

import pytest
from sqlalchemy import func, select

from portal.accounts.models import ROLES, User
from portal.demo.seed import ACCOUNTS, DEMO_PASSWORD, POLICIES, POSITIONS_CSV
from portal.extensions import db, utcnow
from portal.positions.models import Position
from portal.proposals.models import Policy, PolicyVersion

GRADES = {
    "jpt": range(14, 16),
    "administrator": range(12, 13),
    "pengawas": range(9, 10),
    "pelaksana": range(5, 8),
    "fungsional": range(8, 13),
}


@pytest.fixture
def seeded(runner):
    """Run the command once; return its result."""
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result


def _policy(title_start: str) -> Policy:
    return db.session.scalar(select(Policy).where(Policy.title.startswith(title_start)))


def _counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (User, Position, Policy, PolicyVersion)
    }


def test_seed_demo_creates_positions_across_agencies(seeded):
    positions = list(db.session.scalars(select(Position)))
    assert len(positions) >= 40
    assert len({p.opd_id for p in positions}) >= 8
    assert any(p.gap > 0 for p in positions) and any(p.gap < 0 for p in positions)
    heads = [p for p in positions if p.parent is None]
    assert all(child.parent.opd_id == child.opd_id for child in positions if child.parent)
    assert len(heads) == len({p.opd_id for p in positions})  # one head per OPD
    deli = db.session.scalar(select(Position).where(Position.code == "KEC-MEDAN-DELI-001"))
    assert deli.service_area == "Kecamatan Medan Deli" and 60_000 <= deli.service_population <= 190_000
    with POSITIONS_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert f"{len(rows)} created" in seeded.output


def test_seed_demo_creates_one_account_per_role_with_the_documented_password(seeded, client, login_as):
    demo = {u.email: u for u in db.session.scalars(select(User).where(User.email.like("%@demo.medan.go.id")))}
    assert {u.role for u in demo.values()} == set(ROLES)
    assert demo["lsm@demo.medan.go.id"].is_verified_member
    assert demo["lsm@demo.medan.go.id"].organisation.name == "Lembaga Bantuan Hukum Medan"
    assert demo["akademisi@demo.medan.go.id"].is_verified_member
    assert demo["akademisi@demo.medan.go.id"].organisation.name == "Universitas Sumatera Utara"
    assert demo["lsm.baru@demo.medan.go.id"].affiliation_pending
    assert demo["warga@demo.medan.go.id"].stakeholder_group == "citizen"
    login_as(demo["warga@demo.medan.go.id"], password=DEMO_PASSWORD)
    assert DEMO_PASSWORD in seeded.output


def test_seed_demo_creates_three_policies_in_their_consultation_phases(seeded):
    now = utcnow()
    analysis, leadership, app_policy = (_policy(spec.title) for spec in POLICIES)
    assert analysis.status == "open" and analysis.accepts_input()
    assert 23 <= analysis.days_left() <= 24
    assert [v.number for v in analysis.versions] == [1, 2]
    assert analysis.versions[1].change_note
    assert leadership.status == "open" and 8 <= leadership.days_left() <= 9
    assert app_policy.status == "closed" and app_policy.closes_at < now and app_policy.opens_at < app_policy.closes_at
    assert [t.to_status for t in app_policy.transitions] == ["draft", "open", "closed"]
    for policy in (analysis, leadership, app_policy):
        keys = [a.key for a in policy.current_version.articles]
        assert sum(key.startswith("pasal-") for key in keys) >= 9
        assert len({a.chapter for a in policy.current_version.articles if a.chapter}) >= 3
        assert 4 <= len(policy.positions) <= 8
    v1 = {a.key for a in analysis.versions[0].articles}
    v2 = {a.key for a in analysis.versions[1].articles}
    assert v2 - v1 == {"pasal-10a"} and v1 - v2 == {"pasal-17"}


def test_home_page_lists_open_consultations_before_the_closed_one(seeded, client):
    html = client.get("/").get_data(as_text=True)
    titles = re.findall(r"<h3[^>]*><a [^>]*>([^<]+)</a></h3>", html)
    analysis, leadership, app_policy = (spec.title for spec in POLICIES)
    assert titles.index(leadership) < titles.index(analysis) < titles.index(app_policy)
    assert "9 days left" in html or "9 hari" in html


def test_second_run_refuses_and_duplicates_nothing(seeded, runner):
    before = _counts()
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code != 0
    assert "already present" in again.output
    assert _counts() == before


def test_positions_file_is_consistent():
    with POSITIONS_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    codes = {row["code"]: row for row in rows}
    assert len(codes) == len(rows) >= 45
    for row in rows:
        assert int(row["grade"]) in GRADES[row["position_type"]], row["code"]
        if row["parent_code"]:
            assert codes[row["parent_code"]]["opd_code"] == row["opd_code"], row["code"]
    linked = {code for spec in POLICIES for code in spec.position_codes}
    assert linked <= set(codes)
    assert {a.email for a in ACCOUNTS} == {
        f"{name}@demo.medan.go.id" for name in ("admin", "moderator", "warga", "lsm", "akademisi", "lsm.baru")
    }
