"""The shared factories of tests/conftest.py make what their docstrings promise, through the
portal's services, so tests that lean on them stand on what a user would have made."""

from __future__ import annotations

import pytest

from portal.comments.models import Comment
from portal.forums.models import Post
from portal.contributions.models import Contribution
from portal.submissions.models import Submission


@pytest.mark.parametrize("status", ["draft", "open", "closed", "adopted", "withdrawn"])
def test_make_policy_reaches_each_status_through_the_workflow(make_policy, official, status):
    policy = make_policy(status)
    assert policy.status == status
    assert [move.to_status for move in policy.transitions][-1] == status
    assert policy.created_by_id == official.id


def test_make_policy_writes_the_default_text_or_the_articles_asked_for(make_policy, moderator):
    default = make_policy()
    assert [a.key for a in default.current_version.articles if a.key.startswith("pasal-")] == ["pasal-1", "pasal-2", "pasal-3", "pasal-4"]
    counted = make_policy(articles=2, by=moderator, title="Dua pasal")
    assert [a.key for a in counted.current_version.articles if a.key.startswith("pasal-")] == ["pasal-1", "pasal-2"]
    assert counted.created_by_id == moderator.id
    written = make_policy(articles=["Satu.", "Dua.", "Tiga."], opens_at=None, closes_at=None, status="draft")
    assert [a.key for a in written.current_version.articles if a.key.startswith("pasal-")] == ["pasal-1", "pasal-2", "pasal-3"]
    assert written.opens_at is None and written.closes_at is None


def test_make_policy_links_positions(make_policy, make_position):
    position = make_position()
    assert make_policy(positions=[position]).positions == [position]


def test_contribute_makes_each_kind_through_its_service(contribute, member, make_position, make_policy):
    position = make_position()
    make_policy(positions=[position], title="Rancangan dengan jabatan")
    made = {
        "contribution": contribute(member),
        "comment": contribute(member, kind="comment", article_key="pasal-2"),
        "field_comment": contribute(member, kind="field_comment", on=position),
        "submission": contribute(member, kind="submission", article_keys=["pasal-1"]),
        "post": contribute(member, kind="post"),
    }
    assert type(made["contribution"]) is Contribution
    assert isinstance(made["comment"], Comment) and made["comment"].article_key == "pasal-2"
    assert made["field_comment"].position_id == position.id and made["field_comment"].position_field == "main_tasks"
    assert isinstance(made["submission"], Submission) and made["submission"].public_id
    assert isinstance(made["post"], Post)
    assert {item.status for item in made.values()} == {"published"}, "a verified member is published at once"


def test_contribute_published_or_pending_on_request(contribute, citizen):
    assert contribute(citizen, kind="comment", published=False).status == "pending"
    assert contribute(citizen, kind="comment", published=True).status == "published"
    assert contribute(citizen, "Disembunyikan.", status="hidden").status == "hidden"


def test_sign_in_switches_the_account_on_the_client(client, sign_in, citizen, member):
    sign_in(citizen)
    assert citizen.display_name in client.get("/account").get_data(as_text=True)
    sign_in(member, lang="en")
    page = client.get("/account").get_data(as_text=True)
    assert member.display_name in page and citizen.display_name not in page
    assert '<html lang="en"' in page


def test_client_for_is_a_second_browser(client, client_for, citizen, moderator):
    other = client_for(moderator)
    assert other is not client
    assert moderator.display_name in other.get("/account").get_data(as_text=True)
    assert client.get("/account").status_code == 302, "the first browser is still signed out"
