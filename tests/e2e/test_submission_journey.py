"""A verified NGO member without JavaScript sends formal input with a PDF attached,
gets its receipt number at once and finds it again on their submissions page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.submissions.demo import minimal_pdf

from tests.e2e.conftest import JOURNEY_POLICY

pytestmark = pytest.mark.e2e

RECEIPT = re.compile(r"^MSK-\d{4}-\d{6}$")
TITLE = "Masukan LBH Medan atas Pasal 2"


def test_verified_member_sends_a_submission_with_a_pdf_and_gets_a_receipt(
    moderator, member, sign_in, make_user, make_policy, artifacts
):
    policy = make_policy(by=moderator, **JOURNEY_POLICY)
    pdf = minimal_pdf(["Kajian LBH Medan", "Pelatihan kepemimpinan bagi pegawai"])

    page = sign_in(member)
    page.goto(f"/policies/{policy.slug}")
    page.get_by_role("link", name="Send a formal submission").click()
    expect(page.locator("h1")).to_have_text("Send a formal submission")
    expect(page.locator("main")).to_contain_text("on behalf of LBH Medan")
    form = page.locator("main form.form")
    form.get_by_label("Title").fill(TITLE)
    form.get_by_label("Submission", exact=True).fill(
        "Kami mengusulkan agar pelatihan kepemimpinan **dibiayai penuh** oleh daerah.\n\n- dua kali setahun\n- bersertifikat"
    )
    expect(page.locator("main .alert--warning")).to_contain_text("This submission will be published")
    articles = form.get_by_role("group", name="Articles it concerns").get_by_role("checkbox")
    expect(articles).to_have_count(4)  # the preamble and three articles, in the draft's order
    labels = [label.split(" — ")[0] for label in form.locator("fieldset.checks label").all_inner_texts()]
    assert labels[1:] == ["Pasal 1", "Pasal 2", "Pasal 3"], labels
    form.get_by_role("checkbox", name=re.compile(r"^Pasal 2\b")).check()
    form.get_by_label("Attach files").set_input_files(
        {"name": "kajian-lbh.pdf", "mimeType": "application/pdf", "buffer": pdf}
    )
    form.get_by_role("button", name="Send submission").click()

    # The receipt page, at once, with the number.
    page.wait_for_url(re.compile(r"/submissions/MSK-\d{4}-\d{6}$"))
    number = page.locator(".submission-receipt__number").inner_text().strip()
    assert RECEIPT.match(number), number
    expect(page.locator("main .alert--success")).to_contain_text(f"Receipt number: {number}")
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator("main .facts")).to_contain_text("LBH Medan")
    expect(page.locator("main .facts")).to_contain_text("Pasal 2")
    expect(page.locator("main article strong")).to_have_text("dibiayai penuh")
    attachment = page.get_by_role("link", name="kajian-lbh.pdf")
    expect(attachment).to_be_visible()

    # The attachment downloads as the same PDF, as an attachment.
    download = page.request.get(attachment.get_attribute("href"))
    assert download.ok
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.body() == pdf

    # It is on the member's own submissions page, and listed on the policy's.
    page.goto("/me/contributions")
    page.get_by_role("link", name="My submissions").click()
    row = page.locator("main table tbody tr", has_text=number)
    expect(row).to_contain_text(TITLE)
    expect(row).to_contain_text(policy.title)
    expect(row).to_contain_text("Published")
    row.get_by_role("link", name=number).click()
    expect(page.locator(".submission-receipt__number")).to_have_text(number)
    page.screenshot(path=str(artifacts / "e2e-submission-receipt.png"), full_page=True)
