"""Browser tests: the app on a live local server, driven by Debian's headless Chromium.

Playwright never downloads a browser here; CI installs the `chromium` package.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.e2e import axe

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run; fails (never skips) when it is missing."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium). "
            "The e2e tests never download a browser.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def new_page(browser, live_server):
    """Factory: a page in a fresh browser context (own cookies), JavaScript off by default,
    1280 px wide; axe-core checks every document it shows at 1280 and 390 px (tests/e2e/axe.py)."""
    contexts = []

    def open_page(java_script_enabled: bool = False):
        context = browser.new_context(
            base_url=live_server, java_script_enabled=java_script_enabled, locale="id-ID",
            viewport={"width": axe.WIDTHS[0], "height": axe.HEIGHT},
        )
        context.set_default_timeout(10_000)
        # Every page of the context, also those a test opens itself, is checked by axe.
        scripts_off = not java_script_enabled
        context.on("page", lambda opened: axe.watch(opened, scripts_off))
        contexts.append(context)
        return axe.watch(context.new_page(), scripts_off)

    yield open_page
    try:
        for context in contexts:
            for opened in context.pages:
                opened.finish()
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def page(new_page):
    """A page of a visitor whose browser has JavaScript disabled."""
    return new_page()


@pytest.fixture
def artifacts() -> Path:
    """Where screenshots go (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# A draft with three articles; Pasal 2 speaks of training (pelatihan): the journeys' policy,
# make_policy(by=..., **JOURNEY_POLICY).
JOURNEY_POLICY = {
    "title": "Rancangan Perwal Pengembangan Kompetensi Jabatan",
    "summary": "Ringkasan rancangan.",
    "body": """Rancangan Peraturan Wali Kota Medan tentang Pengembangan Kompetensi Jabatan.

## BAB I — Ketentuan Umum

### Pasal 1 — Pengertian

Jabatan adalah kedudukan yang menunjukkan tugas dan tanggung jawab seorang pegawai.

### Pasal 2 — Pelatihan

Setiap pegawai wajib mengikuti pelatihan kepemimpinan paling sedikit sekali setahun.

### Pasal 3 — Pembiayaan

Biaya pengembangan kompetensi dibebankan pada anggaran perangkat daerah.
""",
}


@pytest.fixture
def sign_in(new_page):
    """Factory: sign_in(user) -> a fresh browser (JavaScript off) signed in through the
    login form (and, for moderators and admins, the code of their second factor, computed with
    pyotp as their phone would), its interface switched to English with the header's language button.
    Replaces tests/conftest.py's sign_in (a test client) for the browser journeys."""
    from playwright.sync_api import expect

    def do(user, password: str = PASSWORD):
        from sqlalchemy import select

        from portal.accounts.models import User
        from portal.extensions import db
        from tests.conftest import enrol_staff, totp_code

        account = db.session.scalar(select(User).where(User.email == user.email))
        enrol_staff(account)  # moderators and admins have a second factor, as after their first sign-in
        page = new_page()
        page.goto("/login")
        page.locator('form.lang button[value="en"]').click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        form = page.locator("main form.form")
        form.get_by_label("Email").fill(user.email)
        form.get_by_label("Password", exact=True).fill(password)
        form.get_by_role("button", name="Sign in").click()
        if page.url.split("?")[0].endswith("/login/code"):
            code_form = page.locator("main form.form")
            code_form.get_by_label("Code", exact=True).fill(totp_code(account))  # what the phone shows now
            code_form.get_by_role("button", name="Sign in").click()
        expect(page.locator("header").get_by_role("button", name="Sign out")).to_be_visible()
        return page

    return do


@pytest.fixture
def visitor(new_page):
    """Factory: a fresh browser (JavaScript off) of a visitor who is not signed in, in English."""
    from playwright.sync_api import expect

    def do(path: str = "/"):
        page = new_page()
        page.goto(path)
        page.locator('form.lang button[value="en"]').click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        return page

    return do
