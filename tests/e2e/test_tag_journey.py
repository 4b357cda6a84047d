"""Without JavaScript, at desktop and phone width (axe checks every page shown): a citizen starts a
forum thread, finds a position by name with the tag field's own button, ticks it, and sees on the
thread what the thread concerns; the typed text survives the search."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_a_citizen_tags_a_thread_with_a_position_found_by_name(moderator, app, sign_in, make_user, make_position,
                                                               make_opd):
    from portal.forums import services as forums

    app.config["MODERATION_PREMODERATE_FIRST_N"] = 0
    forums.create_category(moderator, "Diskusi Umum", "Tanya jawab seputar manajemen jabatan ASN.")
    make_position(opd=make_opd(name="Dinas Pendidikan Kota Medan", code="DPK"), name="Guru Ahli Pertama")
    page = sign_in(make_user(display_name="Rudi Warga"))
    page.goto("/forum/")
    page.get_by_role("link", name="Diskusi Umum").click()
    page.get_by_role("link", name="Start a thread").click()
    form = page.locator("main form.form")
    form.get_by_label("Title").fill("Guru SD kurang")
    form.get_by_label("Your post").fill("Sekolah di Medan Deli kekurangan guru kelas.")
    tags = form.get_by_role("group", name="Which positions or OPDs does it concern? (optional)")
    tags.get_by_label("Find a position or OPD by name").fill("guru")
    tags.get_by_role("button", name="Find").click()
    expect(page.get_by_role("status")).to_contain_text("1 position or OPD found")
    expect(form.get_by_label("Your post")).to_have_value("Sekolah di Medan Deli kekurangan guru kelas.")
    tags.get_by_label("Guru Ahli Pertama — Dinas Pendidikan Kota Medan").check()
    form.get_by_role("button", name="Publish thread").click()
    page.wait_for_url(re.compile(r"/forum/t/\d+"))
    expect(page.locator("article.post .concerns-shown")).to_contain_text("Concerns: Guru Ahli Pertama")
