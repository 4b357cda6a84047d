"""The consultation outcome report of a closed policy: what it received, its themes and answers, what
changed and why, the three rights; printed, downloaded as a PDF, bounded in queries."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from portal.aspirations.citations import services as citations
from portal.aspirations.responses import services as responses
from portal.aspirations.summaries import services as summaries
from portal.proposals import services as proposals
from tests.aspirations.test_summaries import TRAINING, WORKLOAD
from tests.conftest import POLICY_BODY, executable_markup, text_of
from tests.pages.conftest import counting_queries

TEXTS = [WORKLOAD, TRAINING]


def _consult(official, policy, people, contribute, n: int):
    for i in range(n):
        contribute(people[i % len(people)], TEXTS[i % 2][i % 3].format(n=i), kind="comment", on=policy,
                   article_key=f"pasal-{1 + i % 3}", stance="objects")


@pytest.fixture
def people(make_user):
    return [make_user(role=role) for role in ("citizen", "ngo", "academic")]


@pytest.fixture
def closed(make_policy, official, people, contribute, publish_at_once):
    """A closed policy with 24 comments, a published answered theme, and version 2 citing it."""
    policy = make_policy(by=official)
    _consult(official, policy, people, contribute, 24)
    summary = summaries.summarize(official, policy=policy, themes=2)
    summaries.publish(official, summary)
    theme = summary.kept_themes[0]
    summaries_label = "Formasi perawat puskesmas"
    theme.label = summaries_label
    answer = responses.respond_to_theme(official, theme, outcome="accepted",
                                        explanation="Kebutuhan perawat dihitung dari jumlah pasien.")
    body = POLICY_BODY.replace("Daerah adalah Kota Medan.", "Daerah adalah Kota Medan. Perawat dihitung per pasien.", 1)
    version = proposals.add_version(official, policy, body, "Pasal 1 memuat jumlah pasien.")
    citations.cite(official, version, {"pasal-1": [f"theme-{theme.id}", f"response-{answer.id}"]})
    proposals.transition(official, policy, "closed")
    return policy, theme, answer


def test_the_report_shows_counts_themes_answers_and_what_changed(app, english, closed):
    policy, theme, answer = closed
    page = english.get(f"/policies/{policy.slug}/outcome")
    assert page.status_code == 200
    text = text_of(page)
    for expected in ("Consultation outcome report", "Comment", "24", "Formasi perawat puskesmas",
                     "Kebutuhan perawat dihitung dari jumlah pasien.", "Version 2", "Pasal 1",
                     "Changed because of what the public said", "Heard", "Answered"):
        assert expected in text, expected
    assert "<svg" in page.get_data(as_text=True)
    assert f"/policies/{policy.slug}/outcome" in english.get(f"/policies/{policy.slug}").get_data(as_text=True)
    assert f"/policies/{policy.slug}/outcome" in english.get(f"/policies/{policy.slug}/accountability").get_data(as_text=True)


def test_the_pdf_is_extractable_text_with_the_theme_and_its_answer(english, closed):
    policy, theme, answer = closed
    response = english.get(f"/policies/{policy.slug}/outcome.pdf")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Formasi perawat puskesmas" in text
    assert "Kebutuhan perawat dihitung dari jumlah pasien." in " ".join(text.split())


def test_an_open_policy_says_the_report_comes_at_closing_and_has_no_pdf(english, policy):
    page = english.get(f"/policies/{policy.slug}/outcome")
    assert page.status_code == 200 and "published when the consultation closes" in text_of(page)
    assert english.get(f"/policies/{policy.slug}/outcome.pdf").status_code == 404
    assert english.get("/policies/no-such-policy/outcome").status_code == 404


def test_a_draft_policy_has_no_report_for_the_public(client, make_policy):
    draft = make_policy("draft")
    assert client.get(f"/policies/{draft.slug}/outcome").status_code == 404
    assert client.get(f"/policies/{draft.slug}/outcome.pdf").status_code == 404


def test_naughty_theme_names_and_answers_are_safe_in_html_and_pdf(app, english, closed, blns):
    from portal.extensions import db

    policy, theme, answer = closed
    for start in range(0, len(blns), 60):
        chunk = [s for s in blns[start:start + 60] if s.strip() and "\x00" not in s]
        theme.label = " | ".join(chunk)[:2000] or "x"
        answer.explanation = "\n".join(chunk) or "x"
        answer.explanation_html = None
        db.session.commit()
        for url in (f"/policies/{policy.slug}/outcome", f"/policies/{policy.slug}/diff?from=1&to=2",
                    f"/policies/{policy.slug}/versions/2", f"/aspirations/themes/{theme.id}"):
            page = english.get(url)
            assert page.status_code == 200, url
            assert executable_markup(page.get_data(as_text=True)) == [], url
        pdf = english.get(f"/policies/{policy.slug}/outcome.pdf")
        assert pdf.status_code == 200
        PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()


def test_the_report_renews_when_content_changes(app, closed, page_cache_on):
    policy, theme, answer = closed
    anonymous = app.test_client()
    path = f"/policies/{policy.slug}/outcome"
    assert "Formasi perawat puskesmas" in text_of(anonymous.get(path))
    assert "Formasi perawat puskesmas" in text_of(anonymous.get(path))  # kept by now
    from portal.extensions import db

    theme.label = "Tema yang diganti namanya"
    db.session.commit()
    assert "Tema yang diganti namanya" in text_of(anonymous.get(path))


def test_the_report_reads_a_fixed_number_of_queries(english, make_policy, official, people, contribute,
                                                    publish_at_once):
    counts = {}
    for count in (10, 300):
        policy = make_policy(by=official, title=f"Rancangan {count}")
        _consult(official, policy, people, contribute, count)
        proposals.transition(official, policy, "closed")
        english.get(f"/policies/{policy.slug}/outcome")
        with counting_queries() as queries:
            page = english.get(f"/policies/{policy.slug}/outcome")
        assert page.status_code == 200 and str(count) in text_of(page)
        counts[count] = queries()
    assert counts[10] == counts[300], counts
    print(f"outcome page queries: {counts}")


def test_the_report_shows_the_themes_of_positions_the_consultation_spoke_about(
        app, english, make_policy, make_position, official, admin, people, contribute, publish_at_once):
    from portal.aspirations.links import services as links
    from portal.positions import services as positions

    policy = make_policy(by=official)
    nurse, elsewhere = make_position(name="Perawat Ahli Pertama"), make_position(name="Pranata Komputer")
    for i in range(12):
        item = contribute(people[i % 3], WORKLOAD[i % 3].format(n=i), kind="comment", on=policy,
                          article_key="pasal-1", stance="objects")
        links.tag_by_author(people[i % 3], item, [f"position:{nurse.id}"])
    other_policy = make_policy(by=official, title="Rancangan lain")
    for i in range(6):
        item = contribute(people[i % 3], TRAINING[i % 3].format(n=i), kind="comment", on=other_policy)
        links.tag_by_author(people[i % 3], item, [f"position:{elsewhere.id}"])
    for position, label in ((nurse, "Perawat puskesmas kewalahan"), (elsewhere, "Tema jabatan lain")):
        summary = summaries.summarize(official, position=position, themes=1)
        summaries.edit_theme(official, summary, summary.kept_themes[0].id, label, "")
        summaries.publish(official, summary)
    theme = summaries.summaries_of(position=nurse)[0].kept_themes[0]
    responses.respond_to_theme(official, theme, outcome="partly_accepted", explanation="Formasi ditambah dua.")
    positions.update_position(admin, nurse, {"required_count": str(nurse.required_count + 2)},
                              reason="Menjawab aspirasi publik.", cites=(theme.id,))
    proposals.transition(official, policy, "closed")

    text = text_of(english.get(f"/policies/{policy.slug}/outcome"))
    for expected in ("Perawat puskesmas kewalahan", "On the position Perawat Ahli Pertama", "Partly accepted",
                     "Formasi ditambah dua.", "Position records changed because of these themes",
                     "Menjawab aspirasi publik.", f"{nurse.required_count - 2} → {nurse.required_count}"):
        assert expected in text, expected
    assert "Tema jabatan lain" not in text  # that position's summary holds nothing said on this policy
    pdf = english.get(f"/policies/{policy.slug}/outcome.pdf")
    pdf_text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split())
    assert "Perawat puskesmas kewalahan" in pdf_text and "Menjawab aspirasi publik." in pdf_text
