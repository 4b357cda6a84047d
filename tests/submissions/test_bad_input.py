"""Every naughty string and XSS payload as a submission: no 500, stored as
sent, rendered without executable markup."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select
from sqlalchemy import text as sql

from portal.errors import ValidationError
from portal.extensions import db
from portal.submissions import services
from portal.submissions.models import Submission
from tests.conftest import CORPORA, executable_markup


def _payloads() -> list[str]:
    lines = (CORPORA / "xss" / "payloads.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip()]


def _unique(strings: list[str]) -> list[str]:
    return list(dict.fromkeys(strings))


def _fast_commits() -> None:
    """Skip fsync on the SQLite test file for this test's connection: thousands of commits, same behaviour."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(sql("PRAGMA synchronous=OFF"))
        db.session.commit()


def _submit_all(author, policy, strings: list[str]) -> list[tuple[str, Submission | None]]:
    """Submit each string as body (and as title when it can be one); ValidationError only for blank or NUL."""
    _fast_commits()
    results = []
    for n, text in enumerate(_unique(strings)):
        title = text if text.strip() and len(text) <= services.MAX_TITLE and "\x00" not in text else f"Uji {n}"
        try:
            submission = services.submit(author, policy, title, text, [], [])
        except ValidationError as error:
            assert not text.strip() or "\x00" in text or len(text) > services.MAX_BODY, (text, error.message)
            db.session.rollback()
            results.append((text, None))
            continue
        results.append((text, submission))
    return results


def _check_stored_and_rendered(app, client, policy, results) -> None:
    db.session.expire_all()
    for text, submission in results:
        if submission is None:
            continue
        stored = db.session.get(Submission, submission.id)
        assert stored.body == text
    app.config["PAGE_SIZE"] = 10_000
    response = client.get(f"/policies/{policy.slug}/submissions")
    assert response.status_code == 200
    assert executable_markup(response.get_data(as_text=True)) == []


def test_every_naughty_string_is_stored_as_sent_and_rendered_safely(app, client, ngo, policy, blns):
    results = _submit_all(ngo, policy, blns)
    assert sum(1 for _text, s in results if s is not None) > 400
    _check_stored_and_rendered(app, client, policy, results)


def test_every_xss_payload_is_stored_as_sent_and_rendered_safely(app, client, ngo, policy):
    results = _submit_all(ngo, policy, _payloads())
    assert sum(1 for _text, s in results if s is not None) > 1500
    _check_stored_and_rendered(app, client, policy, results)


@pytest.mark.parametrize("corpus", ["xss", "blns"])
def test_a_sample_through_the_form_never_fails_and_the_receipt_page_is_safe(client, login_as, ngo, policy, blns, corpus):
    strings = _unique(_payloads() if corpus == "xss" else blns)
    sample = random.Random(3).sample(strings, 50)
    login_as(ngo)
    for text in sample:
        response = client.post(
            f"/policies/{policy.slug}/submissions/new",
            data={"title": text[:300] if text.strip() else "Judul", "body": text},
        )
        assert response.status_code in (302, 400), text
        page = response.get_data(as_text=True)
        assert executable_markup(page) == [], text
        if response.status_code == 302:
            receipt = client.get(response.headers["Location"])
            assert receipt.status_code == 200
            assert executable_markup(receipt.get_data(as_text=True)) == [], text
            stored = db.session.scalar(select(Submission).order_by(Submission.id.desc()).limit(1))
            # The browser sends line breaks as CRLF; WTForms keeps what arrives.
            assert stored.body == text
