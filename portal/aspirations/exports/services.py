"""Exporting contributions: who may, which ones (the filters), and the rows, one batch at a time.

`start_export(actor, request)` checks the permissions, validates the filters, writes the audit
entry and commits; it returns an `Export` whose `batches()` yields the rows in batches of
BATCH_SIZE. Rows are read with Core selects (no ORM objects, so the session's identity map
stays empty however long the export) and keyset pagination on the contribution id: each batch
is a fresh `WHERE id > last ORDER BY id LIMIT n` query, so no cursor stays open between batches
and memory holds one batch at a time on SQLite and PostgreSQL alike. The registered loaders
(columns.py) run one query per batch each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Iterator

from flask_babel import gettext as _
from sqlalchemy import func, select, union

from portal import permissions
from portal.accounts.models import STAKEHOLDER_GROUPS, Organisation, User
from portal.aspirations.exports import columns as registry
from portal.aspirations.exports.formats import FORMATS
from portal.audit import services as audit
from portal.comments.models import STANCES, Comment
from portal.contributions.models import STATUSES, Contribution
from portal.errors import ValidationError
from portal.extensions import db
from portal.i18n import local_zone, to_utc
from portal.positions.models import Position
from portal.proposals.models import Policy
from portal.submissions.models import Submission

BATCH_SIZE = 1000
EXPORT_KINDS = ("comment", "submission", "post")
REASON_MAX_LENGTH = 500
_ID = Contribution.__table__.c.id


@dataclass(frozen=True)
class ExportRequest:
    """What an official asks to export. Empty tuples mean "any"."""

    format: str = "csv"
    policy_id: int | None = None
    position_id: int | None = None
    since: date | None = None
    until: date | None = None  # inclusive
    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    stances: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    personal: bool = False
    reason: str = ""


@dataclass
class Export:
    """A permitted, validated export: its columns, its target and its rows."""

    request: ExportRequest
    columns: list[registry.Column]
    policy: Policy | None = None
    position: Position | None = None
    batch_size: int = BATCH_SIZE
    _labels: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        """The column keys (the JSON names)."""
        return [column.key for column in self.columns]

    def header(self) -> list[str]:
        """The column headers in the current language (CSV and XLSX)."""
        return [str(column.label) for column in self.columns]

    def filename(self) -> str:
        """E.g. "masukan-rancangan-perwal-2026-12-02.csv"."""
        scope = self.policy.slug if self.policy is not None else (
            f"jabatan-{self.position.code}" if self.position is not None else "rentang-tanggal")
        today = datetime.now(local_zone()).date().isoformat()
        safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-" for ch in scope)[:80]
        return f"masukan-{safe}-{today}.{self.request.format}"

    def batches(self, *, readable: bool | None = None) -> Iterator[list[list[Any]]]:
        """The rows, in id order, a batch at a time. `readable`: codes as labels in the current language
        (default: for CSV and XLSX, not for JSON)."""
        if readable is None:
            readable = self.request.format != "json"
        labels = {c.key: {code: str(text) for code, text in c.labels.items()}
                  for c in self.columns if readable and c.labels}
        query = _base_query(self.request)
        last_id = 0
        while True:
            rows = [row._asdict() for row in db.session.execute(
                query.where(_ID > last_id).order_by(_ID).limit(self.batch_size))]
            if not rows:
                return
            last_id = rows[-1]["id"]
            yield _finish(rows, self.columns, labels)
            if len(rows) < self.batch_size:
                return


def _finish(rows: list[dict], columns: list[registry.Column], labels: dict[str, dict[str, str]]) -> list[list[Any]]:
    """Fill the loader columns of one batch and turn the rows into value lists in column order."""
    ids = [row["id"] for row in rows]
    submissions = [row["id"] for row in rows if row["kind"] == "submission"]
    articles = registry.load_submission_articles(submissions) if submissions else {}
    loaded = {column.key: column.loader(ids) for column in columns if column.loader is not None}
    zone = local_zone()
    out = []
    for row in rows:
        row["article"] = (
            articles.get(row["id"], []) if row["kind"] == "submission"
            else registry.article_label(row["article_key"]) or None
        )
        row["created_at"] = row["created_at"].astimezone(zone) if row["created_at"] else None
        row["organisation"] = row["organisation"] or row["offline_organisation"]
        if row["submission_title"]:
            row["text"] = f"{row['submission_title']}\n\n{row['text']}"
        if "author_name" in row and row.get("offline_author"):
            row["author_name"] = row["offline_author"]
        values = []
        for column in columns:
            value = loaded[column.key].get(row["id"]) if column.key in loaded else row.get(column.key)
            if column.key in labels and isinstance(value, str):
                value = labels[column.key].get(value, value)
            values.append(value)
        out.append(values)
    return out


def _base_query(request: ExportRequest):
    """The Core select of the base columns with the request's filters (no order, no limit).

    On the tables, not the mapped classes: a joined-inheritance class would bring its base table
    in again, and Core rows keep the session's identity map empty."""
    item, comment, submission = Contribution.__table__, Comment.__table__, Submission.__table__
    policy, organisation, user = Policy.__table__, Organisation.__table__, User.__table__
    fields = [
        item.c.id, item.c.public_id, item.c.kind, policy.c.title.label("policy"),
        comment.c.article_key, comment.c.stance, item.c.stakeholder_group,
        organisation.c.name.label("organisation"), submission.c.offline_organisation_name.label("offline_organisation"),
        item.c.status, item.c.created_at, item.c.body.label("text"), submission.c.title.label("submission_title"),
    ]
    joined = (
        item.outerjoin(comment, comment.c.id == item.c.id)
        .outerjoin(submission, submission.c.id == item.c.id)
        .outerjoin(policy, policy.c.id == item.c.policy_id)
        .outerjoin(organisation, organisation.c.id == item.c.organisation_id)
    )
    if request.personal:
        fields += [user.c.display_name.label("author_name"), user.c.email.label("author_email"),
                   submission.c.offline_author_name.label("offline_author")]
        joined = joined.outerjoin(user, user.c.id == item.c.author_id)
    query = select(*fields).select_from(joined)
    if request.policy_id is not None:
        query = query.where(item.c.policy_id == request.policy_id)
    if request.position_id is not None:
        scopes = [scope(request.position_id) for scope in registry.position_scopes()]
        query = query.where(item.c.id.in_(union(*scopes) if len(scopes) > 1 else scopes[0]))
    if request.since is not None:
        query = query.where(item.c.created_at >= to_utc(datetime.combine(request.since, time())))
    if request.until is not None:
        query = query.where(item.c.created_at < to_utc(datetime.combine(request.until + timedelta(days=1), time())))
    if request.kinds:
        query = query.where(item.c.kind.in_(request.kinds))
    if request.statuses:
        query = query.where(item.c.status.in_(request.statuses))
    if request.stances:
        query = query.where(comment.c.stance.in_(request.stances))
    if request.groups:
        query = query.where(item.c.stakeholder_group.in_(request.groups))
    return query


