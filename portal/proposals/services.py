"""Draft-policy rules: listing, creating, versioning, the status workflow."""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import defer, selectinload, undefer

from portal import permissions
from portal.audit.services import record
from portal.contributions import checks
from portal.errors import Conflict, NotFound, ValidationError
from portal.extensions import db, utcnow
from portal.i18n import to_utc
from portal.positions.models import Opd, Position
from portal.proposals.articles import parse_articles
from portal.proposals.diff import ArticleChange, diff_versions  # noqa: F401  (part of this API)
from portal.proposals.models import (
    DEFAULT_RESPONSE_DAYS, MAX_RESPONSE_DAYS, Article, Policy, PolicyTransition, PolicyVersion, policy_positions,
)
from portal.proposals.signals import policy_created
from portal.proposals.workflow import (  # noqa: F401  (part of this API)
    MAX_NOTE,
    MOVE_LABELS,
    PHASE_LABELS,
    STATUS_LABELS,
    allowed_moves,
    close_due,
    commit,
    transition,
)

MAX_TITLE = 300
MAX_KIND = 120
MAX_SUMMARY = 20_000
MAX_BODY = 1_000_000
MAX_SLUG = 80
MAX_DB_INT = 2**31 - 1
DEFAULT_KIND = "Rancangan Peraturan Wali Kota"

_PHASE_ORDER = {"open": 0, "scheduled": 1, "ended": 2, "draft": 3, "closed": 4, "adopted": 5, "withdrawn": 6}


# --- reading ----------------------------------------------------------------

def public_policies(actor) -> list[Policy]:
    """Policies the actor may see: open consultations first (soonest closing), then the rest, newest first."""
    query = select(Policy).options(
        selectinload(Policy.versions).options(defer(PolicyVersion.body), undefer(PolicyVersion.article_count))
    )
    if not permissions.can(actor, "policy.view_drafts"):
        query = query.where(Policy.status != "draft")
    policies = list(db.session.scalars(query))
    now = utcnow()

    def order(policy: Policy):
        phase = policy.phase(now)
        closes = policy.closes_at.timestamp() if policy.closes_at and phase == "open" else float("inf")
        return (_PHASE_ORDER.get(phase, 9), closes, -policy.created_at.timestamp(), -policy.id)

    return sorted(policies, key=order)


def get_policy_by_slug(actor, slug: str) -> Policy:
    """The policy with this slug; drafts are NotFound to those who may not see them."""
    policy = db.session.scalar(select(Policy).where(Policy.slug == (slug or "")[:200]))
    if policy is None or not permissions.can(actor, "policy.view", policy):
        raise NotFound()
    return policy


def get_version(policy: Policy, number: int) -> PolicyVersion:
    """Version `number` of `policy`, or NotFound."""
    if not isinstance(number, int) or not 1 <= number <= MAX_DB_INT:
        raise NotFound()
    version = db.session.scalar(
        select(PolicyVersion).where(PolicyVersion.policy_id == policy.id, PolicyVersion.number == number)
    )
    if version is None:
        raise NotFound()
    return version


def position_choices() -> list[Position]:
    """Every position record, for linking a policy to the positions it affects."""
    return list(db.session.scalars(select(Position).options(selectinload(Position.opd)).order_by(Position.code)))


def opd_choices() -> list[Opd]:
    """Every OPD, for naming the agency that drafts a policy."""
    return list(db.session.scalars(select(Opd).order_by(Opd.name)))


# --- writing ----------------------------------------------------------------

def create_policy(
    actor,
    *,
    title: str,
    kind: str,
    summary: str,
    body: str,
    opd_id: int | None = None,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    position_ids: Iterable[int] = (),
    response_days: int = DEFAULT_RESPONSE_DAYS,
) -> Policy:
    """Create a draft policy with its first version, parsed into articles."""
    permissions.require(actor, "policy.create")
    title = _clean_title(title)
    body = _clean_body(body)
    opens_at, closes_at = _clean_window(opens_at, closes_at)
    policy = Policy(
        slug=_unique_slug(title),
        title=title,
        kind=_clean_kind(kind),
        summary=_clean_summary(summary),
        opd_id=_clean_opd(opd_id),
        opens_at=opens_at,
        closes_at=closes_at,
        response_days=_clean_response_days(response_days),
        status="draft",
        created_by_id=actor.id,
    )
    policy.positions = _positions(position_ids)
    policy.versions.append(_new_version(actor, 1, body, ""))
    policy.transitions.append(PolicyTransition(from_status=None, to_status="draft", actor_id=actor.id))
    db.session.add(policy)
    db.session.flush()
    record(actor, "policy.create", policy, slug=policy.slug)
    policy_created.send(policy, actor=actor)  # e.g. the forum adds the policy's category
    commit()
    return policy


def add_version(actor, policy: Policy, body: str, change_note: str) -> PolicyVersion:
    """Publish a new text of `policy`; every earlier version is kept."""
    permissions.require(actor, "policy.edit", policy)
    if policy.status in ("adopted", "withdrawn"):
        raise Conflict(
            _("An %(status)s policy cannot get a new version.", status=str(STATUS_LABELS[policy.status]).lower())
        )
    body = _clean_body(body)
    change_note = (change_note or "").strip()
    if not change_note:
        raise ValidationError("change_note", _("Say what changed in this version."))
    if len(change_note) > MAX_NOTE:
        raise ValidationError("change_note", _("The note may be at most %(n)d characters.", n=MAX_NOTE))
    current = policy.current_version
    if current is not None and current.body == body:
        raise ValidationError("body", _("The text is the same as the current version."))
    version = _new_version(actor, (current.number if current else 0) + 1, body, change_note)
    policy.versions.append(version)
    db.session.flush()
    record(actor, "policy.version", policy, number=version.number, note=change_note)
    commit()
    return version


