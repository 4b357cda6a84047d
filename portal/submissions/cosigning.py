"""Co-signing a formal submission: another verified organisation is invited by the author,
its verified members are told (`receipts.tell_invited`), and one of them confirms for it."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from portal import permissions
from portal.accounts.models import Organisation, User
from portal.audit.services import record
from portal.errors import Conflict, NotFound, ValidationError
from portal.extensions import db, utcnow
from portal.submissions import receipts
from portal.submissions.models import CoSignature, Submission
from portal.submissions.services import may_see


def get_cosignature(viewer, cosignature_id: int) -> CoSignature:
    """A co-signature invitation, shown only to those who may see its submission."""
    if not 0 < cosignature_id < 2**31:
        raise NotFound()
    cosignature = db.session.get(CoSignature, cosignature_id)
    if cosignature is None or not may_see(viewer, cosignature.submission):
        raise NotFound()
    return cosignature


def open_invitations(actor) -> list[CoSignature]:
    """Co-signature invitations waiting for `actor`'s organisation to confirm."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_verified_member:
        return []
    return list(
        db.session.scalars(
            select(CoSignature)
            .join(Submission, Submission.id == CoSignature.submission_id)
            .where(
                CoSignature.organisation_id == actor.organisation_id,
                CoSignature.status == "requested",
                Submission.status.in_(("pending", "published")),
            )
            .order_by(CoSignature.created_at, CoSignature.id)
        )
    )


def cosign_candidates(submission: Submission) -> list[Organisation]:
    """Organisations with a verified member that are not yet on the submission."""
    taken = {c.organisation_id for c in submission.cosignatures}
    if submission.organisation_id:
        taken.add(submission.organisation_id)
    verified_member = exists().where(
        User.organisation_id == Organisation.id,
        User.affiliation_verified_at.is_not(None),
        User.role.in_(("ngo", "academic")),
        User.active.is_(True),
    )
    query = select(Organisation).where(verified_member).order_by(Organisation.name)
    return [org for org in db.session.scalars(query) if org.id not in taken]


def invite_cosigner(actor, submission: Submission, organisation: Organisation | None) -> CoSignature:
    """Ask another verified organisation to co-sign; its verified members are told (in the portal and
    by mail), and one of them confirms."""
    permissions.require(actor, "submission.invite_cosigner", submission)
    if organisation is None or organisation not in cosign_candidates(submission):
        raise ValidationError("organisation_id", _("Choose an organisation from the list."))
    cosignature = CoSignature(
        submission_id=submission.id, organisation_id=organisation.id, invited_by_id=actor.id,
        status="requested", created_at=utcnow(),
    )
    db.session.add(cosignature)
    record(actor, "submission.invite_cosigner", submission, public_id=submission.public_id,
           organisation=organisation.name)
    try:
        db.session.flush()  # the invitation's id is in the link its members are sent
        receipts.tell_invited(cosignature)
        db.session.commit()
    except IntegrityError:  # the same organisation invited twice at once
        db.session.rollback()
        raise ValidationError("organisation_id", _("This organisation has already been invited."))
    return cosignature


def confirm_cosign(actor, cosignature: CoSignature) -> None:
    """A verified member of the invited organisation confirms its co-signature."""
    permissions.require(actor, "submission.cosign", cosignature)
    if cosignature.submission.status not in ("pending", "published"):
        raise Conflict(_("This submission was withdrawn or hidden; it can no longer be co-signed."))
    cosignature.status = "confirmed"
    cosignature.user_id = actor.id
    cosignature.confirmed_at = utcnow()
    record(actor, "submission.cosign", cosignature.submission, public_id=cosignature.submission.public_id,
           organisation=cosignature.organisation.name)
    db.session.commit()


def organisation_by_id(organisation_id: int | None) -> Organisation | None:
    """The organisation with this id, or None."""
    if not organisation_id or not 0 < organisation_id < 2**31:
        return None
    return db.session.get(Organisation, organisation_id)
