"""Aspiration summaries of a position: computed, reviewed, published into the record, cited by a
change to the record, and shown to the public; and what happens with little or strange input."""

from __future__ import annotations

import json
import re

import pytest
from markupsafe import escape
from sqlalchemy import select

from portal.aspirations.summaries.models import ChangeCitation, Summary, SummaryTheme
from portal.extensions import db
from tests.conftest import CORPORA, audit_entries, text_of

WORKLOAD = [
    "Beban kerja perawat di puskesmas terlalu tinggi, jumlah perawat harus ditambah {n}.",
    "Perawat puskesmas kewalahan melayani pasien, beban kerja perlu dihitung ulang {n}.",
    "Jumlah perawat tidak sebanding dengan pasien puskesmas, tambah formasi perawat {n}.",
]
TRAINING = [
    "Pelatihan sertifikasi kompetensi perawat harus rutin setiap tahun {n}.",
    "Syarat pelatihan teknis dan sertifikasi kompetensi perlu diperjelas {n}.",
    "Perawat membutuhkan pelatihan kompetensi gawat darurat bersertifikat {n}.",
]


@pytest.fixture
def position_with_input(make_position, make_policy, moderator, make_user, contribute, publish_at_once):
    position = make_position(name="Perawat Terampil", required_count=10, incumbent_count=7)
    make_policy(by=moderator, positions=[position])
    people = [make_user(role=role) for role in ("citizen", "citizen", "ngo", "academic")]
    for n in range(12):
        for texts, stance in ((WORKLOAD, "objects"), (TRAINING, "suggests_change")):
            contribute(people[n % 4], texts[n % 3].format(n=n), kind="field_comment", on=position,
                       field="main_tasks" if texts is WORKLOAD else "training_requirements", stance=stance)
    return position


def _themes(summary_id):
    return db.session.scalars(select(SummaryTheme).where(SummaryTheme.summary_id == summary_id)
                              .order_by(SummaryTheme.ordinal)).all()


