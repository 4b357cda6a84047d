"""Formal-submission rules: sending (verified organisation members, open
consultations only), attachments, withdrawal, input recorded offline by
officials, and who may see what. Co-signing is in `cosigning`."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal import permissions
from portal.accounts.models import Organisation
from portal.audit.services import record
from portal.errors import Conflict, NotFound, PermissionDenied, ValidationError
from portal.extensions import db, utcnow
from portal.i18n import local_zone
from portal.contributions import checks
from portal.contributions import services as contributions
from portal.positions import tags
from portal.proposals.models import Policy
from portal.submissions import attachments, receipts
from portal.submissions.attachments import Upload
from portal.submissions.models import (
    OFFLINE_CHANNELS,
    Attachment,
    Submission,
    SubmissionArticle,
)

MAX_TITLE = 300
MAX_BODY = 50_000
MAX_NAME = 200
OFFLINE_GROUPS = ("citizen", "ngo", "academic")
PUBLIC_ID_PATTERN = re.compile(r"^MSK-\d{4}-\d{6,}$")


# --- reading ----------------------------------------------------------------

def may_see(viewer, submission: Submission) -> bool:
    """The moderation rules, plus the members of organisations invited to co-sign."""
    if contributions.visible_to(viewer, submission):
        return True
    if viewer is None or not getattr(viewer, "is_authenticated", False) or not viewer.is_verified_member:
        return False
    return any(c.organisation_id == viewer.organisation_id for c in submission.cosignatures)


def get_submission(viewer, public_id: str) -> Submission:
    """The submission with this receipt number, if `viewer` may see it; else NotFound."""
    public_id = (public_id or "")[:40].upper()
    if not PUBLIC_ID_PATTERN.match(public_id):
        raise NotFound()
    submission = db.session.scalar(select(Submission).where(Submission.public_id == public_id))
    if submission is None or not may_see(viewer, submission):
        raise NotFound()
    return submission


def get_attachment(viewer, submission: Submission, attachment_id: int) -> Attachment:
    """One attachment of a submission `viewer` may see; else NotFound."""
    if not may_see(viewer, submission):
        raise NotFound()
    for attachment in submission.attachments:
        if attachment.id == attachment_id:
            return attachment
    raise NotFound()


def my_submissions(actor) -> list[Submission]:
    """Submissions `actor` sent or recorded, newest first, whatever their status."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    return list(
        db.session.scalars(
            select(Submission)
            .where(Submission.author_id == actor.id)
            .options(selectinload(Submission.policy), selectinload(Submission.cosignatures))
            .order_by(Submission.created_at.desc(), Submission.id.desc())
        )
    )


def policy_submissions(viewer, policy: Policy, page: int = 1, per_page: int = 20):
    """A page of the policy's submissions `viewer` may see, oldest first."""
    query = (
        select(Submission)
        .where(Submission.policy_id == policy.id, contributions.visible_filter(viewer))
        .options(selectinload(Submission.attachments), selectinload(Submission.cosignatures))
        .order_by(Submission.created_at, Submission.id)
    )
    return db.paginate(query, page=max(1, min(page, 100_000)), per_page=per_page, error_out=False)


def count_for_policy(policy: Policy) -> int:
    """How many of the policy's submissions the public sees."""
    return db.session.scalar(
        select(func.count(Submission.id)).where(Submission.policy_id == policy.id, contributions.publicly_visible())
    ) or 0


def article_choices(policy: Policy) -> list[tuple[str, str]]:
    """(key, label) of the current version's articles, for the "articles concerned" list."""
    version = policy.current_version
    if version is None:
        return []
    choices = []
    for article in version.articles:
        label = article.label + (f" — {article.heading}" if article.heading else "")
        choices.append((article.key, label))
    return choices


def article_labels(submission: Submission) -> list[str]:
    """Labels (e.g. "Pasal 5 — Data") of the articles a submission concerns, from the current version."""
    known = dict(article_choices(submission.policy)) if submission.policy else {}
    order = {key: n for n, key in enumerate(known)}
    # In the draft's own order (Pasal 9 before Pasal 11), whatever order they were ticked in.
    keys = sorted(submission.article_keys, key=lambda key: (order.get(key, len(order)), key))
    return [known.get(key, key) for key in keys]


# --- sending ----------------------------------------------------------------

def check_can_submit(actor, policy: Policy) -> None:
    """Raise PermissionDenied or Conflict, with the reason, unless `actor` may submit on `policy` now."""
    try:
        permissions.require(actor, "submission.create", policy)
    except PermissionDenied:
        raise PermissionDenied(_refusal_for(actor)) from None
    if not policy.accepts_input():
        raise Conflict(_("This consultation is not open for input, so submissions cannot be sent."))


def submit(
    actor,
    policy: Policy,
    title: str,
    body: str,
    article_keys: list[str] | tuple[str, ...] = (),
    files: list[Upload] | tuple[Upload, ...] = (),
    concerns=(),
) -> Submission:
    """Send a formal submission for the actor's verified organisation; returns it with its receipt number,
    which is also mailed to the actor. `concerns` (the positions and OPDs the author tags) are checked
    here; the view announces them once the submission is stored."""
    check_can_submit(actor, policy)
    title = _clean_title(title)
    body = _clean_body(body)
    keys = _clean_article_keys(policy, article_keys)
    tags.check(concerns)
    checked = attachments.check_all(list(files))
    resent = checks.refuse_repeat(
        actor, "submission", body, title=title,
        message=lambda last: _("You have just sent this same submission (receipt %(id)s).", id=last.public_id),
        same_place=lambda last: last.policy_id == policy.id,
    )
    if resent is not None:
        resent.resent = True  # the same form sent again: saved once, the receipt already mailed
        return resent
    submission = Submission(policy_id=policy.id, title=title, body=body, channel="portal")
    return _save(actor, submission, keys, checked, before_commit=lambda item: receipts.queue_receipt(actor, item))


