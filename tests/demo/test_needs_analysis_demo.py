"""The needs-analysis consultation of `flask seed-demo` at full size: hundreds of contributions from
every stakeholder group, one copy-paste campaign the portal groups as one, and one position whose
published summary, record change and answered themes close the loop."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from portal.accounts.models import STAKEHOLDER_GROUPS
from portal.aspirations import campaigns
from portal.aspirations.responses.models import Response
from portal.aspirations.summaries import citing
from portal.aspirations.summaries.models import Summary
from portal.contributions.models import Contribution
from portal.demo import needs_analysis
from portal.demo.seed import POLICIES
from portal.extensions import db
from portal.positions.models import Position
from portal.proposals.models import Policy


@pytest.fixture
def seeded(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return db.session.scalar(select(Policy).where(Policy.title == POLICIES[0].title))


def _published(policy):
    return select(Contribution).where(Contribution.policy_id == policy.id, Contribution.status == "published")


def test_the_data_file_holds_distinct_hand_written_texts_and_one_form_letter():
    rows = needs_analysis.rows()
    distinct = [row["text"] for row in rows if not row.get("campaign")]
    copies = [row["text"] for row in rows if row.get("campaign")]
    assert len(distinct) >= 260 and len(set(distinct)) == len(distinct)
    assert 35 <= len(copies) <= 45 and len(set(copies)) == len(copies)
    assert {row["kind"] for row in rows} == {"comment", "submission", "post"}
    assert {row["group"] for row in rows} == set(STAKEHOLDER_GROUPS)
    assert json.dumps(rows)  # plain JSON lines


def test_the_needs_analysis_draft_has_hundreds_of_contributions_from_every_group(seeded):
    items = db.session.scalars(_published(seeded)).all()
    assert len(items) >= 300
    assert {item.stakeholder_group for item in items} == set(STAKEHOLDER_GROUPS)
    assert {item.kind for item in items} == {"comment", "submission", "post"}
    assert len({item.author_id for item in items}) >= 100
    days = {item.created_at.date() for item in items}
    assert len(days) >= 4 and min(item.created_at for item in items) >= seeded.opens_at


def test_the_campaign_is_one_group_for_the_portals_own_grouping(seeded):
    copies = set(row["text"] for row in needs_analysis.rows() if row.get("campaign"))
    texts = dict(db.session.execute(_published(seeded).with_only_columns(Contribution.id, Contribution.body)).all())
    groups = campaigns.group(texts)
    campaign_ids = {cid for cid, body in texts.items() if body in copies}
    assert [set(g) for g in groups if set(g) & campaign_ids] == [campaign_ids]
    assert len(campaign_ids) == len(copies)
    stored = db.session.scalars(select(Contribution.campaign_id).where(Contribution.id.in_(campaign_ids))).all()
    assert len(set(stored)) == 1 and stored[0] is not None


def test_a_position_shows_the_whole_loop(seeded):
    nurse = db.session.scalar(select(Position).where(Position.code == "DINKES-008"))
    summary = db.session.scalar(select(Summary).where(Summary.position_id == nurse.id, Summary.status == "published"))
    assert summary is not None
    themes = [theme for theme in summary.kept_themes if not theme.is_other]
    cited = [theme for theme in themes if citing.citing_changes(theme)]
    assert cited and any(change.field == "required_count" for change in citing.citing_changes(cited[0]))
    answered = db.session.scalars(select(Response.theme_id).where(Response.theme_id.in_([t.id for t in themes])))
    assert cited[0].id in set(answered.all()) and len(set(db.session.scalars(
        select(Response.theme_id).where(Response.theme_id.in_([t.id for t in themes]))))) >= 2
    direct = db.session.scalar(select(func.count()).select_from(Response).where(Response.contribution_id.is_not(None)))
    assert direct >= 10


def test_seeding_twice_duplicates_nothing(seeded, runner):
    before = db.session.scalar(select(func.count()).select_from(Contribution))
    assert runner.invoke(args=["seed-demo"]).exit_code != 0
    assert needs_analysis.seed_needs_analysis(seeded, "demo.medan.go.id", "x").contributions == []
    assert db.session.scalar(select(func.count()).select_from(Contribution)) == before
