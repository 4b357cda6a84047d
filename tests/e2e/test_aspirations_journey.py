"""The aspirations loop on the demo data, in a browser without JavaScript (axe checks every page at
desktop and phone width): an official summarises what the public said about a position of the
needs-analysis draft, reviews and publishes the summary into the position record, raises the
position's required count citing a theme, answers that theme, exports the contributions, and closes
the consultation; then a visitor sees all of it on the position page, on a contribution of the
theme, on the policy's accountability page and in its outcome report."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.accounts.models import User
from portal.demo.seed import DEMO_DOMAIN, DEMO_PASSWORD, POLICIES
from portal.extensions import db

pytestmark = pytest.mark.e2e

POLICY = POLICIES[0].title  # the needs-analysis draft, open, with hundreds of contributions
POSITION = "Pekerja Sosial Ahli Pertama"  # on that draft, commented on, never summarised in the demo
THEME = "Beban kasus pekerja sosial"
NOTE = "Ringkasan masukan publik atas jabatan Pekerja Sosial Ahli Pertama selama konsultasi."
REASON = "Kebutuhan pekerja sosial dihitung ulang dengan jumlah kasus per kecamatan, menjawab aspirasi publik."
EXPLANATION = "Formasi pekerja sosial ditambah setelah penghitungan ulang beban kasus."


@pytest.fixture
def demo(runner):
    """`flask seed-demo`, once for this journey."""
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return db.session.scalar(select(User).where(User.email == f"admin@{DEMO_DOMAIN}"))


def _counts(page) -> dict[str, int]:
    """The figures of the accountability page's table of the three rights, by the row's heading."""
    rows = page.get_by_role("table", name="The three rights").locator("tbody tr")
    return {row.locator("th").inner_text().strip(): int(re.sub(r"\D", "", row.locator("td").first.inner_text()))
            for row in rows.all()}


def test_an_official_closes_the_loop_on_a_position_and_a_visitor_sees_it(demo, sign_in, visitor, artifacts):
    # What the accountability page counted before the official acted.
    public = visitor("/")
    public.goto("/policies")
    public.get_by_role("link", name=POLICY).first.click()
    slug = public.url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
    public.goto(f"/policies/{slug}/accountability")
    before = _counts(public)
    assert before["Heard"] >= 300 and 0 < before["Answered"] < before["Considered"] <= before["Heard"], before

    # 1. The official opens the position from the draft and computes its summary.
    page = sign_in(demo, password=DEMO_PASSWORD)
    page.goto(f"/policies/{slug}")
    page.get_by_role("link", name=re.compile(rf"— {POSITION}$")).click()
    expect(page.locator("h1")).to_have_text(POSITION)
    expect(page.locator("#aspirations").locator("xpath=..")).to_contain_text(
        "No summary of public aspirations has been published for this position yet.")
    position_url = page.url
    page.get_by_role("link", name="Summarise the public's aspirations on this position").click()
    page.get_by_role("button", name="Compute themes").click()
    expect(page.locator("main .alert--success")).to_contain_text("A draft summary was computed")
    expect(page.locator("h1")).to_contain_text("Draft")

    # Review: rename the first theme, choose its quote, add a note.
    first = page.locator("main article.theme").first
    first.get_by_label("Theme name").fill(THEME)
    first.get_by_role("button", name="Save theme").click()
    expect(page.locator("main .alert--success")).to_contain_text("The theme was saved.")
    first = page.locator("main article.theme").first
    expect(first.locator("h3")).to_contain_text(THEME)
    quotes = first.get_by_role("group", name="Quotes (at most three)").get_by_role("checkbox")
    for box in quotes.all():
        box.uncheck()
    quoted = first.locator("fieldset.checks label").first.inner_text().rstrip(".… ")[:60]
    quotes.first.check()
    first.get_by_role("button", name="Choose quotes").click()
    expect(page.locator("main .alert--success")).to_contain_text("The quotes were chosen.")
    page.get_by_label("Note on the summary").fill(NOTE)
    page.get_by_role("button", name="Save note").click()
    expect(page.locator("main .alert--success")).to_contain_text("The note was saved.")
    page.get_by_role("button", name="Publish into the record").click()
    expect(page.locator("main .alert--success")).to_contain_text("The summary was published into the record.")
    expect(page.locator("h1")).not_to_contain_text("Draft")
    expect(page.locator("main")).to_contain_text(NOTE)

    # 2. The required count changes, citing the published theme, with a reason.
    page.goto(position_url)
    page.get_by_role("link", name="Edit position").click()
    form = page.locator("main form.form")
    required = int(form.get_by_label("Required staff (kebutuhan, from ABK)").input_value())
    form.get_by_label("Required staff (kebutuhan, from ABK)").fill(str(required + 4))
    form.get_by_label("Why is the record changing?").fill(REASON)
    form.get_by_role("group", name="Public aspirations this change answers").get_by_label(
        re.compile(re.escape(THEME))).check()
    form.get_by_role("button", name="Save position").click()
    expect(page.locator("main .alert--success")).to_contain_text("The position was saved.")

    # 3. The official answers the theme.
    page.locator("#aspirations").locator("xpath=..").get_by_role("link", name=THEME).click()
    expect(page.locator("h1")).to_contain_text(THEME)
    expect(page.locator("main")).to_contain_text("What changed because of it")
    page.get_by_role("link", name="Respond to the theme").click()
    page.get_by_label("Partly accepted").check()
    page.get_by_label("Explanation").fill(EXPLANATION)
    change = f"Kebutuhan pegawai jabatan ini dinaikkan dari {required} menjadi {required + 4} orang."
    page.get_by_label("Change it led to (optional)").fill(change)
    page.get_by_role("button", name="Save the answer").click()
    expect(page.locator("main .alert--success")).to_contain_text("The answer was saved")
    expect(page.locator("main .answer")).to_contain_text("Partly accepted")
    theme_url = page.url
    member_link = page.locator("main ol.theme-members li a").first
    member_id = member_link.inner_text().strip()
    theme_size = int(re.search(r"(\d+) contribution", page.locator("main p.hint").first.inner_text()).group(1))

    # 4. The export of the position's contributions has the theme and the answer.
    page.goto(position_url)
    page.get_by_role("link", name="Export contributions on this position").click()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download").click()
    exported = download_info.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(exported)))
    ours = [row for row in rows if row["Theme"] and THEME in row["Theme"]]
    assert len(ours) == theme_size, (len(ours), theme_size)
    assert {row["Response outcome"] for row in ours} == {"Partly accepted"}
    assert all(EXPLANATION in row["Response text"] for row in ours)
    assert member_id in {row["Public id"] for row in ours}

    # The consultation closes, so that its outcome report is published.
    page.goto(f"/policies/{slug}")
    page.locator("main details", has_text="Manage this policy").locator("summary").first.click()
    page.get_by_role("button", name="Close the consultation").click()
    expect(page.locator("main .alert--success")).to_contain_text("The policy is now")

    # 5. A visitor, signed out, sees it all.
    public = visitor(_path(position_url))
    aspirations = public.locator("#aspirations").locator("xpath=..")
    expect(aspirations.get_by_role("link", name=THEME)).to_be_visible()
    expect(aspirations).to_contain_text(NOTE)
    expect(aspirations.locator("blockquote").first).to_contain_text(quoted)
    chart_row = aspirations.locator("table.chart__table tbody tr", has_text=THEME).first
    expect(chart_row).to_contain_text(str(theme_size))
    history = public.locator("#record-history").locator("xpath=..")
    change_row = history.locator("tbody tr", has_text="Required staff").first
    expect(change_row).to_contain_text(str(required))
    expect(change_row).to_contain_text(str(required + 4))
    expect(change_row).to_contain_text(REASON)
    expect(change_row).to_contain_text(f"Answers the theme {THEME}")

    # On a contribution of the theme, its answer.
    public.goto(_path(theme_url))
    public.get_by_role("link", name=member_id).first.click()
    answer = public.locator("main .answer").first
    expect(answer).to_contain_text("Partly accepted")
    expect(answer.get_by_role("link", name=THEME)).to_be_visible()
    # In a list of comments the theme's answer is folded (the same text under every contribution of
    # the theme) and one click opens it; a formal submission's own page shows it whole.
    fold = answer.get_by_text("Read the response")
    if fold.count():
        expect(answer.get_by_text(EXPLANATION)).to_be_hidden()
        fold.click()
    expect(answer.get_by_text(EXPLANATION)).to_be_visible()
    expect(answer).to_contain_text(change)

    # The accountability page counts the answers.
    public.goto(f"/policies/{slug}/accountability")
    after = _counts(public)
    assert after["Heard"] == before["Heard"] and after["Considered"] >= before["Considered"], (before, after)
    assert after["Answered"] > before["Answered"], (before, after)

    # The outcome report shows the theme and its answer.
    public.goto(f"/policies/{slug}")
    public.get_by_role("link", name="Consultation outcome report").click()
    expect(public.locator("h1")).to_have_text("Consultation outcome report")
    theme_section = public.locator("main section.outcome__theme", has_text=THEME)
    expect(theme_section).to_contain_text(f"On the position {POSITION}")
    expect(theme_section).to_contain_text(f"{theme_size} contributions")
    expect(theme_section.locator(".answer")).to_contain_text("Partly accepted")
    expect(theme_section.locator(".answer")).to_contain_text(EXPLANATION)
    expect(theme_section.locator(".answer")).to_contain_text(change)
    records = public.locator("main section.outcome__records")
    expect(records.locator("li", has_text=POSITION)).to_contain_text(f"{required} → {required + 4}")
    expect(records.locator("li", has_text=POSITION)).to_contain_text(f"Answers the theme {THEME}")
    pdf = public.request.get(public.get_by_role("link", name="Download this report as PDF").get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    public.screenshot(path=str(artifacts / "e2e-aspirations-outcome.png"), full_page=True)


def _path(url: str) -> str:
    """The local path of an absolute URL of the live server."""
    return "/" + url.split("://", 1)[1].split("/", 1)[1]
