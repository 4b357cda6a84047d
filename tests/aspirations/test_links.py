"""Part 1 and part 4 of issue 10: links from contributions to positions and OPDs (author tags,
the portal's suggestions, the moderators' decisions) and campaigns of near-copies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.aspirations import campaigns
from portal.aspirations.links import services as links
from portal.aspirations.links.models import ContributionLink
from portal.contributions.models import Contribution
from portal.extensions import db

from tests.conftest import audit_entries, text_of

BLNS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "blns" / "blns.json"

LETTER = ("Kami warga Medan Deli menolak pengurangan formasi guru SD dalam rancangan ini. "
          "Jumlah murid terus bertambah setiap tahun sementara guru yang pensiun tidak diganti. "
          "Kami meminta beban kerja guru dihitung ulang dengan data murid tahun ini.")
COPIES = [
    "Assalamualaikum wr wb. " + LETTER,
    "Selamat pagi Bapak/Ibu, Jumlah murid terus bertambah setiap tahun sementara guru yang pensiun tidak "
    "diganti. Kami warga Medan Deli menolak pengurangan formasi guru SD dalam rancangn ini. Kami meminta "
    "beban kerja guru dihitung ulang dengan data murid tahun ini. Terima kasih.",
    LETTER.replace("bertambah", "bertamabh") + " Salam.",
]


@pytest.fixture(autouse=True)
def _published(publish_at_once):
    """Contributions published at once."""


def links_of(contribution) -> list[ContributionLink]:
    return list(db.session.scalars(
        select(ContributionLink).where(ContributionLink.contribution_id == contribution.id)
        .order_by(ContributionLink.id)))


@pytest.fixture
def disdukcapil(make_opd):
    return make_opd(name="Dinas Kependudukan dan Pencatatan Sipil Kota Medan", code="DKPS")


@pytest.fixture
def nurse(make_position, make_opd):
    dinkes = make_opd(name="Dinas Kesehatan Kota Medan", code="DKS")
    return make_position(opd=dinkes, name="Perawat Terampil",
                         main_tasks="Melaksanakan asuhan keperawatan pasien di puskesmas rawat inap",
                         summary="Memberikan pelayanan keperawatan kepada pasien puskesmas")


def test_abbreviations_come_from_the_records_and_the_curated_list(disdukcapil, nurse):
    names = {phrase for phrase, _ in links.opd_names(disdukcapil)}
    assert {"disdukcapil", "dukcapil", "dkps"} <= names
    assert "dinkes" in {phrase for phrase, _ in links.opd_names(nurse.opd)}
    index = links.Index.build()
    found = index.find("Antrean di DISDUKCAPIL panjang sekali; dinkes juga lambat.")
    assert {(f.get("opd_id"), f["reason"]) for f in found} >= {(disdukcapil.id, "abbreviation"),
                                                                (nurse.opd_id, "abbreviation")}
    # whole words only: "dinkesmas" is not Dinkes
    assert not [f for f in index.find("Program dinkesmas baru.") if f.get("opd_id") == nurse.opd_id]


def test_a_published_contribution_gets_suggestions_that_moderators_see(
        contribute, citizen, policy, disdukcapil, nurse, client_for, moderator):
    comment = contribute(citizen, "Pelayanan disdukcapil lambat, dan perawat terampil di puskesmas kurang.",
                         kind="comment", on=policy)
    found = {(link.position_id, link.opd_id, link.reason, link.source) for link in links_of(comment)}
    assert (None, disdukcapil.id, "abbreviation", "suggested") in found
    assert (nurse.id, None, "title", "suggested") in found
    page = client_for(moderator).get("/moderation/links")
    assert page.status_code == 200
    text = text_of(page)
    assert comment.public_id in text and "Perawat Terampil" in text and disdukcapil.name in text
    assert "/moderation/links" in client_for(moderator).get("/moderation/").get_data(as_text=True)


def test_similar_text_suggests_the_position(contribute, citizen, policy, nurse):
    comment = contribute(citizen, "Asuhan keperawatan pasien rawat inap di puskesmas perlu tambahan tenaga.",
                         kind="comment", on=policy)
    assert any(link.position_id == nurse.id and link.reason == "similarity" and link.score >= 0.3
               for link in links_of(comment))


def test_moderators_confirm_and_remove_with_audit(contribute, citizen, policy, disdukcapil, nurse,
                                                  client_for, moderator):
    comment = contribute(citizen, "Disdukcapil dan perawat terampil perlu ditambah.", kind="comment", on=policy)
    by_target = {link.opd_id or link.position_id: link for link in links_of(comment)}
    client = client_for(moderator)
    assert client.post(f"/moderation/links/{by_target[disdukcapil.id].id}/confirm").status_code == 302
    assert client.post(f"/moderation/links/{by_target[nurse.id].id}/remove").status_code == 302
    db.session.expire_all()
    confirmed, removed = db.session.get(ContributionLink, by_target[disdukcapil.id].id), \
        db.session.get(ContributionLink, by_target[nurse.id].id)
    assert (confirmed.source, confirmed.decided_by_id) == ("confirmed", moderator.id)
    assert (removed.status, removed.decided_by_id) == ("removed", moderator.id) and removed.decided_at
    assert [e.actor_id for e in audit_entries("aspiration_link.confirm")] == [moderator.id]
    assert [e.actor_id for e in audit_entries("aspiration_link.remove")] == [moderator.id]
    # a removed suggestion is not suggested again, and a decided one cannot be decided twice
    links.suggest(comment)
    db.session.commit()
    assert len([lk for lk in links_of(comment) if lk.position_id == nurse.id]) == 1
    assert client.post(f"/moderation/links/{removed.id}/remove").status_code == 302
    assert len(audit_entries("aspiration_link.remove")) == 1


def test_link_pages_refuse_who_may_not_use_them(client, client_for, citizen, contribute, policy, disdukcapil,
                                                moderator):
    comment = contribute(citizen, "Disdukcapil lambat sekali melayani warga.", kind="comment", on=policy)
    link = links_of(comment)[0]
    assert client.get("/moderation/links").status_code in (302, 401)
    assert client_for(citizen).get("/moderation/links").status_code == 403
    assert client_for(citizen).post(f"/moderation/links/{link.id}/confirm").status_code == 403
    assert client_for(moderator).post("/moderation/links/99999999/confirm").status_code == 404
    assert client_for(moderator).get("/moderation/links?page=abc").status_code == 400


def test_author_tags_are_recorded_as_the_authors(contribute, citizen, policy, disdukcapil, nurse, make_user):
    comment = contribute(citizen, "Tentang pelayanan administrasi warga.", kind="comment", on=policy)
    links.tag_by_author(citizen, comment, [f"opd:{disdukcapil.id}", f"position:{nurse.id}", "position:x",
                                           "opd:99999999", "evil:1"])
    found = {(link.position_id, link.opd_id, link.source, link.created_by_id) for link in links_of(comment)}
    assert found == {(None, disdukcapil.id, "author", citizen.id), (nurse.id, None, "author", citizen.id)}
    from portal.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        links.tag_by_author(make_user(), comment, [f"opd:{disdukcapil.id}"])


def test_the_comment_form_records_the_authors_tags(client_for, citizen, policy, disdukcapil):
    client = client_for(citizen)
    response = client.post(f"/policies/{policy.slug}/comments", data={
        "body": "Antrean KTP terlalu panjang.", "stance": "objects", "concerns": [f"opd:{disdukcapil.id}"]})
    assert response.status_code == 302
    comment = db.session.scalars(select(Contribution).order_by(Contribution.id.desc())).first()
    assert [(link.opd_id, link.source) for link in links_of(comment)] == [(disdukcapil.id, "author")]



def test_a_comment_shows_what_it_concerns_once_tagged_or_confirmed(
        client_for, english, citizen, policy, disdukcapil, nurse, moderator, contribute):
    """The author's tag shows on the comment wherever it is listed; a suggestion only after a moderator
    confirms it, and no longer once removed."""
    sent = client_for(citizen).post(f"/policies/{policy.slug}/comments", data={
        "body": "Antrean KTP terlalu panjang.", "stance": "objects", "article_key": "pasal-1",
        "concerns": [f"opd:{disdukcapil.id}"]})
    assert sent.status_code == 302
    tagged = db.session.scalars(select(Contribution).order_by(Contribution.id.desc())).first()
    suggested = contribute(citizen, "Perawat terampil di puskesmas rawat inap perlu ditambah.", kind="comment",
                           on=policy, article_key="pasal-1")
    suggestion = next(link for link in links_of(suggested) if link.position_id == nurse.id)
    assert suggestion.source == "suggested"
    places = [f"/policies/{policy.slug}", f"/policies/{policy.slug}/articles/pasal-1/comments",
              f"/comments/{tagged.public_id}"]
    for path in places:
        page = text_of(english.get(path))
        assert "Concerns: Dinas Kependudukan dan Pencatatan Sipil Kota Medan (OPD)" in page, path
        assert "Perawat Terampil (position" not in page, path
    moderators = client_for(moderator)
    assert moderators.post(f"/moderation/links/{suggestion.id}/confirm").status_code == 302
    assert "Concerns: Perawat Terampil (position, Dinas Kesehatan Kota Medan)" in text_of(
        english.get(f"/comments/{suggested.public_id}"))
    assert "Concerns: Perawat Terampil" in text_of(english.get(f"/policies/{policy.slug}"))
    assert moderators.post(f"/moderation/links/{suggestion.id}/remove").status_code == 302
    assert "Perawat Terampil (position" not in text_of(english.get(f"/policies/{policy.slug}"))

def test_campaign_grouping_finds_near_copies_and_nothing_else():
    texts = {1: LETTER, 2: COPIES[0], 3: COPIES[1], 4: COPIES[2],
             5: "Pasal 3 perlu memuat data pengaduan masyarakat per kecamatan setiap tahun anggaran.",
             6: "Saya setuju.", 7: "Saya setuju.", 8: ""}
    assert campaigns.group(texts) == [[1, 2, 3, 4]]
    assert campaigns.group({}) == [] and campaigns.group({1: "x"}) == []


def test_campaigns_show_once_with_honest_totals(contribute, make_user, policy, client, policy_body=None):
    authors = [make_user() for _ in range(4)]
    made = [contribute(authors[i], text, kind="comment", on=policy, article_key="pasal-2")
            for i, text in enumerate([LETTER, *COPIES])]
    other = contribute(authors[0], "Pasal 2 perlu batas waktu yang jelas bagi OPD.", kind="comment", on=policy,
                       article_key="pasal-2")
    db.session.expire_all()
    first = made[0]
    assert {db.session.get(Contribution, c.id).campaign_id for c in made} == {first.id}
    assert db.session.get(Contribution, other.id).campaign_id is None
    page = client.get(f"/policies/{policy.slug}/articles/pasal-2/comments")
    html = page.get_data(as_text=True)
    assert "4 kontribusi dengan teks ini, satu ditampilkan" in text_of(page)
    assert html.count(f'href="/campaigns/{first.id}"') == 1
    for copy in made[1:]:
        assert copy.public_id not in html
    group = client.get(f"/campaigns/{first.id}")
    assert group.status_code == 200
    assert all(c.public_id in group.get_data(as_text=True) for c in made)
    assert client.get(f"/campaigns/{other.id}").status_code == 404
    # the command regroups the same way
    links.regroup_campaigns(policy.id)
    assert {db.session.get(Contribution, c.id).campaign_id for c in made} == {first.id}


def test_the_command_suggests_links_for_existing_contributions(runner, contribute, citizen, policy, app):
    item = contribute(citizen, "Dinkes kurang tenaga.", kind="comment", on=policy)
    from portal.positions.models import Opd

    dinkes = Opd(code="DK9", name="Dinas Kesehatan Kota Medan")
    db.session.add(dinkes)
    db.session.commit()
    assert links_of(item) == []
    result = runner.invoke(args=["aspirations", "suggest-links", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "1 new suggested links" in result.output
    assert [(link.opd_id, link.source) for link in links_of(item)] == [(dinkes.id, "suggested")]


def test_naughty_strings_as_contribution_text_never_fail(contribute, make_user, policy, client, nurse,
                                                         disdukcapil):
    strings = [s for s in json.loads(BLNS.read_text(encoding="utf-8")) if s.strip() and "\x00" not in s]
    author = make_user()
    assert campaigns.group(dict(enumerate(strings))) is not None
    index = links.Index.build()
    for text in strings:
        index.find(text)
    for n, text in enumerate(strings[:60]):
        contribute(author, f"{text} {n}", kind="contribution", on=policy)
    assert client.get(f"/policies/{policy.slug}/comments").status_code == 200
