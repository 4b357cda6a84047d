"""A new version of a policy cites, per article it changes, the published themes of that policy and
the official answers on it ("you said, we did"); readers see it beside the diff and on the theme."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.aspirations.citations.models import VersionCitation
from portal.aspirations.responses import services as responses
from portal.aspirations.summaries import services as summaries
from portal.extensions import db
from portal.proposals import services as proposals
from tests.conftest import POLICY_BODY, audit_entries, text_of

from tests.aspirations.test_summaries import TRAINING, WORKLOAD

TEXTS = [WORKLOAD, TRAINING]


@pytest.fixture
def consulted(make_policy, official, make_user, contribute, publish_at_once):
    """A policy with comments, a published summary whose first theme is answered, and a version 2
    that changes Pasal 1."""
    policy = make_policy(by=official)
    people = [make_user(role=role) for role in ("citizen", "ngo", "academic")]
    comments = [contribute(people[n % 3], TEXTS[n % 2][n % 3].format(n=n), kind="comment", on=policy,
                           article_key="pasal-1", stance="objects") for n in range(24)]
    summary = summaries.summarize(official, policy=policy, themes=2)
    summaries.publish(official, summary)
    theme = summary.kept_themes[0]
    answer = responses.respond_to_theme(official, theme, outcome="accepted", explanation="Formasi perawat ditambah.")
    direct = responses.respond(official, comments[0], outcome="partly_accepted", explanation="Sebagian diterima.")
    body = POLICY_BODY.replace("Daerah adalah Kota Medan.", "Daerah adalah Kota Medan. Kebutuhan perawat dihitung dari jumlah pasien.", 1)
    assert body != POLICY_BODY
    proposals.add_version(official, policy, body, "Pasal 1 memuat jumlah pasien.")
    return policy, theme, answer, direct


def _url(policy):
    return f"/policies/{policy.slug}/versions/2/citations"


def test_an_official_cites_a_theme_and_answers_and_readers_see_it(app, client, english, sign_in, official, consulted):
    policy, theme, answer, direct = consulted
    sign_in(official)
    page = client.get(_url(policy))
    assert page.status_code == 200 and theme.label in text_of(page)
    sent = client.post(_url(policy), data={"cite-pasal-1": [f"theme-{theme.id}", f"response-{direct.id}"]})
    assert sent.status_code == 302
    rows = db.session.scalars(select(VersionCitation)).all()
    assert {(r.article_key, r.theme_id, r.response_id) for r in rows} == {
        ("pasal-1", theme.id, None), ("pasal-1", None, direct.id)}
    assert audit_entries("policy.version_cite")[-1].actor_id == official.id

    anonymous = app.test_client()
    diff_id = anonymous.get(f"/policies/{policy.slug}/diff?from=1&to=2").get_data(as_text=True)
    assert f"/aspirations/themes/{theme.id}" in diff_id
    version = anonymous.get(f"/policies/{policy.slug}/versions/2").get_data(as_text=True)
    assert f"/aspirations/themes/{theme.id}" in version
    on_theme = text_of(anonymous.get(f"/aspirations/themes/{theme.id}"))
    assert "Pasal 1" in on_theme and "2" in on_theme

    # Citing the theme's answer also shows on the theme; saving again replaces the set.
    client.post(_url(policy), data={"cite-pasal-1": [f"response-{answer.id}"]})
    assert [r.response_id for r in db.session.scalars(select(VersionCitation))] == [answer.id]


@pytest.mark.parametrize("sent", [
    {"cite-pasal-1": ["theme-999999"]},
    {"cite-pasal-1": ["response-999999"]},
    {"cite-pasal-1": ["nonsense"]},
    {"cite-pasal-1": ["theme-99999999999999999999"]},
    {"cite-pasal-3": ["theme-1"]},
    {"cite-<script>": ["theme-1"]},
])
def test_bad_citations_get_a_clear_message_never_a_500(client, english, sign_in, official, consulted, sent):
    policy, *_ = consulted
    sign_in(official)
    refused = client.post(_url(policy), data=sent)
    assert refused.status_code == 400
    assert "alert--error" in refused.get_data(as_text=True)
    assert db.session.scalars(select(VersionCitation)).all() == []


def test_only_the_policys_own_published_themes_may_be_cited(
        client, english, sign_in, official, consulted, make_policy, contribute):
    policy, *_ = consulted
    other = make_policy(by=official, title="Kebijakan lain")
    for n in range(24):
        contribute(official, TEXTS[n % 2][n % 3].format(n=f"x{n}"), kind="comment", on=other)
    draft = summaries.summarize(official, policy=other, themes=2)
    sign_in(official)
    refused = client.post(_url(policy), data={"cite-pasal-1": [f"theme-{draft.themes[0].id}"]})
    assert refused.status_code == 400 and "published themes of this policy" in text_of(refused)


def test_citizens_and_visitors_may_not_cite(app, client, sign_in, citizen, consulted):
    policy, theme, *_ = consulted
    assert app.test_client().get(_url(policy)).status_code in (302, 401)
    sign_in(citizen)
    assert client.get(_url(policy)).status_code == 403
    assert client.post(_url(policy), data={"cite-pasal-1": [f"theme-{theme.id}"]}).status_code == 403
