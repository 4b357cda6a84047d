"""What a visitor sees: the list with filters and pages, a position's record, the OPD map."""

from __future__ import annotations

import re

from portal.extensions import db
from portal.positions import services, validation
from portal.proposals.models import Policy


def _names(page: str) -> list[str]:
    return re.findall(r'<a href="/positions/\d+">([^<]+)</a>', page)


def test_list_filters_by_opd_type_grade_and_text(client, make_opd, make_position):
    health = make_opd(name="Dinas Kesehatan")
    education = make_opd(name="Dinas Pendidikan")
    make_position(opd=health, name="Kepala Dinas Kesehatan", position_type="jpt", grade=14)
    make_position(opd=health, name="Pengelola Data Kesehatan", grade=7)
    make_position(opd=education, name="Guru Ahli Pertama", position_type="fungsional", grade=9)

    by_opd = client.get(f"/positions/?opd={health.id}").get_data(as_text=True)
    assert _names(by_opd) == ["Kepala Dinas Kesehatan", "Pengelola Data Kesehatan"]
    by_type = client.get("/positions/?type=fungsional").get_data(as_text=True)
    assert _names(by_type) == ["Guru Ahli Pertama"]
    by_grade = client.get("/positions/?grade=14").get_data(as_text=True)
    assert _names(by_grade) == ["Kepala Dinas Kesehatan"]
    by_text = client.get("/positions/?q=data kes").get_data(as_text=True)
    assert _names(by_text) == ["Pengelola Data Kesehatan"]


def test_list_orders_by_opd_then_highest_grade_then_name(client, make_opd, make_position):
    b, a = make_opd(name="B Dinas"), make_opd(name="A Dinas")
    make_position(opd=b, name="Staf B", grade=5)
    make_position(opd=a, name="Zulu", grade=7)
    make_position(opd=a, name="Alfa", grade=7)
    make_position(opd=a, name="Kepala A", grade=14)
    assert _names(client.get("/positions/").get_data(as_text=True)) == ["Kepala A", "Alfa", "Zulu", "Staf B"]


def test_list_filter_with_nonsense_values_still_answers(client, make_position):
    make_position(name="Arsiparis")
    response = client.get("/positions/?type=<script>&q=%25")
    assert response.status_code == 200
    assert "<script>" not in response.get_data(as_text=True)
    # A garbled number is a 400 that says so (tests/test_numbers.py tries every such parameter).
    response = client.get("/positions/?opd=abc&grade=<script>&page=-3")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Alamat ini memuat angka yang tidak sah" in page and "<script>" not in page


def test_list_is_paged_with_next_link_keeping_filters(client, english, app, make_opd, make_position):
    app.config["PAGE_SIZE"] = 2
    opd = make_opd()
    for n in range(5):
        make_position(opd=opd, name=f"Staf {n}", grade=5, position_type="pelaksana")
    first = client.get("/positions/?type=pelaksana").get_data(as_text=True)
    assert _names(first) == ["Staf 0", "Staf 1"]
    assert "Page 1 of 3" in first
    next_link = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "type=pelaksana" in next_link
    assert _names(client.get(next_link).get_data(as_text=True)) == ["Staf 2", "Staf 3"]
    assert _names(client.get("/positions/?type=pelaksana&page=3").get_data(as_text=True)) == ["Staf 4"]


def test_detail_shows_shortage_and_surplus(client, english, make_position):
    short = make_position(required_count=5, incumbent_count=2)
    page = client.get(f"/positions/{short.id}").get_data(as_text=True)
    assert 'class="gap gap--shortage"' in page
    assert re.search(r'gap--shortage">([^<]+)<', page).group(1) == "Shortage of 3"
    over = make_position(required_count=1, incumbent_count=4)
    page = client.get(f"/positions/{over.id}").get_data(as_text=True)
    assert re.search(r'gap--surplus">([^<]+)<', page).group(1) == "Surplus of 3"


def test_detail_shows_every_informasi_jabatan_section(client, make_position):
    fields = {name: f"Isi {name} <b>tebal</b>" for name in validation.TEXT_FIELDS}
    position = make_position(service_area="Kecamatan Medan Deli", service_population=187000, **fields)
    page = client.get(f"/positions/{position.id}").get_data(as_text=True)
    for name in validation.TEXT_FIELDS:
        assert f"Isi {name} &lt;b&gt;tebal&lt;/b&gt;" in page
    assert "<b>tebal</b>" not in page
    assert "Kecamatan Medan Deli" in page
    assert "187.000" in page or "187,000" in page


def test_detail_links_superior_and_subordinates(client, make_opd, make_position):
    opd = make_opd()
    head = make_position(opd=opd, name="Kepala Bidang", grade=11)
    staff = make_position(opd=opd, parent=head, name="Analis SDM", grade=8)
    head_page = client.get(f"/positions/{head.id}").get_data(as_text=True)
    assert f'href="/positions/{staff.id}">Analis SDM' in head_page
    staff_page = client.get(f"/positions/{staff.id}").get_data(as_text=True)
    assert f'href="/positions/{head.id}">Kepala Bidang' in staff_page


