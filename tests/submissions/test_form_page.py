"""The formal-submission form and the policy page around it, as a member on a phone meets them."""

from __future__ import annotations

import re

from portal.submissions import services


def test_the_form_offers_the_articles_as_checkboxes_in_article_order_and_one_file_input(client, login_as, ngo, policy):
    login_as(ngo)
    page = client.get(f"/policies/{policy.slug}/submissions/new").get_data(as_text=True)
    assert "<select" not in page[page.index("<form method=\"post\""):]
    values = re.findall(r'type="checkbox" id="article_keys-\d+" name="article_keys" value="([^"]+)"', page)
    assert values == ["pembukaan", "pasal-1", "pasal-5", "pasal-9"]  # the preamble, then by number
    assert page.count('type="file"') == 1 and 'name="attachments" multiple' in page
    assert "This submission will be published." in page


def test_the_receipt_lists_the_articles_by_number_whatever_order_they_were_ticked_in(ngo, policy):
    submission = services.submit(ngo, policy, "Masukan", "Isi masukan tentang data.", ["pasal-9", "pasal-1"], [])
    assert [label.split(" ")[1] for label in services.article_labels(submission)] == ["1", "9"]


def test_an_unverified_member_is_told_why_there_is_no_submit_button(client, login_as, make_user, policy):
    waiting = make_user(role="ngo", organisation="LSM Baru", verified=False, locale="en")
    login_as(waiting)
    page = client.get(f"/policies/{policy.slug}").get_data(as_text=True)
    assert "Send a formal submission" not in page
    assert "once an administrator has verified that you belong to LSM Baru" in page
