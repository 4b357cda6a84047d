"""The moderation pages: the queue and its actions through the web, the
author's status page (reason, history, one appeal), reporting, "my
contributions", and the audit log of it all."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest


from portal.extensions import db, utcnow
from portal.contributions import services as contributions
from portal.moderation import services
from portal.contributions.urls import contribution_url

from tests.conftest import CORPORA, executable_markup, text_of

WIB = ZoneInfo("Asia/Jakarta")


def _hide(client, c, reason="abuse", note=""):
    prefix = f"hide-{c.id}"
    return client.post(
        f"/moderation/items/{c.public_id}/hide", data={f"{prefix}-reason": reason, f"{prefix}-note": note}
    )


def test_a_flagged_item_hidden_with_a_reason_can_be_appealed_once_and_returns_to_the_queue(
    app, published, trusted, moderator, make_user, client_for
):
    reader = client_for(make_user())
    response = reader.post(
        f"/contributions/{published.public_id}/flag",
        data={"reason": "abuse", "note": "Menghina pegawai kelurahan."},
    )
    assert response.status_code == 302

    mod = client_for(moderator)
    queue = text_of(mod.get("/moderation/"))
    assert published.public_id in queue
    assert "Reported" in queue and "Menghina pegawai kelurahan." in queue
    assert "1 published, 0 hidden, 0 waiting, 0 withdrawn" in queue

    response = _hide(mod, published, "abuse", "Kata-kata kasar terhadap pegawai.")
    assert response.status_code == 302 and response.headers["Location"].endswith("/moderation/")
    assert f"{published.public_id} is hidden" in text_of(mod.get("/moderation/"))
    assert published.public_id not in text_of(mod.get("/moderation/"))  # the flash is gone; so is the item

    author = client_for(trusted)
    page = text_of(author.get(f"/contributions/{published.public_id}"))
    assert "Hidden by a moderator" in page
    assert "Reason: Abusive or insulting" in page
    assert "Kata-kata kasar terhadap pegawai." in page
    assert "Sent" in page and "Appeal against the hiding" in page

    notes = text_of(author.get("/me/notifications"))
    assert f"A moderator hid your contribution {published.public_id}. Reason: Abusive or insulting." in notes

    response = author.post(
        f"/contributions/{published.public_id}/appeal", data={"text": "Saya hanya mengutip warga."}
    )
    assert response.status_code == 302
    page = text_of(author.get(f"/contributions/{published.public_id}"))
    assert "Appeal sent" in page and "Saya hanya mengutip warga." in page
    assert "Appeal against the hiding" not in page

    again = author.post(f"/contributions/{published.public_id}/appeal", data={"text": "Banding kedua."})
    assert again.status_code == 400
    assert "You have already appealed. A contribution can be appealed once." in text_of(again)
    assert len([e for e in published.events if e.action == "appealed"]) == 1

    queue = text_of(mod.get("/moderation/"))
    assert published.public_id in queue and "Appealed" in queue and "Saya hanya mengutip warga." in queue

    admin = client_for(make_user(role="admin"))
    log = text_of(admin.get("/admin/audit/"))
    for action in ("contribution.flag", "moderation.hide", "contribution.appeal"):
        assert action in log
    assert "abuse: Kata-kata kasar terhadap pegawai." in log


def test_a_citizen_is_refused_the_queue_and_its_actions(published, make_user, client_for, client):
    citizen = client_for(make_user())
    assert citizen.get("/moderation/").status_code == 403
    assert _hide(citizen, published).status_code == 403
    assert citizen.post(f"/moderation/items/{published.public_id}/approve", data={}).status_code == 403
    assert published.status == "published"
    assert "Moderation" not in text_of(citizen.get("/"))
    anonymous = client.get("/moderation/")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_the_queue_lists_items_oldest_first_with_the_nav_link(contribute, make_user, moderator, client_for):
    newcomer = make_user(display_name="Warga Baru")
    first = contribute(newcomer, "Usulan pertama tentang Pasal 3.")
    second = contribute(newcomer, "Usulan kedua tentang Pasal 4.")
    response = client_for(moderator).get("/moderation/")
    ids = re.findall(r'\sid="([^"]+)"', response.get_data(as_text=True))
    assert len(ids) == len(set(ids)), "every form field on the queue has its own id"
    page = text_of(response)
    assert "Moderation" in page
    assert page.index(first.public_id) < page.index(second.public_id)
    assert "Waiting for review" in page and "Warga Baru" in page
    assert "0 published, 0 hidden, 2 waiting, 0 withdrawn" in page
    assert "New accounts' first contributions are reviewed before they appear." in page


def test_hiding_for_other_reason_without_a_note_shows_the_error_on_the_queue(published, moderator, client_for):
    mod = client_for(moderator)
    response = _hide(mod, published, "other", "  ")
    assert response.status_code == 400
    assert "Explain the reason; the author will read it." in text_of(response)
    assert published.status == "published"


def test_approving_a_waiting_item_publishes_it_and_tells_the_author(contribute, make_user, moderator, client_for):
    newcomer = make_user()
    pending = contribute(newcomer)
    response = client_for(moderator).post(
        f"/moderation/items/{pending.public_id}/approve", data={f"approve-{pending.id}-note": ""}
    )
    assert response.status_code == 302
    assert pending.status == "published"
    notes = text_of(client_for(newcomer).get("/me/notifications"))
    assert f"Your contribution {pending.public_id} has been published." in notes


def test_approving_twice_says_so_instead_of_failing(contribute, make_user, moderator, client_for):
    pending = contribute(make_user())
    mod = client_for(moderator)
    mod.post(f"/moderation/items/{pending.public_id}/approve", data={})
    response = mod.post(f"/moderation/items/{pending.public_id}/approve", data={})
    assert response.status_code == 302
    assert "Only a waiting or reported contribution can be approved." in text_of(mod.get("/moderation/"))


def test_a_rejected_appeal_needs_a_note_and_is_shown_to_the_author(published, trusted, moderator, client_for):
    services.hide(moderator, published, "spam")
    contributions.appeal(trusted, published, "Ini bukan iklan.")
    mod = client_for(moderator)
    prefix = f"appeal-{published.id}"
    refused = mod.post(f"/moderation/items/{published.public_id}/appeal", data={f"{prefix}-decision": "reject"})
    assert refused.status_code == 400
    assert "Explain to the author why the contribution stays hidden." in text_of(refused)
    response = mod.post(
        f"/moderation/items/{published.public_id}/appeal",
        data={f"{prefix}-decision": "reject", f"{prefix}-note": "Tautan ke toko daring."},
    )
    assert response.status_code == 302
    author = client_for(trusted)
    page = text_of(author.get(f"/contributions/{published.public_id}"))
    assert "The appeal was rejected; the contribution stays hidden." in page
    assert "Tautan ke toko daring." in page
    assert f"Your appeal for {published.public_id} was rejected" in text_of(author.get("/me/notifications"))


def test_restoring_from_the_status_page_comes_back_to_it(published, trusted, moderator, client_for):
    services.hide(moderator, published, "off_topic")
    mod = client_for(moderator)
    page = f"/contributions/{published.public_id}"
    assert "Restore (publish again)" in text_of(mod.get(page))
    response = mod.post(
        f"/moderation/items/{published.public_id}/restore",
        data={f"restore-{published.id}-note": "Masih relevan.", "next": page},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(page)
    assert published.status == "published"
    assert f"{published.public_id} has been published again." in text_of(client_for(trusted).get("/me/notifications"))


def test_an_action_without_the_csrf_token_is_refused(published, moderator, client_for):
    response = client_for(moderator).post(
        f"/moderation/items/{published.public_id}/hide", data={f"hide-{published.id}-reason": "spam"}, csrf=False
    )
    assert response.status_code == 400
    assert published.status == "published"


def test_a_redirect_after_an_action_stays_on_the_portal(published, moderator, client_for):
    response = client_for(moderator).post(
        f"/moderation/items/{published.public_id}/hide",
        data={f"hide-{published.id}-reason": "spam", "next": "//evil.example/"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/moderation/")


def test_suspending_the_author_lasts_to_the_end_of_the_chosen_day_in_wib(contribute, make_user, moderator, client_for):
    newcomer = make_user()
    pending = contribute(newcomer)
    last_day = (utcnow().astimezone(WIB) + timedelta(days=7)).date()
    prefix = f"suspend-{pending.id}"
    response = client_for(moderator).post(
        f"/moderation/items/{pending.public_id}/suspend-author",
        data={f"{prefix}-until": last_day.isoformat(), f"{prefix}-reason": "Spam berulang."},
    )
    assert response.status_code == 302
    db.session.refresh(newcomer)
    expected = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), WIB)
    assert newcomer.suspended_until == expected
    assert newcomer.is_suspended()


def test_a_suspension_in_the_past_is_refused_with_the_reason(contribute, make_user, moderator, client_for):
    pending = contribute(make_user())
    prefix = f"suspend-{pending.id}"
    response = client_for(moderator).post(
        f"/moderation/items/{pending.public_id}/suspend-author",
        data={f"{prefix}-until": date(2020, 1, 1).isoformat(), f"{prefix}-reason": "Spam."},
    )
    assert response.status_code == 400
    assert "Choose an end of the suspension in the future." in text_of(response)


def test_hidden_and_waiting_items_are_not_found_by_strangers(published, moderator, make_user, client_for, client):
    services.hide(moderator, published, "spam")
    assert client.get(f"/contributions/{published.public_id}").status_code == 404
    assert client_for(make_user()).get(f"/contributions/{published.public_id}").status_code == 404
    assert client.get("/contributions/KTR-2026-999999").status_code == 404
    assert client.get("/contributions/%27%22<script>").status_code == 404


def test_reporting_twice_is_refused_with_a_message(published, make_user, client_for):
    reader = client_for(make_user())
    url = f"/contributions/{published.public_id}/flag"
    assert reader.post(url, data={"reason": "spam"}).status_code == 302
    again = reader.post(url, data={"reason": "spam"})
    assert again.status_code == 400
    assert "You have already reported this contribution." in text_of(again)
    assert len(published.flags) == 1


def test_the_author_cannot_report_their_own_contribution(published, trusted, client_for):
    author = client_for(trusted)
    assert "Report this contribution" not in text_of(author.get(f"/contributions/{published.public_id}"))
    assert author.post(f"/contributions/{published.public_id}/flag", data={"reason": "spam"}).status_code == 403


def test_my_contributions_lists_every_status_newest_first_and_pages(app, contribute, trusted, make_user, moderator, client_for):
    first = contribute(trusted, "Pertama: tentang kelas jabatan.")
    hidden = contribute(trusted, "Kedua: akan disembunyikan.")
    services.hide(moderator, hidden, "off_topic")
    withdrawn = contribute(trusted, "Ketiga: ditarik kembali.")
    contributions.withdraw(trusted, withdrawn)
    contribute(make_user(), "Milik orang lain.")

    page = text_of(client_for(trusted).get("/me/contributions"))
    assert "Milik orang lain" not in page
    assert page.index(withdrawn.public_id) < page.index(hidden.public_id) < page.index(first.public_id)
    assert "Withdrawn by the author" in page and "Hidden by a moderator" in page and "Published" in page
    assert "Off topic" in page

    app.config["PAGE_SIZE"] = 2
    author = client_for(trusted)
    page1, page2 = text_of(author.get("/me/contributions")), text_of(author.get("/me/contributions?page=2"))
    assert first.public_id not in page1 and first.public_id in page2
    assert "Page 2 of 2" in page2


@pytest.mark.parametrize("count", [10, 65])
def test_my_contributions_are_paged_by_what_a_person_reads(app, contribute, trusted, client_for, count):
    made = [contribute(trusted, f"Masukan nomor {n} tentang jabatan.") for n in range(count)]
    newest_first = [c.public_id for c in reversed(made)]
    author = client_for(trusted)
    size = app.config["PAGE_SIZE"]
    pages = -(-count // size)

    seen = []
    for number in range(1, pages + 1):
        response = author.get(f"/me/contributions?page={number}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        listed = re.findall(r'href="/contributions/([A-Z]+-\d{4}-\d+)"', html)
        assert len(listed) == min(size, count - (number - 1) * size)
        seen += listed
        if pages == 1:
            assert 'class="pager"' not in html, "one page needs no page links"
        else:
            assert f"Page {number} of {pages}" in text_of(response)
            assert (f'href="/me/contributions?page={number + 1}"' in html) == (number < pages)
            assert (f'href="/me/contributions?page={number - 1}"' in html) == (number > 1)
    assert seen == newest_first, "every contribution once, newest first"

    past_the_end = author.get("/me/contributions?page=999")
    assert past_the_end.status_code == 200
    assert newest_first[-1] in text_of(past_the_end), "a page past the end shows the last one"
    assert "You have not written anything yet" not in text_of(past_the_end)


def test_a_waiting_contribution_tells_its_author_why(contribute, make_user, client_for):
    newcomer = make_user()
    pending = contribute(newcomer)
    page = text_of(client_for(newcomer).get(f"/contributions/{pending.public_id}"))
    assert "waits for a moderator" in page
    assert "New accounts' first contributions are reviewed before they appear." in page


def test_contribution_url_places_each_kind_on_its_page(app):
    comment = SimpleNamespace(kind="comment", id=1, public_id="KMT-2026-000001", position_id=None,
                              policy=SimpleNamespace(slug="perwal"))
    unnumbered = SimpleNamespace(kind="comment", id=2, public_id=None, position_id=None,
                                 policy=SimpleNamespace(slug="perwal"))
    on_position = SimpleNamespace(kind="comment", id=3, public_id=None, position_id=7, policy=None)
    post = SimpleNamespace(kind="post", id=4, thread_id=9)
    submission = SimpleNamespace(kind="submission", public_id="MSK-2026-000005")
    plain = SimpleNamespace(kind="contribution", public_id="KTR-2026-000002")
    with app.test_request_context():
        assert contribution_url(comment) == "/comments/KMT-2026-000001#c-1"
        assert contribution_url(unnumbered) == "/policies/perwal#c-2"
        assert contribution_url(on_position) == "/positions/7#c-3"
        assert contribution_url(post) == "/forum/t/9#post-4"
        assert contribution_url(submission) == "/submissions/MSK-2026-000005"
        assert contribution_url(plain) == "/contributions/KTR-2026-000002"


def test_naughty_notes_and_appeals_round_trip_and_render_inert(
    contribute, trusted, moderator, client_for, blns
):
    xss = (CORPORA / "xss" / "payloads.txt").read_text(encoding="utf-8").splitlines()
    sample = [s for s in blns[::25] + xss[::60] if s.strip() and "\x00" not in s][:60]
    mod, author = client_for(moderator), client_for(trusted)
    for payload in sample:
        item = contribute(trusted, "Masukan tentang Pasal 2.")
        response = _hide(mod, item, "abuse", payload)
        assert response.status_code == 302, payload
        response = author.post(f"/contributions/{item.public_id}/appeal", data={"text": payload})
        assert response.status_code == 302, payload
        db.session.expire_all()
        assert item.hidden_note == payload.strip()
        assert item.appeal.text == payload.strip()
        page = author.get(f"/contributions/{item.public_id}")
        assert page.status_code == 200
        assert executable_markup(page.get_data(as_text=True)) == [], payload
    queue = mod.get("/moderation/")
    assert queue.status_code == 200
    assert executable_markup(queue.get_data(as_text=True)) == []