def record_offline(
    official,
    policy: Policy,
    *,
    title: str,
    body: str,
    channel: str,
    received_on: date | None,
    author_name: str,
    organisation_name: str = "",
    stakeholder_group: str = "citizen",
    article_keys: list[str] | tuple[str, ...] = (),
    files: list[Upload] | tuple[Upload, ...] = (),
) -> Submission:
    """Record input received outside the portal (a letter, minutes of a hearing) so that it counts like any other."""
    permissions.require(official, "submission.record_offline", policy)
    if policy.status == "draft":
        raise Conflict(_("A draft policy has no consultation yet; input cannot be recorded for it."))
    if channel not in OFFLINE_CHANNELS:
        raise ValidationError("channel", _("Choose how the input was received."))
    received_on = _clean_received_on(policy, received_on)
    author_name = _clean_name(author_name, "author_name", required=True)
    organisation_name = _clean_name(organisation_name, "organisation_name", required=False)
    if stakeholder_group not in OFFLINE_GROUPS:
        raise ValidationError("stakeholder_group", _("Choose the group the author belongs to."))
    title = _clean_title(title)
    body = _clean_body(body)
    keys = _clean_article_keys(policy, article_keys)
    checked = attachments.check_all(list(files))
    submission = Submission(
        policy_id=policy.id,
        title=title,
        body=body,
        channel=channel,
        received_on=received_on,
        recorded_by_id=official.id,
        offline_author_name=author_name,
        offline_organisation_name=organisation_name or None,
    )

    def snapshot(item: Submission) -> None:
        # Counted for the group of the person who wrote it, not the official who typed it in.
        item.stakeholder_group = stakeholder_group
        item.organisation_id = _organisation_id_named(organisation_name)
        record(
            official, "submission.record_offline", item, public_id=item.public_id, channel=channel,
            received_on=received_on.isoformat(), author=author_name, organisation=organisation_name or None,
        )

    return _save(official, submission, keys, checked, before_commit=snapshot)


def _save(actor, submission: Submission, keys: list[str], checked, before_commit=None) -> Submission:
    """Store the files, admit the submission and commit once; stored files are removed if anything fails."""
    stored: list[str] = []
    try:
        # Built before admit() flushes, so the new collections need no loading.
        submission.article_links = [SubmissionArticle(article_key=key) for key in keys]
        for item in checked:
            name = attachments.store(item)
            stored.append(name)
            submission.attachments.append(
                Attachment(
                    original_name=item.filename,
                    stored_name=name,
                    content_type=item.content_type,
                    size=len(item.data),
                    sha256=item.sha256,
                    created_at=utcnow(),
                )
            )
        contributions.admit(actor, submission)
        if before_commit is not None:
            before_commit(submission)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for name in stored:
            attachments.remove(name)
        raise
    return submission


# --- the author's side ----------------------------------------------------------

def withdraw(actor, submission: Submission, note: str = "") -> None:
    """The author takes the submission back before the consultation closes; it is kept, marked withdrawn."""
    permissions.require(actor, "contribution.withdraw", submission)
    if submission.policy is None or not submission.policy.accepts_input():
        raise Conflict(_("The consultation has closed; a submission can no longer be withdrawn."))
    contributions.withdraw(actor, submission, note)


# --- internals ----------------------------------------------------------------------

def _refusal_for(actor) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return _("Sign in with a verified organisation account to send a formal submission.")
    if actor.is_suspended():
        return _("Your account is suspended; you cannot send contributions for now.")
    if actor.affiliation_pending:
        return _(
            "Your organisation has not been verified yet. An admin verifies it; until then you can "
            "comment on the articles as a citizen."
        )
    return _(
        "Formal submissions are sent by verified members of NGOs and academic institutions on behalf "
        "of their organisation. You can comment on the articles instead."
    )


def _clean_title(title: str) -> str:
    return checks.clean_text(
        "title", title, MAX_TITLE, required=_("Give the submission a title."),
        too_long=_("The title may be at most %(n)d characters.", n=MAX_TITLE),
    )


def _clean_body(body: str) -> str:
    return checks.clean_text("body", body, MAX_BODY, required=_("Write the content of the submission."))


def _clean_name(value: str, field: str, required: bool) -> str:
    return checks.clean_text(
        field, value, MAX_NAME, strip=True,
        required=_("Enter the name of the person or body that sent the input.") if required else None,
        too_long=_("The name may be at most %(n)d characters.", n=MAX_NAME),
    )


def _clean_article_keys(policy: Policy, keys) -> list[str]:
    keys = list(keys or ())
    if not keys:
        return []
    known = {key for key, _label in article_choices(policy)}
    chosen = []
    for key in keys:
        if key not in known:
            raise ValidationError("article_keys", _("Choose articles from the list."))
        if key not in chosen:
            chosen.append(key)
    return chosen


def _clean_received_on(policy: Policy, received_on: date | None) -> date:
    if received_on is None:
        raise ValidationError("received_on", _("Enter the date the input was received."))
    today = utcnow().astimezone(local_zone()).date()
    if received_on > today:
        raise ValidationError("received_on", _("The date cannot be in the future."))
    if policy.closes_at is not None and received_on > policy.closes_at.astimezone(local_zone()).date():
        raise ValidationError("received_on", _("The input was received after the consultation closed."))
    return received_on


def _organisation_id_named(name: str) -> int | None:
    if not name:
        return None
    return db.session.scalar(select(Organisation.id).where(func.lower(Organisation.name) == name.lower()))
