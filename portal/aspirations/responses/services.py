"""Answering contributions and themes, and counting what a policy owes the public.

`respond` answers one contribution (a first answer, or a new wording that keeps
the old one as a revision), tells its author in the portal and in the next mail
digest, and writes the audit log; it commits once. `accountability` counts the
three rights of a policy's contributions (heard, considered, answered) and how
many are past the response deadline, in one aggregate query; `overdue` pages
through those past it. `answers_for` is the loader the contribution pages use
(registered in `portal.contributions.answers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from portal import permissions
from portal.audit.services import record
from portal.comments.models import Comment
from portal.contributions import checks
from portal.contributions.models import Contribution
from portal.contributions.urls import contribution_url
from portal.errors import ValidationError
from portal.extensions import db, utcnow
from portal.notifications import services as notifications
from portal.proposals.models import Policy
from portal.redirects import safe_next
from portal.aspirations.links.models import ContributionLink
from portal.aspirations.responses.models import OUTCOME_LABELS, OUTCOMES, Response, ResponseRevision
from portal.aspirations.summaries.models import Summary, SummaryTheme, ThemeMember
from portal.submissions.models import SubmissionArticle

MAX_EXPLANATION = 10_000
MAX_CHANGE = 5_000
MAX_URL = 500

NOTICE_KINDS = {
    "contribution_answered": _l("An official answered your contribution %(public_id)s: %(outcome)s."),
    "contribution_answer_changed": _l("The official answer to your contribution %(public_id)s changed: %(outcome)s."),
}


def register_notices() -> None:
    """Teach notifications the messages of an answer (their outcome shown in the reader's language)."""
    for kind, message in NOTICE_KINDS.items():
        notifications.register_kind(kind, message, {"outcome": OUTCOME_LABELS})


# --- answering -------------------------------------------------------------------

def _clean_outcome(outcome: str | None) -> str:
    if outcome not in OUTCOMES:
        raise ValidationError("outcome", _("Choose the outcome of the contribution."))
    return outcome


def _clean_url(value: str | None) -> str:
    """A local path or an http(s) address, or ""."""
    value = (value or "").strip()
    if not value:
        return ""
    checks.refuse_nul("change_url", value)
    message = _("Give a link within the portal (starting with /) or an address starting with https://.")
    if len(value) > MAX_URL or any(ord(ch) < 32 or ch.isspace() for ch in value):
        raise ValidationError("change_url", message)
    if value.startswith("/"):
        if safe_next(value, "") != value:
            raise ValidationError("change_url", message)
        return value
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValidationError("change_url", message)
    return value


def clean(outcome: str | None, explanation: str | None, change: str | None, change_url: str | None) -> dict:
    """The checked fields of an answer (texts as written), or ValidationError."""
    return {
        "outcome": _clean_outcome(outcome),
        "explanation": checks.clean_text(
            "explanation", explanation, MAX_EXPLANATION,
            required=_("Explain the outcome: the author has a right to know why."),
        ),
        "change": checks.clean_text("change", change, MAX_CHANGE),
        "change_url": _clean_url(change_url),
    }


def response_to(contribution: Contribution) -> Response | None:
    """The answer to `contribution`, if it has one."""
    return db.session.scalar(select(Response).where(Response.contribution_id == contribution.id))


def _reword(actor, response: Response, fields: dict, now) -> None:
    """Replace an answer's wording, keeping the earlier one as a revision."""
    db.session.add(ResponseRevision(  # added, not appended: an edit never loads the whole history
        response_id=response.id, outcome=response.outcome, explanation=response.explanation, change=response.change,
        change_url=response.change_url, written_by_id=response.updated_by_id or response.responder_id,
        written_at=response.updated_at or response.created_at, replaced_at=now,
    ))
    for name, value in fields.items():
        setattr(response, name, value)
    response.updated_by_id, response.updated_at = actor.id, now


def respond(
    actor, contribution: Contribution, *, outcome: str, explanation: str, change: str = "", change_url: str = "",
) -> Response:
    """Answer a published contribution, or reword its answer (the earlier wording is kept)."""
    permissions.require(actor, "response.give", contribution)
    fields = clean(outcome, explanation, change, change_url)
    response = response_to(contribution)
    now = utcnow()
    if response is None:
        response = Response(
            contribution_id=contribution.id, policy_id=contribution.policy_id, responder_id=actor.id,
            created_at=now, **fields,
        )
        db.session.add(response)
        is_new, notice = True, "contribution_answered"
    else:
        if all(getattr(response, name) == value for name, value in fields.items()):
            return response  # the same wording sent again: nothing changed, nobody told twice
        _reword(actor, response, fields, now)
        is_new, notice = False, "contribution_answer_changed"
    author = contribution.author
    if author is not None and author.id != actor.id:
        notifications.notify(
            author, notice, contribution_url(contribution), digest=True,
            public_id=contribution.public_id, outcome=fields["outcome"],
        )
    record(actor, "response.give" if is_new else "response.edit", contribution, reason=fields["explanation"], public_id=contribution.public_id,
           outcome=fields["outcome"], change_url=fields["change_url"] or None)
    try:
        db.session.commit()
    except IntegrityError:  # two officials answering at the same moment: the first answer stands
        db.session.rollback()
        raise ValidationError("explanation", _("Another official has just answered this contribution. "
                                               "Open it again to see the answer."))
    return response


def answered_directly(contribution: Contribution) -> bool:
    """Whether an official response answers `contribution` itself (it then stays in the record,
    anonymised, when its author asks for removal)."""
    return response_to(contribution) is not None


def response_to_theme(theme: SummaryTheme) -> Response | None:
    """The answer to a theme, if it has one."""
    return db.session.scalar(select(Response).where(Response.theme_id == theme.id))


def respond_to_theme(
    actor, theme: SummaryTheme, *, outcome: str, explanation: str, change: str = "", change_url: str = "",
) -> Response:
    """Answer a theme of a published summary, which answers all its contributions: each of them shows
    the answer, counts as answered, and its author is told."""
    summary = db.session.get(Summary, theme.summary_id)
    policy = db.session.get(Policy, summary.policy_id) if summary.policy_id else None
    permissions.require(actor, "response.give_theme", policy)
    if summary.status != "published" or theme.dropped:
        raise ValidationError("explanation", _("Only a theme of a published summary can be answered."))
    fields = clean(outcome, explanation, change, change_url)
    response = response_to_theme(theme)
    now = utcnow()
    if response is None:
        response = Response(theme_id=theme.id, policy_id=getattr(policy, "id", None), responder_id=actor.id,
                            created_at=now, **fields)
        db.session.add(response)
        is_new, notice = True, "contribution_answered"
    else:
        if all(getattr(response, name) == value for name, value in fields.items()):
            return response
        _reword(actor, response, fields, now)
        is_new, notice = False, "contribution_answer_changed"
    members = db.session.scalars(
        select(Contribution).join(ThemeMember, ThemeMember.contribution_id == Contribution.id)
        .where(ThemeMember.theme_id == theme.id, Contribution.status == "published")
        .options(joinedload(Contribution.author))
    ).all()
    told = set()
    for contribution in members:
        author = contribution.author
        if author is None or author.id == actor.id or author.id in told:
            continue
        told.add(author.id)
        notifications.notify(author, notice, contribution_url(contribution), digest=True,
                             public_id=contribution.public_id, outcome=fields["outcome"])
    record(actor, "response.give" if is_new else "response.edit", theme, reason=fields["explanation"], theme_id=theme.id, outcome=fields["outcome"],
           contributions=len(members))
    db.session.commit()
    return response


# --- showing answers beside contributions -------------------------------------------

def answers_for(ids: list[int]) -> dict[int, Response]:
    """contribution id -> its answer (responder loaded), in one query: the loader of
    `portal.contributions.answers`."""
    if not ids:
        return {}
    rows = db.session.scalars(
        select(Response).where(Response.contribution_id.in_(ids)).options(joinedload(Response.responder))
    )
    found = {response.contribution_id: response for response in rows}
    # A contribution without its own answer shows the answer to its theme in a published summary.
    for contribution_id, response, label in db.session.execute(
        select(ThemeMember.contribution_id, Response, SummaryTheme.label)
        .join(Response, Response.theme_id == ThemeMember.theme_id)
        .join(SummaryTheme, SummaryTheme.id == ThemeMember.theme_id)
        .join(Summary, Summary.id == SummaryTheme.summary_id)
        .where(ThemeMember.contribution_id.in_(ids), Summary.status == "published")
        .options(joinedload(Response.responder))
    ).all():
        response.theme_label = label
        found.setdefault(contribution_id, response)
    return found


# --- the three rights ----------------------------------------------------------------

def _owed(policy: Policy):
    """The contributions of `policy` the public is owed an answer on: received, not withdrawn,
    not written by an official."""
    return and_(
        Contribution.policy_id == policy.id,
        Contribution.public_id.is_not(None),
        Contribution.status != "withdrawn",
        Contribution.stakeholder_group != "official",
    )


def _linked():
    """Linked to an article or a position (the links and themes parts add their own links here)."""
    comments = Comment.__table__.c  # the table, not the mapped subclass (which would join its base)
    links = SubmissionArticle.__table__.c
    return or_(
        exists().where(comments.id == Contribution.id,
                       or_(comments.article_key.is_not(None), comments.position_id.is_not(None))),
        exists().where(links.submission_id == Contribution.id),
        exists().where(ContributionLink.contribution_id == Contribution.id, ContributionLink.status == "active",
                       ContributionLink.source.in_(("author", "confirmed"))),
        _in_published_theme(),
    )


def _in_published_theme(answered: bool = False):
    """In a theme of a published summary (and, if `answered`, a theme that has its answer)."""
    clause = exists().where(
        ThemeMember.contribution_id == Contribution.id, SummaryTheme.id == ThemeMember.theme_id,
        Summary.id == SummaryTheme.summary_id, Summary.status == "published", SummaryTheme.dropped.is_(False),
    )
    if answered:
        clause = exists().where(
            ThemeMember.contribution_id == Contribution.id, SummaryTheme.id == ThemeMember.theme_id,
            Summary.id == SummaryTheme.summary_id, Summary.status == "published", SummaryTheme.dropped.is_(False),
            Response.theme_id == SummaryTheme.id,
        )
    return clause


def _answered():
    return or_(exists().where(Response.contribution_id == Contribution.id), _in_published_theme(answered=True))


@dataclass(frozen=True)
class Accountability:
    """What a policy's contributions received: the counts of the three rights and of the overdue."""

    heard: int  # received with a public id
    published: int  # of those, reviewed and public
    considered: int  # published and linked to an article or a position
    answered: int  # published and answered
    overdue: int  # published, unanswered, past the deadline
    deadline: datetime | None
    past_deadline: bool

    @property
    def unanswered(self) -> int:
        """Published contributions still waiting for their answer."""
        return max(0, self.published - self.answered)


def accountability(policy: Policy, now: datetime | None = None) -> Accountability:
    """The policy's counts, in one aggregate query whatever the number of contributions."""
    now = now or utcnow()
    deadline = policy.response_deadline()
    past = deadline is not None and now >= deadline
    published = Contribution.status == "published"

    def total(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = db.session.execute(
        select(
            func.count(Contribution.id),
            total(published),
            total(and_(published, _linked())),
            total(and_(published, _answered())),
        ).where(_owed(policy))
    ).one()
    heard, public, considered, answered = (int(value or 0) for value in row)
    overdue = public - answered if past else 0
    return Accountability(heard, public, considered, answered, overdue, deadline, past)


def unanswered(actor, policy: Policy, page: int = 1, per_page: int | None = None):
    """A page of the policy's published contributions with no answer yet, oldest first (officials)."""
    permissions.require(actor, "response.list_overdue", policy)
    query = (
        select(Contribution)
        .where(_owed(policy), Contribution.status == "published", ~_answered())
        .order_by(Contribution.created_at, Contribution.id)
        .options(joinedload(Contribution.author))
    )
    per_page = per_page or current_app.config.get("PAGE_SIZE", 20)
    return db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