def test_official_summarises_reviews_publishes_and_the_record_cites_the_theme(
        app, client, sign_in, moderator, admin, citizen, position_with_input):
    position = position_with_input
    sign_in(moderator)
    response = client.post(f"/aspirations/positions/{position.id}", data={"themes": "2"})
    assert response.status_code == 302
    summary = db.session.scalars(select(Summary)).one()
    assert summary.status == "draft" and summary.contribution_count == 24

    # Nothing is public before publication: readers get a 404, the position page shows no theme.
    anonymous = app.test_client()
    assert anonymous.get(f"/aspirations/summaries/{summary.id}").status_code == 404
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    themes = [theme for theme in _themes(summary.id) if not theme.is_other]
    assert len(themes) == 2
    # Every contribution is in a theme or in "other": none dropped.
    assert sum(theme.size for theme in _themes(summary.id)) == 24

    workload = next(t for t in themes if any("perawat" in term or "beban" in term for term in t.terms))
    response = client.post(f"/aspirations/summaries/{summary.id}/themes/{workload.id}",
                           data={"label": "Kekurangan perawat di puskesmas", "note": "Banyak warga menulis ini."})
    assert response.status_code == 302
    quote = workload.members[-1].contribution_id
    assert client.post(f"/aspirations/summaries/{summary.id}/themes/{workload.id}/quotes",
                       data={"quotes": [str(quote)]}).status_code == 302
    assert client.post(f"/aspirations/summaries/{summary.id}/note", data={"note": "Ringkasan tahap 1."}).status_code == 302
    assert client.post(f"/aspirations/summaries/{summary.id}/publish").status_code == 302
    db.session.expire_all()
    summary = db.session.get(Summary, summary.id)
    assert summary.status == "published" and summary.published_by_id == moderator.id
    assert summary.method.get("method") and summary.method.get("versions") or summary.method.get("library_versions") or summary.method
    assert [e.target_id for e in audit_entries("aspiration.publish")] == [summary.id]
    assert audit_entries("aspiration.theme_edit")

    # The public position page shows the published summary, its quote, its charts and the figures as a table.
    page = anonymous.get(f"/positions/{position.id}")
    html = page.get_data(as_text=True)
    assert "Kekurangan perawat di puskesmas" in html and "Ringkasan tahap 1." in html
    assert "<svg" in html and "<table" in html
    quoted = db.session.get(Summary, summary.id).themes[0].members  # noqa: F841 - loaded for the assertion below
    assert db.session.get(type(workload.members[0].contribution), quote).body[:40] in html
    assert moderator.display_name in text_of(page)

    # A published summary can no longer be edited.
    assert client.post(f"/aspirations/summaries/{summary.id}/note", data={"note": "Ubah"}).status_code == 400

    # An admin changes the required count citing the theme; the record's history shows it, with the theme.
    sign_in(admin)
    form = client.get(f"/positions/{position.id}/edit").get_data(as_text=True)
    assert "Kekurangan perawat di puskesmas" in form
    data = {name: value for name, value in re.findall(r'name="([a-z_]+)"[^>]*value="([^"]*)"', form)}
    data.update({"code": position.code, "name": position.name, "opd_id": str(position.opd_id),
                 "position_type": position.position_type, "grade": str(position.grade), "required_count": "14",
                 "incumbent_count": "7", "reason": "Menjawab aspirasi publik tentang kekurangan perawat.",
                 "cites": [str(workload.id)]})
    data.pop("csrf_token", None)
    response = client.post(f"/positions/{position.id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    citation = db.session.scalars(select(ChangeCitation)).one()
    assert citation.theme_id == workload.id
    page = anonymous.get(f"/positions/{position.id}").get_data(as_text=True)
    history = page[page.index('id="record-history"'):]
    assert "10" in history and "14" in history and "Menjawab aspirasi publik" in history
    assert f"/aspirations/themes/{workload.id}" in history
    theme_page = anonymous.get(f"/aspirations/themes/{workload.id}")
    assert theme_page.status_code == 200
    assert "Menjawab aspirasi publik" in theme_page.get_data(as_text=True)


def test_review_merge_and_drop_keep_every_contribution_counted(client, sign_in, moderator, position_with_input):
    sign_in(moderator)
    client.post(f"/aspirations/positions/{position_with_input.id}", data={"themes": "3"})
    summary = db.session.scalars(select(Summary)).one()
    themes = [t for t in _themes(summary.id) if not t.is_other]
    assert len(themes) >= 2
    total = sum(t.size for t in _themes(summary.id))
    response = client.post(f"/aspirations/summaries/{summary.id}/merge", data={"themes": [str(themes[0].id), str(themes[1].id)]})
    assert response.status_code == 302
    db.session.expire_all()
    assert sum(t.size for t in _themes(summary.id) if not t.dropped) == total
    kept = [t for t in _themes(summary.id) if not t.is_other and not t.dropped]
    response = client.post(f"/aspirations/summaries/{summary.id}/themes/{kept[0].id}/drop")
    assert response.status_code == 302
    db.session.expire_all()
    other = next(t for t in _themes(summary.id) if t.is_other)
    assert other.size >= kept[0].size and sum(t.size for t in _themes(summary.id) if not t.dropped) == total
    # Merging one theme, or a theme of another summary, is refused with a message and a 400.
    response = client.post(f"/aspirations/summaries/{summary.id}/merge", data={"themes": [str(other.id)]})
    assert response.status_code == 400 and "dua tema" in response.get_data(as_text=True)


def test_only_officials_summarise(client, sign_in, citizen, position_with_input):
    sign_in(citizen)
    assert client.get(f"/aspirations/positions/{position_with_input.id}").status_code == 403
    assert client.post(f"/aspirations/positions/{position_with_input.id}", data={"themes": "2"}).status_code == 403
    assert db.session.scalars(select(Summary)).all() == []


@pytest.mark.parametrize("bodies", [[], ["Satu-satunya komentar tentang beban kerja perawat."],
                                    ["yang dan di ke dari", "dan yang di ke", "di ke dari yang dan"]],
                         ids=["none", "one", "stop-words-only"])
def test_little_input_gives_a_clear_page(app, client, sign_in, moderator, make_position, make_policy, make_user,
                                         contribute, publish_at_once, bodies):
    position = make_position()
    make_policy(by=moderator, positions=[position])
    for body in bodies:
        contribute(make_user(), body, kind="field_comment", on=position)
    sign_in(moderator)
    response = client.post(f"/aspirations/positions/{position.id}", data={})
    assert response.status_code == 302
    summary = db.session.scalars(select(Summary)).one()
    page = client.get(f"/aspirations/summaries/{summary.id}")
    assert page.status_code == 200
    assert sum(t.size for t in _themes(summary.id)) == len(bodies)
    assert client.post(f"/aspirations/summaries/{summary.id}/publish").status_code == 302
    assert app.test_client().get(f"/positions/{position.id}").status_code == 200


def test_out_of_range_theme_count_is_refused(client, sign_in, moderator, position_with_input):
    sign_in(moderator)
    response = client.post(f"/aspirations/positions/{position_with_input.id}", data={"themes": "99"})
    assert response.status_code == 400
    assert "antara 2 dan 12" in response.get_data(as_text=True)


def test_naughty_theme_names_and_notes_are_kept_and_escaped(app, client, sign_in, moderator, position_with_input):
    naughty = [s for s in json.loads((CORPORA / "blns" / "blns.json").read_text()) if s.strip() and "\x00" not in s]
    sign_in(moderator)
    client.post(f"/aspirations/positions/{position_with_input.id}", data={"themes": "2"})
    summary = db.session.scalars(select(Summary)).one()
    theme = next(t for t in _themes(summary.id) if not t.is_other)
    for text in naughty[::7]:
        response = client.post(f"/aspirations/summaries/{summary.id}/themes/{theme.id}",
                               data={"label": text[:200], "note": text})
        assert response.status_code in (302, 400), text
        if response.status_code == 302:
            db.session.expire_all()
            assert db.session.get(SummaryTheme, theme.id).label == text[:200].strip()
    client.post(f"/aspirations/summaries/{summary.id}/themes/{theme.id}",
                data={"label": "<script>alert(1)</script>", "note": "<img src=x onerror=alert(1)>"})
    client.post(f"/aspirations/summaries/{summary.id}/publish")
    html = app.test_client().get(f"/positions/{position_with_input.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_change_may_cite_only_the_positions_own_published_themes(
        client, sign_in, moderator, admin, position_with_input, make_position):
    from portal.positions import services as positions

    sign_in(moderator)
    client.post(f"/aspirations/positions/{position_with_input.id}", data={"themes": "2"})
    summary = db.session.scalars(select(Summary)).one()
    theme = next(t for t in _themes(summary.id) if not t.is_other)
    other_position = make_position()
    from portal.errors import ValidationError

    with pytest.raises(ValidationError):  # a draft's theme
        positions.update_position(admin, position_with_input, {"required_count": "12"}, reason="x", cites=(theme.id,))
    db.session.rollback()
    client.post(f"/aspirations/summaries/{summary.id}/publish")
    with pytest.raises(ValidationError):  # another position's record
        positions.update_position(admin, other_position, {"required_count": "3"}, reason="x", cites=(theme.id,))
    db.session.rollback()
    positions.update_position(admin, position_with_input, {"required_count": "12"}, reason="Aspirasi.", cites=(theme.id,))
    assert db.session.scalars(select(ChangeCitation)).one().theme_id == theme.id


def test_a_quote_of_a_published_summary_counts_as_cited_for_erasure(client, sign_in, moderator, position_with_input):
    from portal.privacy.registry import is_cited

    sign_in(moderator)
    client.post(f"/aspirations/positions/{position_with_input.id}", data={"themes": "2"})
    summary = db.session.scalars(select(Summary)).one()
    theme = next(t for t in _themes(summary.id) if not t.is_other)
    quote = next(m for m in theme.members if m.is_quote).contribution
    assert not is_cited(quote)  # a draft cites nothing yet
    client.post(f"/aspirations/summaries/{summary.id}/publish")
    assert is_cited(quote)
    not_quoted = next(m for m in theme.members if not m.is_quote).contribution
    assert not is_cited(not_quoted)


def test_a_campaign_counts_every_copy_in_one_theme(client, sign_in, moderator, position_with_input,
                                                   make_user, contribute):
    from portal.contributions.models import Contribution

    copies = [contribute(make_user(), f"Kami warga Medan Deli menolak pengurangan perawat puskesmas, mohon ditinjau {n}.",
                         kind="field_comment", on=position_with_input, stance="objects") for n in range(6)]
    for copy in copies:
        db.session.get(Contribution, copy.id).campaign_id = 990001
    db.session.commit()
    sign_in(moderator)
    client.post(f"/aspirations/positions/{position_with_input.id}", data={"themes": "2"})
    summary = db.session.scalars(select(Summary)).one()
    assert summary.contribution_count == 30
    themes = _themes(summary.id)
    assert sum(t.size for t in themes) == 30
    holding = [t for t in themes if any(m.contribution_id == copies[0].id for m in t.members)]
    assert len(holding) == 1
    assert {c.id for c in copies} <= {m.contribution_id for m in holding[0].members}


def test_answering_a_theme_answers_each_of_its_contributions(app, client, sign_in, moderator, position_with_input):
    from portal.contributions.urls import contribution_url
    from portal.notifications.models import Notification

    sign_in(moderator)
    client.post(f"/aspirations/positions/{position_with_input.id}", data={"themes": "2"})
    summary = db.session.scalars(select(Summary)).one()
    theme = next(t for t in _themes(summary.id) if not t.is_other)
    # A draft's theme cannot be answered.
    response = client.post(f"/aspirations/themes/{theme.id}/answer",
                           data={"outcome": "accepted", "explanation": "Formasi perawat akan ditambah."})
    assert response.status_code == 400
    client.post(f"/aspirations/summaries/{summary.id}/publish")
    response = client.post(f"/aspirations/themes/{theme.id}/answer",
                           data={"outcome": "partly_accepted", "explanation": "Formasi perawat akan ditambah enam orang."})
    assert response.status_code == 302
    anonymous = app.test_client()
    assert "Formasi perawat akan ditambah enam orang." in anonymous.get(f"/aspirations/themes/{theme.id}").get_data(as_text=True)
    member = theme.members[0].contribution
    with app.test_request_context():
        url = contribution_url(member)
    listed = anonymous.get(url, follow_redirects=True).get_data(as_text=True)
    assert "Formasi perawat akan ditambah enam orang." in listed
    # In the list, the answer names its theme and folds its text (the same under every member).
    assert f'href="/aspirations/themes/{theme.id}">{escape(theme.label)}</a>' in listed
    folded = listed.split('<details class="answer__more">')
    assert len(folded) > 1 and "Formasi perawat akan ditambah enam orang." in folded[1].split("</details>")[0]
    authors = {m.contribution.author_id for m in theme.members}
    told = {n.user_id for n in db.session.scalars(select(Notification)).all()}
    assert authors <= told
    assert audit_entries("response.give")

    # The export carries each contribution's theme and the theme's answer.
    from portal.aspirations.exports import services as exports

    with app.test_request_context():
        started = exports.start_export(moderator, exports.ExportRequest(
            position_id=position_with_input.id, format="json", statuses=("published",)))
        rows = [dict(zip(started.keys, row, strict=True)) for batch in started.batches() for row in batch]
    by_id = {row["public_id"]: row for row in rows}
    assert by_id[member.public_id]["theme"] == theme.label
    assert by_id[member.public_id]["response_outcome"] == "partly_accepted"
    assert "enam orang" in by_id[member.public_id]["response_text"]