def _unknown(values: tuple[str, ...], allowed: tuple[str, ...]) -> dict[str, str] | None:
    """The placeholders of a "which values are unknown" message, or None when all are known."""
    unknown = [value for value in values if value not in allowed]
    return {"values": ", ".join(unknown)[:100], "allowed": ", ".join(allowed)} if unknown else None


def validate(request: ExportRequest) -> tuple[Policy | None, Position | None]:
    """Raise ValidationError (a 400 with a clear message) for filters that make no sense; return the
    policy and the position the request names."""
    if request.format not in FORMATS:
        raise ValidationError("format", _("Choose the file format: CSV, XLSX or JSON."))
    if request.policy_id is None and request.position_id is None and request.since is None and request.until is None:
        raise ValidationError("policy", _("Choose what to export: a draft policy, a position, or a date range."))
    if request.since is not None and request.until is not None and request.since > request.until:
        raise ValidationError("until", _("The end date is before the start date."))
    if unknown := _unknown(request.kinds, EXPORT_KINDS):
        raise ValidationError("kinds", _("Unknown kind of contribution: %(values)s. Use %(allowed)s.", **unknown))
    if unknown := _unknown(request.statuses, STATUSES):
        raise ValidationError("statuses", _("Unknown status: %(values)s. Use %(allowed)s.", **unknown))
    if unknown := _unknown(request.stances, STANCES):
        raise ValidationError("stances", _("Unknown stance: %(values)s. Use %(allowed)s.", **unknown))
    if unknown := _unknown(request.groups, STAKEHOLDER_GROUPS):
        raise ValidationError("groups", _("Unknown stakeholder group: %(values)s. Use %(allowed)s.", **unknown))
    policy = position = None
    if request.policy_id is not None:
        policy = db.session.get(Policy, request.policy_id)
        if policy is None:
            raise ValidationError("policy", _("There is no draft policy number %(id)d.", id=request.policy_id))
    if request.position_id is not None:
        position = db.session.get(Position, request.position_id)
        if position is None:
            raise ValidationError("position", _("There is no position number %(id)d.", id=request.position_id))
    if request.personal:
        if not request.reason.strip():
            raise ValidationError("reason", _("Give the reason for including personal data; it is kept in the audit log."))
        if len(request.reason) > REASON_MAX_LENGTH:
            raise ValidationError("reason", _("The reason may be at most %(n)d characters long.", n=REASON_MAX_LENGTH))
    return policy, position


def start_export(actor, request: ExportRequest) -> Export:
    """Check who asks, validate the filters and record the export in the audit log (committed);
    the rows come from the returned Export's `batches()`.

    Officials and admins export; personal data (author name and e-mail) only admins, with a reason."""
    permissions.require(actor, "aspirations.export")
    if request.personal:
        permissions.require(actor, "aspirations.export_personal")
    policy, position = validate(request)
    audit.record(
        actor,
        "aspirations.export_personal" if request.personal else "aspirations.export",
        policy or position,
        reason=request.reason.strip() if request.personal else None,
        **_audit_detail(request),
    )
    db.session.commit()
    return Export(request=request, columns=registry.columns(personal=request.personal), policy=policy,
                  position=position)


def _audit_detail(request: ExportRequest) -> dict[str, Any]:
    detail: dict[str, Any] = {"format": request.format}
    for name in ("policy_id", "position_id", "since", "until"):
        value = getattr(request, name)
        if value is not None:
            detail[name.removesuffix("_id")] = value.isoformat() if isinstance(value, date) else value
    for name in ("kinds", "statuses", "stances", "groups"):
        if getattr(request, name):
            detail[name] = list(getattr(request, name))
    return detail


def count(export: Export) -> int:
    """How many contributions the export holds (for the page and the command's summary)."""
    query = _base_query(export.request).with_only_columns(func.count(_ID))
    return db.session.scalar(query) or 0


def form_page(actor, position_id: int | None) -> dict[str, Any]:
    """What the export page shows: the policies to choose from (newest first) and the position named."""
    permissions.require(actor, "aspirations.export")
    policies = list(db.session.execute(
        select(Policy.id, Policy.title).order_by(Policy.created_at.desc(), Policy.id.desc()).limit(500)))
    position = db.session.get(Position, position_id) if position_id else None
    return {"policies": policies, "position": position}