def test_aspiration_summary_shown_when_published_and_marked_missing_otherwise(client, english, make_position):
    empty = make_position()
    page = client.get(f"/positions/{empty.id}").get_data(as_text=True)
    assert "aspiration-summary" in page
    assert "Public aspiration summary" in page
    assert "No summary of public aspirations has been published" in page
    published = make_position(aspiration_summary="Warga meminta **pelayanan cepat**.\n\n<script>x</script>")
    page = client.get(f"/positions/{published.id}").get_data(as_text=True)
    assert "<strong>pelayanan cepat</strong>" in page
    assert "<script>x</script>" not in page


def test_only_public_linked_policies_are_shown_to_visitors(client, make_user, login_as, make_position):
    position = make_position()
    author = make_user(role="moderator")
    for title, status in (("Perwal Terbuka", "open"), ("Perwal Rahasia", "draft")):
        policy = Policy(slug=title.lower().replace(" ", "-"), title=title, status=status, created_by_id=author.id)
        policy.positions.append(position)
        db.session.add(policy)
    db.session.commit()
    page = client.get(f"/positions/{position.id}").get_data(as_text=True)
    assert "Perwal Terbuka" in page and "Perwal Rahasia" not in page
    login_as(author)
    assert "Perwal Rahasia" in client.get(f"/positions/{position.id}").get_data(as_text=True)


def test_a_linked_policy_shows_its_phase_in_words_not_its_status_key(client, make_user, make_position):
    from datetime import timedelta

    from portal.extensions import utcnow

    position = make_position()
    author = make_user(role="moderator")
    now = utcnow()
    for title, opens in (("Perwal Terbuka", now - timedelta(days=1)), ("Perwal Mendatang", now + timedelta(days=3))):
        policy = Policy(slug=title.lower().replace(" ", "-"), title=title, status="open", created_by_id=author.id,
                        opens_at=opens, closes_at=now + timedelta(days=9))
        policy.positions.append(position)
        db.session.add(policy)
    db.session.commit()
    page = client.get(f"/positions/{position.id}").get_data(as_text=True)
    badges = re.findall(r'<span class="badge[^"]*">([^<]*)</span>', page)
    assert "Dibuka untuk konsultasi publik" in badges and "Segera dibuka" in badges
    assert "open" not in badges


def test_unknown_position_and_opd_answer_404(client):
    assert client.get("/positions/999999").status_code == 404
    assert client.get("/positions/opds/999999").status_code == 404
    assert client.get("/positions/999999/edit").status_code in (302, 404)


def test_opd_map_nests_positions_under_their_superiors(client, make_opd, make_position):
    opd, other = make_opd(name="BKPSDM"), make_opd()
    outside_boss = make_position(opd=other, name="Sekretaris Daerah", grade=16)
    head = make_position(opd=opd, parent=outside_boss, name="Kepala Badan", grade=14)
    division = make_position(opd=opd, parent=head, name="Kepala Bidang Mutasi", grade=11)
    make_position(opd=opd, parent=division, name="Analis Mutasi", grade=8)
    make_position(opd=opd, name="Pranata Komputer", grade=7)
    page = client.get(f"/positions/opds/{opd.id}").get_data(as_text=True)
    tree = page[page.index('class="position-tree"'):]
    # Analis is inside Bidang's list, which is inside Kepala Badan's list.
    badan = tree.index("Kepala Badan")
    bidang = tree.index("Kepala Bidang Mutasi")
    analis = tree.index("Analis Mutasi")
    assert badan < bidang < analis
    assert tree[badan:bidang].count("<ul>") == 1 and tree[bidang:analis].count("<ul>") == 1
    assert "Sekretaris Daerah" not in tree
    roots = [node.position.name for node in services.opd_tree(opd)]
    assert roots == ["Kepala Badan", "Pranata Komputer"]


def test_opd_map_survives_a_loop_in_the_data(app, make_opd, make_position):
    opd = make_opd()
    a = make_position(opd=opd, name="A", grade=9)
    b = make_position(opd=opd, parent=a, name="B", grade=8)
    a.parent = b
    db.session.commit()
    tree = services.opd_tree(opd)
    assert [node.position.name for node in tree] == ["A"]
    assert [child.position.name for child in tree[0].children] == ["B"]


def test_opd_list_counts_positions(client, make_opd, make_position):
    opd = make_opd(name="Disdukcapil")
    make_position(opd=opd, required_count=4, incumbent_count=3)
    make_position(opd=opd, required_count=2, incumbent_count=2)
    page = client.get("/positions/opds").get_data(as_text=True)
    row = page[page.index("Disdukcapil"):].split("</tr>")[0]
    assert re.findall(r"<td[^>]*>(\d+)</td>", row) == ["2", "6", "5"]
