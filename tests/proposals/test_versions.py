"""New versions keep the old ones; the diff page shows what changed, word by word."""

from __future__ import annotations

from portal.extensions import db
from portal.proposals import services
from tests.conftest import audit_entries
from tests.proposals.conftest import BODY

NEW_BODY = (
    BODY.replace("dihitung setiap tahun oleh BKPSDM", "dihitung setiap dua tahun oleh BKPSDM")
    .replace("### Pasal 2\nRuang Lingkup\n\nPeraturan ini mengatur analisis jabatan dan analisis beban kerja.\n\n", "")
    + "\n### Pasal 4\nPenutup\n\nPeraturan ini berlaku sejak diundangkan.\n"
)


def _publish(client, policy, body=NEW_BODY, note="Pasal 2 dihapus, Pasal 4 ditambah"):
    return client.post(f"/policies/{policy.slug}/versions/new", data={"body": body, "change_note": note})


def test_new_version_form_is_prefilled_with_the_current_text(client, make_policy, official, login_as):
    policy = make_policy("draft", body=BODY)
    login_as(official)
    page = client.get(f"/policies/{policy.slug}/versions/new").get_data(as_text=True)
    assert "### Pasal 1" in page and "Ruang Lingkup" in page


def test_new_version_keeps_the_old_one_and_the_diff_shows_the_changes(client, make_policy, official, login_as):
    policy = make_policy(status="open", body=BODY)
    login_as(official)
    assert _publish(client, policy).status_code == 302
    db.session.refresh(policy)
    assert [v.number for v in policy.versions] == [1, 2]
    assert policy.versions[0].body == BODY
    assert [a.key for a in policy.versions[1].articles] == ["pembukaan", "pasal-1", "pasal-3", "pasal-4"]
    old_page = client.get(f"/policies/{policy.slug}/versions/1").get_data(as_text=True)
    assert "Ruang Lingkup" in old_page and 'id="pasal-2"' in old_page
    current = client.get(f"/policies/{policy.slug}").get_data(as_text=True)
    assert 'id="pasal-2"' not in current and 'id="pasal-4"' in current
    assert "Pasal 2 dihapus, Pasal 4 ditambah" in current

    response = client.get(f"/policies/{policy.slug}/diff?from=1&to=2")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<ins>dua </ins>" in page  # the changed words, not the whole article
    assert 'policy-diff--changed' in page and 'id="pasal-3"' in page
    assert 'policy-diff--removed' in page and "<del>Ruang Lingkup" in page
    assert 'policy-diff--added' in page and "<ins>Penutup" in page
    assert 'id="pasal-1"' not in page  # unchanged articles are left out
    entries = audit_entries("policy.version")
    assert len(entries) == 1 and entries[0].actor_id == official.id


def test_diff_versions_classifies_every_article_in_reading_order(make_policy, official):
    policy = make_policy("draft", body=BODY)
    services.add_version(official, policy, NEW_BODY, "perubahan")
    changes = services.diff_versions(policy.versions[0], policy.versions[1])
    assert [(c.key, c.kind) for c in changes] == [
        ("pembukaan", "unchanged"),
        ("pasal-1", "unchanged"),
        ("pasal-2", "removed"),
        ("pasal-3", "changed"),
        ("pasal-4", "added"),
    ]
    changed = changes[3]
    assert changed.old_body.endswith("setiap tahun oleh BKPSDM.")
    assert changed.pieces == [("equal", "Kebutuhan pegawai dihitung setiap "), ("insert", "dua "),
                              ("equal", "tahun oleh BKPSDM.")]


def test_diff_escapes_markup_in_the_text(client, make_policy, official):
    policy = make_policy(status="open", body="### Pasal 1\nIsi <b>lama</b>.")
    services.add_version(official, policy, "### Pasal 1\nIsi <script>alert(1)</script>.", "ubah")
    page = client.get(f"/policies/{policy.slug}/diff?from=1&to=2").get_data(as_text=True)
    html = page[page.index('<div class="policy-diff__text">') + len('<div class="policy-diff__text">'):]
    html = html[:html.index("</div>")]
    assert "<script" not in html and "<b>" not in html
    assert html == "Isi &lt;<del>b</del><ins>script</ins>&gt;<del>lama</del><ins>alert(1)</ins>&lt;/<del>b</del><ins>script</ins>&gt;."


def test_bad_version_numbers_answer_404_or_400_never_500(client, make_policy):
    policy = make_policy(status="open", body=BODY)
    base = f"/policies/{policy.slug}"
    assert client.get(f"{base}/versions/2").status_code == 404
    assert client.get(f"{base}/versions/0").status_code == 404
    assert client.get(f"{base}/versions/99999999999999999999").status_code == 404
    assert client.get(f"{base}/versions/abc").status_code == 404
    assert client.get(f"{base}/diff?from=1&to=7").status_code == 404
    assert client.get(f"{base}/diff?from=x&to=1").status_code == 400
    assert client.get(f"{base}/diff?from=-1").status_code == 400
    assert client.get(f"{base}/diff?from=99999999999999999999").status_code == 400
    assert client.get(f"{base}/diff").status_code == 200  # defaults: previous to current
    assert client.get("/policies/no-such-policy").status_code == 404


def test_new_version_is_refused_for_adopted_policies(client, make_policy, official, login_as):
    policy = make_policy(status="adopted", body=BODY)
    login_as(official)
    response = _publish(client, policy)
    assert response.status_code == 409
    db.session.refresh(policy)
    assert len(policy.versions) == 1


def test_new_version_needs_a_change_note_and_a_changed_text(client, make_policy, official, login_as):
    policy = make_policy("draft", body=BODY)
    login_as(official)
    response = _publish(client, policy, note="")
    assert response.status_code == 400
    assert "Pasal 4" in response.get_data(as_text=True)  # nothing typed is lost
    assert _publish(client, policy, body=BODY).status_code == 400
    db.session.refresh(policy)
    assert len(policy.versions) == 1


def test_citizen_cannot_publish_a_version(client, make_policy, make_user, login_as):
    policy = make_policy(status="open", body=BODY)
    login_as(make_user())
    assert client.get(f"/policies/{policy.slug}/versions/new").status_code == 403
    assert _publish(client, policy).status_code == 403
