"""Starting and answering threads, replies and quotes, paging and order,
locked threads, restricted and policy categories."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.errors import Conflict, PermissionDenied, ValidationError
from portal.extensions import db
from portal.forums import services
from portal.forums.models import Category, Post, Thread

from tests.conftest import audit_entries, text_of
from tests.forums.conftest import tr


def test_a_user_starts_a_thread_and_another_answers_it(client, sign_in, citizen, member, general):
    sign_in(citizen)
    response = client.post(
        f"/forum/c/{general.slug}/new",
        data={"title": "Formasi guru SD di Medan Utara", "body": "Berapa **kebutuhan** guru kelas tahun ini?"},
    )
    assert response.status_code == 302
    thread = db.session.scalar(select(Thread))
    assert response.headers["Location"].endswith(f"/forum/t/{thread.id}")
    opening = thread.posts[0]
    assert opening.is_opening and opening.public_id.startswith("FRM-")

    sign_in(member)
    response = client.post(f"/forum/t/{thread.id}/reply", data={"body": "Menurut data BKPSDM masih kurang 120 orang."})
    assert response.status_code == 302
    answer = db.session.scalar(select(Post).where(Post.is_opening.is_(False)))
    assert f"#post-{answer.id}" in response.headers["Location"]

    page = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert f'id="post-{opening.id}"' in page and f'id="post-{answer.id}"' in page
    assert "<strong>kebutuhan</strong>" in page
    assert opening.public_id in page and answer.public_id in page
    assert "badge--verified" in page, "the NGO member verified badge is shown"
    assert page.index("Berapa") < page.index("Menurut data BKPSDM"), "oldest first"
    category_page = text_of(client.get(f"/forum/c/{general.slug}").get_data(as_text=True))
    assert "Formasi guru SD di Medan Utara" in category_page
    index = text_of(client.get("/forum/").get_data(as_text=True))
    assert re.search(r"Umum .*? 1 2 ", index), index


def test_the_nav_links_to_the_forum(client):
    assert 'href="/forum/"' in client.get("/forum/").get_data(as_text=True)


def test_a_reply_to_a_reply_stays_one_level_deep(make_thread, citizen, member):
    thread = make_thread()
    answer = services.reply(member, thread, "Jawaban pertama.")
    first = services.reply(citizen, thread, "Balasan untuk jawaban.", parent=answer)
    second = services.reply(member, thread, "Balasan untuk balasan.", parent=first)
    assert first.parent_id == answer.id
    assert second.parent_id == answer.id
    entries = services.list_posts(citizen, thread).entries
    assert [e.post.id for e in entries] == [thread.posts[0].id, answer.id]
    assert [r.id for r in entries[1].replies] == [first.id, second.id]


def test_the_quote_button_prefills_the_answer_with_a_markdown_quote(client, sign_in, make_thread, member, citizen):
    thread = make_thread(body="Baris pertama.\n\nBaris kedua <b>tebal</b>.")
    opening = thread.posts[0]
    sign_in(member)
    page = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert re.search(rf'href="/forum/t/{thread.id}\?[^"]*quote={opening.id}[^"]*#reply"', page), "a quote link"

    page = client.get(f"/forum/t/{thread.id}?reply_to={opening.id}&quote={opening.id}").get_data(as_text=True)
    textarea = re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    prefill = html.unescape(textarea).strip()
    assert prefill.startswith(f"> {citizen.display_name} ({opening.public_id}):")
    assert "> Baris kedua <b>tebal</b>." in prefill
    assert f'name="quote" type="hidden" value="{opening.id}"' in page

    response = client.post(
        f"/forum/t/{thread.id}/reply",
        data={"body": prefill + "\n\nSaya setuju.", "quote": str(opening.id), "parent": str(opening.id)},
    )
    assert response.status_code == 302
    post = db.session.scalar(select(Post).where(Post.is_opening.is_(False)))
    assert post.quoted_post_id == opening.id and post.parent_id == opening.id
    page = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert "<blockquote>" in page
    assert f'href="#post-{opening.id}">{opening.public_id}</a>' in page, "the answer links to the quoted post"


def test_a_quote_from_another_thread_is_refused(make_thread, member):
    one, other = make_thread(title="Satu"), make_thread(title="Dua")
    with pytest.raises(ValidationError):
        services.reply(member, one, "Mengutip dari utas lain.", quote=other.posts[0])


def test_posts_are_paged_oldest_first(app, client, make_thread, member):
    app.config["FORUM_PAGE_SIZE"] = 3
    thread = make_thread()
    for n in range(1, 7):
        services.reply(member, thread, f"Jawaban nomor {n}.")
    first = text_of(client.get(f"/forum/t/{thread.id}").get_data(as_text=True))
    assert "Jawaban nomor 2." in first and "Jawaban nomor 3." not in first
    assert tr("Page %(page)d of %(pages)d", page=1, pages=3) in first
    last = text_of(client.get(f"/forum/t/{thread.id}?page=3").get_data(as_text=True))
    assert "Jawaban nomor 6." in last and "Jawaban nomor 5." not in last
    assert client.get(f"/forum/t/{thread.id}?page=abc").status_code == 400  # see tests/test_numbers.py


def test_after_answering_the_author_lands_on_the_page_of_the_answer(app, client, sign_in, make_thread, member):
    app.config["FORUM_PAGE_SIZE"] = 2
    thread = make_thread()
    for n in range(3):
        services.reply(member, thread, f"Jawaban {n}.")
    sign_in(member)
    response = client.post(f"/forum/t/{thread.id}/reply", data={"body": "Jawaban terakhir."})
    assert "page=3" in response.headers["Location"]


def test_threads_are_listed_pinned_first_then_by_last_activity(app, client, make_thread, moderator, member):
    app.config["FORUM_PAGE_SIZE"] = 2
    old = make_thread(title="Utas lama")
    pinned = make_thread(title="Utas disematkan")
    fresh = make_thread(title="Utas baru")
    services.reply(member, old, "Aktivitas terbaru di utas lama.")
    services.set_pinned(moderator, pinned, True)
    page = services.list_threads(None, old.category, 1)
    assert [t.title for t in page.items] == ["Utas disematkan", "Utas lama"]
    assert [t.title for t in services.list_threads(None, old.category, 2).items] == ["Utas baru"]
    assert fresh.pinned is False
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "forum.pin")) == "forum.pin"


def test_a_locked_thread_refuses_answers_with_a_clear_message(client, sign_in, make_thread, moderator, member):
    thread = make_thread()
    services.set_locked(moderator, thread, True, "Diskusi sudah selesai.")
    with pytest.raises(Conflict) as refused:
        services.reply(member, thread, "Masih ingin menjawab.")
    locked_message = tr("This thread is locked: no new posts can be added. You can still read it.")
    assert refused.value.message == locked_message
    entry = audit_entries("forum.lock")[0]
    assert entry.actor_id == moderator.id and entry.reason == "Diskusi sudah selesai."

    sign_in(member)
    page = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert f'action="/forum/t/{thread.id}/reply' not in page, "no answer form on a locked thread"
    response = client.post(f"/forum/t/{thread.id}/reply", data={"body": "Masih ingin menjawab."})
    assert response.status_code == 409
    said = text_of(response.get_data(as_text=True))
    assert locked_message in said
    assert "Masih ingin menjawab." in said, "the typed text is shown back"
    assert db.session.query(Post).count() == 1


def test_only_moderators_see_and_use_lock_and_pin(client, sign_in, make_thread, moderator, member):
    thread = make_thread()
    sign_in(member)
    assert f"/forum/t/{thread.id}/lock" not in client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert client.post(f"/forum/t/{thread.id}/lock", data={}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.set_locked(member, thread, True)
    sign_in(moderator)
    assert f"/forum/t/{thread.id}/lock" in client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert client.post(f"/forum/t/{thread.id}/lock", data={"reason": ""}).status_code == 302
    db.session.refresh(thread)
    assert thread.locked
    assert client.post(f"/forum/t/{thread.id}/unlock", data={}).status_code == 302
    db.session.refresh(thread)
    assert not thread.locked


def test_a_restricted_category_refuses_a_citizen_and_accepts_a_verified_member(
    client, sign_in, roundtable, citizen, member, make_user
):
    with pytest.raises(PermissionDenied) as refused:
        services.start_thread(citizen, roundtable, "Boleh ikut?", "Saya warga biasa.")
    restricted_message = tr(
        "Only verified members of NGOs and academic institutions can write in this category. Everyone can read it."
    )
    assert refused.value.message == restricted_message
    unverified = make_user(role="ngo", organisation="LSM Belum Terverifikasi")
    with pytest.raises(PermissionDenied):
        services.start_thread(unverified, roundtable, "Boleh ikut?", "Organisasi saya belum diverifikasi.")

    sign_in(citizen)
    assert client.get(f"/forum/c/{roundtable.slug}").status_code == 200, "everyone can read"
    response = client.post(f"/forum/c/{roundtable.slug}/new", data={"title": "Boleh ikut?", "body": "Saya warga."})
    assert response.status_code == 403
    assert restricted_message in text_of(response.get_data(as_text=True))

    sign_in(member)
    response = client.post(
        f"/forum/c/{roundtable.slug}/new",
        data={"title": "Kajian beban kerja", "body": "Kami menyiapkan kajian ABK untuk Dinas Kesehatan."},
    )
    assert response.status_code == 302
    thread = db.session.scalar(select(Thread))
    assert thread.category_id == roundtable.id and thread.posts[0].status == "published"
    with pytest.raises(PermissionDenied):
        services.reply(citizen, thread, "Saya ingin menanggapi.")


def test_a_policy_has_one_category_and_its_threads_show_on_the_policy_page(
    client, make_policy, member, make_thread
):
    policy = make_policy()
    category = services.policy_category(policy)
    assert services.policy_category(policy).id == category.id
    assert db.session.query(Category).filter_by(policy_id=policy.id).count() == 1
    thread = make_thread(author=member, category=category, title="Pasal 1 perlu definisi OPD")
    assert thread.policy_id == policy.id and thread.posts[0].policy_id == policy.id

    response = client.get(f"/forum/policy/{policy.slug}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/forum/c/{category.slug}")
    page = client.get(f"/policies/{policy.slug}").get_data(as_text=True)
    assert "Pasal 1 perlu definisi OPD" in page


def test_a_policy_gets_its_category_when_created_and_reading_its_forum_writes_nothing(
    app, client, sign_in, make_policy, moderator, member
):
    from sqlalchemy import event

    policy = make_policy()
    category = services.policy_category(policy)
    assert category is not None and category.name == policy.title, "made with the policy, in the same commit"
    writes: list[str] = []

    def listen(conn, cursor, statement, *args):
        if statement.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            writes.append(statement)

    for reader in (None, member, moderator):
        if reader is not None:
            sign_in(reader)  # signing in writes its session and time; only the reading is watched
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            for _ in range(3):
                response = client.get(f"/forum/policy/{policy.slug}")
                assert response.status_code == 302
                assert response.headers["Location"].endswith(f"/forum/c/{category.slug}")
                assert client.get(f"/forum/c/{category.slug}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
    assert writes == []
    assert db.session.query(Category).filter_by(policy_id=policy.id).count() == 1

    # A policy whose category is missing answers 404 and still does not make one on a GET.
    db.session.delete(category)
    db.session.commit()
    assert client.get(f"/forum/policy/{policy.slug}").status_code == 404
    assert db.session.query(Category).filter_by(policy_id=policy.id).count() == 0


def test_the_policy_threads_partial_lists_the_threads(app, make_policy, member, make_thread):
    from flask import render_template_string

    policy = make_policy()
    make_thread(author=member, category=services.policy_category(policy), title="Utas kebijakan")
    with app.test_request_context("/"):
        html = render_template_string('{% include "forums/_policy_threads.html" %}', policy=policy,
                                      forum_threads=services.policy_threads(member, policy))
    assert "Utas kebijakan" in html and f"/forum/policy/{policy.slug}" in html


def test_a_draft_policy_forum_refuses_posts(client, sign_in, make_policy, moderator, member):
    policy = make_policy(status="draft")
    category = services.policy_category(policy)
    with pytest.raises(Conflict) as refused:
        services.start_thread(moderator, category, "Draf", "Diskusi awal.")
    draft_message = tr("This policy is still a draft; its forum opens when the consultation is published.")
    assert refused.value.message == draft_message
    sign_in(member)
    assert client.get(f"/forum/c/{category.slug}").status_code == 404, "a draft's forum is not public"
    assert client.get(f"/forum/policy/{policy.slug}").status_code == 404
    sign_in(moderator)
    response = client.post(f"/forum/c/{category.slug}/new", data={"title": "Draf", "body": "Diskusi awal."})
    assert response.status_code == 409
    assert draft_message in text_of(response.get_data(as_text=True))


def test_the_same_text_twice_in_a_row_is_refused(make_thread, member):
    thread = make_thread()
    services.reply(member, thread, "Setuju dengan usulan ini.")
    with pytest.raises(ValidationError) as refused:
        services.reply(member, thread, "Setuju dengan usulan ini.")
    assert refused.value.field == "body"
    services.reply(member, thread, "Tambahan: perlu data bezetting.")


def test_officials_create_categories_and_others_may_not(client, sign_in, moderator, citizen):
    sign_in(citizen)
    assert client.get("/forum/categories/new").status_code == 403
    sign_in(moderator)
    response = client.post("/forum/categories/new", data={"name": "Pelayanan Publik", "description": "", "position": "2"})
    assert response.status_code == 302
    category = db.session.scalar(select(Category))
    assert category.slug == "pelayanan-publik"
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "forum.category_create"))
    assert client.post("/forum/categories/new", data={"name": "   "}).status_code == 400


def test_unknown_threads_categories_and_posts_answer_404(client, sign_in, member):
    assert client.get("/forum/t/999999").status_code == 404
    assert client.get("/forum/t/99999999999999").status_code == 404
    assert client.get("/forum/c/tidak-ada").status_code == 404
    sign_in(member)
    assert client.post("/contributions/FRM-2026-424242/flag", data={"reason": "spam"}).status_code == 404