def update_details(
    actor,
    policy: Policy,
    *,
    title: str,
    kind: str,
    summary: str,
    opd_id: int | None = None,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    position_ids: Iterable[int] = (),
    response_days: int | None = None,
) -> Policy:
    """Change a policy's title, kind, summary, agency, window and linked positions."""
    permissions.require(actor, "policy.edit", policy)
    title = _clean_title(title)
    opens_at, closes_at = _clean_window(opens_at, closes_at)
    if policy.status == "open" and (opens_at is None or closes_at is None):
        raise ValidationError("closes_at", _("An open consultation needs both an opening and a closing time."))
    before = {"title": policy.title, "opens_at": policy.opens_at, "closes_at": policy.closes_at,
              "response_days": policy.response_days}
    if response_days is not None:
        policy.response_days = _clean_response_days(response_days)
    policy.title = title
    policy.kind = _clean_kind(kind)
    policy.summary = _clean_summary(summary)
    policy.opd_id = _clean_opd(opd_id)
    policy.opens_at, policy.closes_at = opens_at, closes_at
    policy.positions = _positions(position_ids)
    changed = {k: v for k, v in before.items() if getattr(policy, k) != v}
    record(actor, "policy.edit", policy, changed=sorted(changed), positions=[p.code for p in policy.positions])
    commit()
    return policy


def _clean_response_days(days) -> int:
    """Days to answer after closing, 1..MAX_RESPONSE_DAYS."""
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_RESPONSE_DAYS:
        raise ValidationError("response_days", _("Give a number of days from 1 to 365."))
    return days


def _new_version(actor, number: int, body: str, change_note: str) -> PolicyVersion:
    version = PolicyVersion(number=number, body=body, change_note=change_note, created_by_id=actor.id)
    version.articles = [
        Article(
            key=parsed.key,
            position=parsed.position,
            chapter=parsed.chapter,
            label=parsed.label,
            heading=parsed.heading,
            body=parsed.body,
        )
        for parsed in parse_articles(body)
    ]
    return version


def policies_for_position(position: Position, actor=None) -> list[Policy]:
    """The draft policies linked to `position` that `actor` may see, newest first (answers
    `portal.positions.signals.linked_policies`)."""
    query = (
        select(Policy)
        .join(policy_positions, policy_positions.c.policy_id == Policy.id)
        .where(policy_positions.c.position_id == position.id)
        .order_by(Policy.created_at.desc(), Policy.id.desc())
    )
    if not permissions.can(actor, "policy.view_drafts"):
        query = query.where(Policy.status != "draft")
    return list(db.session.scalars(query))


def _clean_title(title: str) -> str:
    """The title as typed; it must not be blank and must fit its column."""
    return checks.clean_text(
        "title", title, MAX_TITLE, required=_("Give the policy a title."),
        too_long=_("The title may be at most %(n)d characters.", n=MAX_TITLE),
    )


def _clean_kind(kind: str) -> str:
    kind = (kind or "").strip() or DEFAULT_KIND
    return checks.clean_text(
        "kind", kind, MAX_KIND, too_long=_("The kind may be at most %(n)d characters.", n=MAX_KIND)
    )


def _clean_summary(summary: str) -> str:
    return checks.clean_text(
        "summary", summary, MAX_SUMMARY, too_long=_("The summary may be at most %(n)d characters.", n=MAX_SUMMARY)
    )


def _clean_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n")
    return checks.clean_text("body", body, MAX_BODY, required=_("Enter the text of the policy."))


def _clean_window(opens_at: datetime | None, closes_at: datetime | None) -> tuple[datetime | None, datetime | None]:
    """Both times in UTC (naive ones are read as WIB); closing must follow opening."""
    opens_at = to_utc(opens_at) if opens_at is not None else None
    closes_at = to_utc(closes_at) if closes_at is not None else None
    if opens_at is not None and closes_at is not None and opens_at >= closes_at:
        raise ValidationError("closes_at", _("The consultation must close after it opens."))
    return opens_at, closes_at


def _clean_opd(opd_id: int | None) -> int | None:
    if not opd_id:
        return None
    if not isinstance(opd_id, int) or opd_id > MAX_DB_INT or db.session.get(Opd, opd_id) is None:
        raise ValidationError("opd_id", _("Choose an agency from the list."))
    return opd_id


def _positions(position_ids: Iterable[int]) -> list[Position]:
    ids = {int(i) for i in position_ids or () if isinstance(i, int) and 0 < i <= MAX_DB_INT}
    if not ids:
        return []
    found = list(db.session.scalars(select(Position).where(Position.id.in_(ids))))
    if len(found) != len(ids):
        raise ValidationError("position_ids", _("Choose positions from the list."))
    return found


def slugify(text: str) -> str:
    """A URL-safe, lower-case ASCII slug of `text` ("policy" when nothing is left)."""
    return checks.slugify(text, MAX_SLUG, "policy")


def _unique_slug(title: str) -> str:
    base = slugify(title)
    taken = set(db.session.scalars(select(Policy.slug).where(Policy.slug.like(base + "%"))))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug
