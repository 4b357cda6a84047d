"""What the portal tells people about formal submissions: the receipt (tanda
terima) mailed to the author, and the invitation to co-sign told to the
invited organisation's verified members, in the portal and by mail.

Both only add to the current transaction: the mail goes after the commit.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal import links
from portal.contributions.urls import contribution_url
from portal.accounts.models import ORGANISATION_ROLES, User
from portal.extensions import db
from portal.i18n import format_local_datetime
from portal.contributions.models import STATUS_LABELS
from portal.notifications import services as notifications
from portal.submissions.models import CoSignature, Submission

notifications.register_kind(
    "submission_received", _l('Your submission "%(title)s" was received. Receipt number: %(public_id)s.')
)
notifications.register_kind(
    "cosign_invitation",
    _l('%(organisation)s invites your organisation to co-sign the submission %(public_id)s, "%(title)s".'),
)


def queue_receipt(author: User, submission: Submission) -> None:
    """Tell the author their receipt number in the portal, and mail the receipt with its details."""
    path = contribution_url(submission)
    notifications.notify(
        author, "submission_received", path, send_mail=False, public_id=submission.public_id, title=submission.title
    )
    if author.active and author.email:
        subject, body = _receipt(author, submission, links.absolute(path))
        notifications.queue_mail(author.email, subject, body)


def tell_invited(cosignature: CoSignature) -> int:
    """Notify every verified member of the invited organisation (in the portal and by mail); how many."""
    submission = cosignature.submission
    members = db.session.scalars(
        select(User)
        .where(
            User.organisation_id == cosignature.organisation_id,
            User.affiliation_verified_at.is_not(None),
            User.role.in_(ORGANISATION_ROLES),
            User.active.is_(True),
        )
        .order_by(User.id)
    ).all()
    inviting = submission.organisation.name if submission.organisation else submission.author.display_name
    path = links.path_for("submissions.cosign", cosignature_id=cosignature.id)
    for member in members:
        notifications.notify(
            member, "cosign_invitation", path,
            organisation=inviting, public_id=submission.public_id, title=submission.title,
        )
    return len(members)


def _receipt(author: User, submission: Submission, url: str) -> tuple[str, str]:
    """Subject and body of the receipt mail, in the author's language."""
    with force_locale(author.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("Receipt %(public_id)s: %(title)s", public_id=submission.public_id, title=submission.title)
        lines = [
            _("Hello %(name)s,", name=author.display_name),
            "",
            _("Your formal submission was received. Keep this receipt number: it identifies your input "
              "in the consultation and in the official answer."),
            "",
            _("Receipt number: %(public_id)s", public_id=submission.public_id),
            _("Title: %(title)s", title=submission.title),
            _("Policy: %(title)s", title=submission.policy.title if submission.policy else ""),
        ]
        if submission.organisation is not None:
            lines.append(_("On behalf of: %(name)s", name=submission.organisation.name))
        lines += [
            _("Received: %(when)s", when=format_local_datetime(submission.created_at)),
            _("Status: %(status)s", status=str(STATUS_LABELS.get(submission.status, submission.status))),
        ]
        if submission.attachments:
            lines += ["", _("Attachments (with their SHA-256 checksums):")]
            for attachment in submission.attachments:
                lines.append(f"- {attachment.display_name} ({attachment.type_label}, "
                             f"{attachment.size / 1024:.1f} KB) {attachment.sha256}")
        lines += ["", _("The receipt, its status and the official answer: %(url)s", url=url)]
    return subject, "\n".join(lines) + "\n"
