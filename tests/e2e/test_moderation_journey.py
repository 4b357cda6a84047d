"""Without JavaScript: a reader reports a published comment, a moderator hides it
with a reason, its author reads the reason and appeals once, the appeal is back
in the queue, and the admin's audit log shows all of it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import JOURNEY_POLICY

pytestmark = pytest.mark.e2e

BODY = "Pejabat di kecamatan itu semuanya malas dan tidak becus."
HIDE_NOTE = "Komentar menyerang pribadi pegawai; silakan sampaikan kritik tanpa hinaan."
APPEAL = "Saya mengkritik kinerja, bukan pribadi. Mohon ditinjau ulang."


def test_a_reported_comment_is_hidden_with_a_reason_and_its_author_appeals_once(
    moderator, admin, app, sign_in, make_user, make_policy, artifacts
):
    from portal.comments import services as comments

    app.config["MODERATION_PREMODERATE_FIRST_N"] = 0  # the comment is published at once
    author = make_user(display_name="Warga Kritis")
    reader = make_user(display_name="Warga Pembaca")
    policy = make_policy(by=moderator, **JOURNEY_POLICY)
    comment = comments.post_comment(author, policy, body=BODY, stance="objects", article_key="pasal-1")
    number, anchor = comment.public_id, f"c-{comment.id}"

    # A reader reports the comment from its place on the policy page.
    page = sign_in(reader)
    page.goto(f"/policies/{policy.slug}#{anchor}")
    page.locator(f"article#{anchor}").get_by_role("link", name="Report").click()
    expect(page.locator("h1")).to_contain_text(number)
    flag_form = page.locator("main form", has=page.get_by_role("button", name="Report", exact=True))
    flag_form.get_by_label("What is wrong with it?").select_option(label="Abusive or insulting")
    flag_form.get_by_label("Details for the moderators (optional)").fill("Menghina pegawai kecamatan.")
    flag_form.get_by_role("button", name="Report", exact=True).click()
    expect(page.locator("main .alert--success")).to_contain_text("A moderator will look at the contribution")

    # The moderator finds it in the queue, reported, and hides it with a reason.
    mod = sign_in(moderator)
    mod.locator("header").get_by_role("link", name="Moderation").click()
    card = mod.locator(f"article#item-{number}")
    expect(card).to_contain_text("Reported")
    expect(card).to_contain_text("Menghina pegawai kecamatan.")
    hide_box = card.locator("details", has=mod.locator("summary", has_text="Hide with a reason"))
    hide_box.locator("summary").click()
    hide_box.get_by_label("Reason", exact=True).select_option(label="Abusive or insulting")
    hide_box.get_by_label("Explanation for the author").fill(HIDE_NOTE)
    hide_box.get_by_role("button", name="Hide", exact=True).click()
    expect(mod.locator("main .alert--success")).to_contain_text(f"{number} is hidden")
    expect(mod.locator(f"article#item-{number}")).to_have_count(0)

    # The public no longer sees it.
    page.goto(f"/policies/{policy.slug}")
    expect(page.locator("section#pasal-1")).not_to_contain_text(BODY)

    # The author opens the item from "My contributions" and reads why it was hidden.
    own = sign_in(author)
    own.locator("header").get_by_role("link", name="My contributions").click()
    row = own.locator("main table tbody tr", has_text=number)
    expect(row).to_contain_text("Hidden by a moderator")
    row.get_by_role("link", name=number).click()
    status_url = own.url
    expect(own.locator("main .alert--warning")).to_contain_text("Reason: Abusive or insulting")
    expect(own.locator("main .alert--warning")).to_contain_text(HIDE_NOTE)
    # A second tab on the same page, still showing the appeal form.
    second_tab = own.context.new_page()
    second_tab.goto(status_url)
    own.get_by_label("Why should it be published again?").fill(APPEAL)
    own.get_by_role("button", name="Send the appeal").click()
    expect(own.locator("main .alert--success")).to_contain_text("Your appeal was sent")
    expect(own.get_by_role("button", name="Send the appeal")).to_have_count(0)
    expect(own.locator("main")).to_contain_text(APPEAL)
    own.screenshot(path=str(artifacts / "e2e-moderation-appealed.png"), full_page=True)
    # Appealing again from the other tab is refused.
    second_tab.get_by_label("Why should it be published again?").fill("Sekali lagi, mohon ditinjau.")
    second_tab.get_by_role("button", name="Send the appeal").click()
    expect(second_tab.locator("main .alert--error")).to_contain_text("You have already appealed")
    expect(second_tab.get_by_role("button", name="Send the appeal")).to_have_count(0)

    # The item is back in the moderator's queue, with the appeal.
    mod.reload()
    card = mod.locator(f"article#item-{number}")
    expect(card).to_contain_text("Appealed")
    expect(card).to_contain_text(APPEAL)
    expect(card.locator("summary", has_text="Decide the appeal")).to_be_visible()

    # The admin's audit log shows the report, the hiding and the appeal, with who and why.
    log = sign_in(admin)
    log.locator("header").get_by_role("link", name="Audit log").click()
    rows = log.locator("main table tbody tr")
    for action, who, why in (
        ("contribution.flag", "Warga Pembaca", "Menghina pegawai kecamatan."),
        ("moderation.hide", "Moderator BKPSDM", HIDE_NOTE),
        ("contribution.appeal", "Warga Kritis", APPEAL),
    ):
        entry = rows.filter(has=log.locator("code", has_text=action))
        expect(entry).to_have_count(1)
        expect(entry).to_contain_text(who)
        expect(entry).to_contain_text(why)
    log.get_by_label("Action").select_option("moderation.hide")
    log.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(HIDE_NOTE)
    log.screenshot(path=str(artifacts / "e2e-moderation-audit-log.png"), full_page=True)
