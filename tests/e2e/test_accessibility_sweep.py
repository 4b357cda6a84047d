"""Every page of the portal, as each kind of visitor sees it, checked by axe-core at
1280 and 390 px: no violation of serious or critical impact, nor of the moderate rules
the walkthrough found (duplicate landmarks, skipped heading levels).

The journeys check the pages they pass through; this sweep makes sure no page is left
out: a test fails when a GET page of the app has no place in PAGES below.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from flask import url_for
from sqlalchemy import select

from tests.e2e import axe

pytestmark = pytest.mark.e2e

# Moderate rules fixed once and kept fixed.
ALSO_FAILING = {"landmark-unique", "heading-order"}

# Pages that are not HTML pages (downloads, files).
NOT_PAGES = {"static", "submissions.download", "privacy.data_json", "privacy_admin.admin_export",
             "consultation.outcome_pdf",
             "summaries.job_status", "aspirations_exports.job_status", "aspirations_exports.job_file"}

# role -> endpoints visited signed in as that demo account (None: not signed in).
ROLES = {
    "visitor": None,
    "citizen": "warga",
    "ngo": "lsm",
    "ngo_unverified": "lsm.baru",
    "moderator": "moderator",
    "admin": "admin",
}


def _samples():
    """The seeded rows the page addresses are built from."""
    from portal.comments.models import Comment
    from portal.forums.models import Category, Thread
    from portal.positions.models import Opd, Position
    from portal.proposals.models import Policy
    from portal.submissions.models import CoSignature, Submission
    from portal.accounts.models import User
    from portal.aspirations.summaries.models import Summary
    from portal.extensions import db
    from portal.jobs.models import Job

    def first(stmt):
        row = db.session.scalars(stmt).first()
        assert row is not None, f"the demo data has no row for {stmt}"
        return row

    policies = list(db.session.scalars(select(Policy).order_by(Policy.id)))
    open_policy = next(p for p in policies if p.status == "open")
    published = lambda model: first(select(model).where(model.status == "published").order_by(model.id))  # noqa: E731
    return SimpleNamespace(
        policies=policies,
        open_policy=open_policy,
        comment=published(Comment),
        submission=published(Submission),
        cosignature=db.session.scalars(select(CoSignature).order_by(CoSignature.id)).first(),
        category=first(select(Category).order_by(Category.id)),
        thread=first(select(Thread).order_by(Thread.id)),
        position=first(select(Position).order_by(Position.id)),
        opd=first(select(Opd).order_by(Opd.id)),
        user=first(select(User).order_by(User.id)),
        summary=first(select(Summary).where(Summary.status == "published").order_by(Summary.id)),
        jobs={job.kind: job for job in db.session.scalars(select(Job).order_by(Job.id))},
    )


def pages_for(role: str, s) -> dict[str, list[str]]:
    """endpoint -> the paths visited for it as `role`."""
    slug = s.open_policy.slug
    public = {
        "main.index": [url_for("main.index")],
        "main.privacy": [url_for("main.privacy")],
        "main.help": [url_for("main.help")],
        "main.accessibility": [url_for("main.accessibility")],
        "main.terms": [url_for("main.terms")],
        "proposals.index": [url_for("proposals.index")],
        "consultation.policy": [url_for("consultation.policy", slug=p.slug) for p in s.policies],
        "proposals.diff": [url_for("proposals.diff", slug=p.slug) for p in s.policies if len(p.versions) > 1],
        "proposals.version": [url_for("proposals.version", slug=slug, number=1)],
        "positions.index": [url_for("positions.index")],
        "consultation.position": [url_for("consultation.position", position_id=s.position.id)],
        "positions.opds": [url_for("positions.opds")],
        "positions.opd": [url_for("positions.opd", opd_id=s.opd.id)],
        "forums.index": [url_for("forums.index")],
        "forums.category": [url_for("forums.category", slug=s.category.slug)],
        "forums.policy_forum": [url_for("forums.policy_forum", slug=slug)],
        "forums.thread": [url_for("forums.thread", thread_id=s.thread.id)],
        "search.index": [url_for("search.index"), url_for("search.index", q="pelatihan"),
                         url_for("search.index", q="zzzqqq")],
        "submissions.policy_list": [url_for("submissions.policy_list", slug=slug)],
        "submissions.receipt": [url_for("submissions.receipt", public_id=s.submission.public_id)],
        "contributions.detail": [url_for("contributions.detail", public_id=s.comment.public_id)],
        "comments.policy_list": [url_for("comments.policy_list", slug=slug),
                                 url_for("comments.policy_list", slug=slug, sort="endorsed", stance="supports")],
        "comments.article_list": [url_for("comments.article_list", slug=slug, key="pasal-1")],
        "comments.field_list": [url_for("comments.field_list", position_id=s.position.id, name="main_tasks")],
        "comments.comment": [url_for("comments.comment", public_id=s.comment.public_id)],
        "summaries.summary": [url_for("summaries.summary", summary_id=s.summary.id)],
        "summaries.theme": [url_for("summaries.theme", theme_id=s.summary.kept_themes[0].id)],
        "aspiration_links.campaign": [url_for("aspiration_links.campaign", campaign_id=s.comment.campaign_id)],
        "responses.accountability": [url_for("responses.accountability", slug=p.slug) for p in s.policies],
        "consultation.outcome": [url_for("consultation.outcome", slug=p.slug) for p in s.policies],
    }
    anonymous = {
        "accounts.login": [url_for("accounts.login")],
        "accounts.register": [url_for("accounts.register")],
        "accounts.registration_sent": [url_for("accounts.registration_sent")],
        "accounts.request_reset": [url_for("accounts.request_reset")],
        "accounts.reset_password": [url_for("accounts.reset_password", token="expired-or-wrong")],
        "accounts.confirm_registration": [url_for("accounts.confirm_registration", token="expired-or-wrong")],
        "twofactor.sign_in_code": [url_for("twofactor.sign_in_code")],  # without a password first: the login page
    }
    signed_in = {
        "accounts.account": [url_for("accounts.account")],
        "accounts.change_password": [url_for("accounts.change_password")],
        "twofactor.settings": [url_for("twofactor.settings")],
        "twofactor.setup": [url_for("twofactor.setup")],
        "twofactor.reauthenticate": [url_for("twofactor.reauthenticate")],
        "contributions.mine": [url_for("contributions.mine")],
        "privacy.index": [url_for("privacy.index")],
        "privacy.data": [url_for("privacy.data")],
        "privacy.profile": [url_for("privacy.profile")],
        "privacy.confirm_email": [url_for("privacy.confirm_email", token="expired-or-wrong")],
        "privacy.delete": [url_for("privacy.delete")],
        "notifications.index": [url_for("notifications.index")],
        "forums.new_thread": [url_for("forums.new_thread", slug=s.category.slug)],
        "consultation.policy": public["consultation.policy"],
        "forums.thread": public["forums.thread"],
        "search.index": public["search.index"][1:2],
    }
    member = {
        "submissions.new": [url_for("submissions.new", slug=slug)],
        "submissions.mine": [url_for("submissions.mine")],
        "submissions.receipt": public["submissions.receipt"],
    }
    if s.cosignature is not None:
        member["submissions.cosign"] = [url_for("submissions.cosign", cosignature_id=s.cosignature.id)]
    official = {
        "moderation.queue": [url_for("moderation.queue")],
        "aspiration_links.review": [url_for("aspiration_links.review")],
        "proposals.new": [url_for("proposals.new")],
        "proposals.edit": [url_for("proposals.edit", slug=slug)],
        "proposals.new_version": [url_for("proposals.new_version", slug=slug)],
        "submissions.record_offline": [url_for("submissions.record_offline", slug=slug)],
        "forums.new_category": [url_for("forums.new_category")],
        "contributions.detail": public["contributions.detail"],
        "submissions.receipt": public["submissions.receipt"],
        "consultation.policy": public["consultation.policy"][:1],
        "summaries.position": [url_for("summaries.position", position_id=s.summary.position_id)],
        "summaries.policy": [url_for("summaries.policy", slug=slug)],
        "responses.accountability": public["responses.accountability"][:1],
        "citations.edit": [url_for("citations.edit", slug=p.slug, number=len(p.versions))
                           for p in s.policies if len(p.versions) > 1][:1],
        "responses.answer": [url_for("responses.answer", public_id=s.comment.public_id)],
        "responses.answer_theme": [url_for("responses.answer_theme", theme_id=s.summary.kept_themes[0].id)],
        "aspirations_exports.export": [url_for("aspirations_exports.export", policy=s.open_policy.id),
                                       url_for("aspirations_exports.export", position=s.position.id)],
        "summaries.job": [url_for("summaries.job", job_id=s.jobs["aspiration.summary"].id)],
        "aspirations_exports.job": [url_for("aspirations_exports.job", job_id=s.jobs["aspirations.export"].id)],
    }
    admin = official | {
        "accounts_admin.users": [url_for("accounts_admin.users")],
        "accounts_admin.user_detail": [url_for("accounts_admin.user_detail", user_id=s.user.id)],
        "audit.index": [url_for("audit.index")],
        "privacy_admin.request_page": [url_for("privacy_admin.request_page", user_id=s.user.id)],
        "positions.create": [url_for("positions.create")],
        "positions.edit": [url_for("positions.edit", position_id=s.position.id)],
        "positions.import_file": [url_for("positions.import_file")],
        "positions.new_opd": [url_for("positions.new_opd")],
    }
    return {
        "visitor": public | anonymous,
        "citizen": signed_in,
        "ngo": signed_in | member,
        "ngo_unverified": {"submissions.new": member["submissions.new"], "accounts.account": [url_for("accounts.account")]},
        "moderator": signed_in | official,
        "admin": admin,
    }[role]


@pytest.fixture
def seeded(app):
    """The demo content (`flask seed-demo`), indexed for search."""
    from portal.demo.seed import seed_demo
    from portal.search import services as search

    app.config["MODERATION_PREMODERATE_FIRST_N"] = 0
    seed_demo()
    search.drain()
    _a_campaign()
    _jobs()
    with app.test_request_context():
        return {role: pages_for(role, _samples()) for role in ROLES}


def _jobs() -> None:
    """A summary job and an export job of the demo moderator (failed: no queue runs here; their page
    shows the failure and the button to try again)."""
    from portal.accounts.models import User
    from portal.aspirations.exports import columns
    from portal.aspirations.exports import jobs as export_jobs
    from portal.aspirations.exports import services as exports
    from portal.aspirations.summaries import jobs as summary_jobs
    from portal.extensions import db
    from portal.positions.models import Position

    moderator = db.session.scalars(select(User).where(User.role == "moderator").order_by(User.id)).first()
    summary_jobs.start(moderator, position=db.session.scalars(select(Position).order_by(Position.id)).first())
    export = exports.Export(request=exports.ExportRequest(since=date(2026, 1, 1)), columns=columns.columns(personal=False))
    export_jobs.start(moderator, export)


def _a_campaign() -> None:
    """Until the demo data has its copy-paste campaign: the first published comment and a copy of it."""
    from portal.comments.models import Comment
    from portal.extensions import db

    first = db.session.scalars(select(Comment).where(Comment.status == "published").order_by(Comment.id)).first()
    first.campaign_id = first.id
    db.session.commit()


def is_failing(violation: dict) -> bool:
    """Serious and critical violations fail, and the moderate rules fixed once."""
    return violation["impact"] in axe.FAILING_IMPACTS or violation["id"] in ALSO_FAILING


def test_every_page_of_the_app_has_a_place_in_the_sweep(app, seeded):
    """A new page must be added to the sweep (or to NOT_PAGES) to be checked."""
    get_pages = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())}
    swept = {endpoint for pages in seeded.values() for endpoint, paths in pages.items() if paths}
    assert get_pages - NOT_PAGES - swept == set()


@pytest.mark.parametrize("role", ROLES)
def test_every_page_passes_axe_at_desktop_and_phone_width(role, seeded, new_page, sign_in):
    """Each page the role can reach, at 1280 and 390 px: nothing serious, critical, or fixed."""
    from portal.demo.seed import DEMO_DOMAIN, DEMO_PASSWORD

    account = ROLES[role]
    if account is None:
        page = new_page()
    else:
        page = sign_in(SimpleNamespace(email=f"{account}@{DEMO_DOMAIN}"), password=DEMO_PASSWORD)
    problems, seen = [], 0
    for endpoint, paths in seeded[role].items():
        for path in paths:
            response = page.goto(path)
            assert response is not None and response.status < 500, f"{path}: {response and response.status}"
            try:
                page.check_document(failing=is_failing)
            except axe.AccessibilityViolation as violation:
                problems.append(f"{endpoint}: {violation}")
            seen += 1
    assert seen > 0
    assert not problems, "\n\n".join(problems)
