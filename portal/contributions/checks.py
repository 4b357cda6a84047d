"""The checks every service applies to text a person types (a title, a body, a
note) before it is stored, and the slugs made from titles.

One module, so that a comment, a submission, a forum post and a policy refuse
the same input with the same message. The text is returned exactly as written
(only `strip=True` trims it): `portal.text` renders it, nothing here changes it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from typing import Callable

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy import text as sql

from portal.contributions.models import Contribution
from portal.errors import ValidationError
from portal.extensions import db, utcnow


def refuse_nul(field: str, value: str) -> None:
    """Refuse NUL: PostgreSQL cannot store it in text, so both backends refuse it alike."""
    if "\x00" in value:
        raise ValidationError(field, _("The text contains a character that cannot be stored (NUL)."))


def clean_text(
    field: str, value: str | None, limit: int, *, required: str | None = None,
    strip: bool = False, too_long: str | None = None,
) -> str:
    """`value` if it fits in `limit` characters and holds no NUL.

    `required` is the message when it may not be blank (a blank optional text
    comes back as ""); `strip` trims it first (one-line fields, notes);
    `too_long` replaces the generic "at most n characters" message.
    """
    value = value or ""
    if strip:
        value = value.strip()
    if not value.strip():
        if required:
            raise ValidationError(field, required)
        return ""
    if len(value) > limit:
        raise ValidationError(field, too_long or _("The text may be at most %(n)d characters.", n=limit))
    refuse_nul(field, value)
    return value


# A resend of the same form within this many seconds is the same contribution, answered again: the
# browser (or the load balancer, retrying a request whose answer was cut) sends it a second time
# without knowing whether the first was saved.
REPLAY_SECONDS = 600
# pg_advisory_xact_lock(namespace, author id): one contribution at a time per author on PostgreSQL.
_AUTHOR_LOCK = 7301


def refuse_repeat(
    actor, kind: str, body: str, message: Callable[[Contribution], str], title: str | None = None,
    same_place: Callable[[Contribution], bool] | None = None,
) -> Contribution | None:
    """Refuse the same text twice in a row by one author (a double click, a resent form).

    Compares with the author's last contribution of `kind` that is not
    withdrawn (body trimmed, and `title` when the kind has one); `message`
    says what was refused, given that last contribution. When `same_place`
    says the last one went where this one goes and it is at most REPLAY_SECONDS
    old, the new one is a resend of the same form: that contribution is returned
    (saved once, answered as a success) instead of refused; None when no repeat.
    On PostgreSQL the author's contributions are taken one at a time (an advisory
    lock held until the caller commits), so two copies sent at once are a repeat too.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sql("SELECT pg_advisory_xact_lock(:space, :author)"),
                           {"space": _AUTHOR_LOCK, "author": actor.id})
    last = db.session.scalar(
        select(Contribution)
        .where(Contribution.author_id == actor.id, Contribution.kind == kind)
        .order_by(Contribution.id.desc())
        .limit(1)
    )
    if last is None or last.status == "withdrawn" or (last.body or "").strip() != body.strip():
        return None
    if title is not None and getattr(last, "title", None) != title:
        return None
    if (same_place is not None and last.status in ("published", "pending") and same_place(last)
            and last.created_at >= utcnow() - timedelta(seconds=REPLAY_SECONDS)):
        return last
    raise ValidationError("body", message(last))


def slugify(text: str, limit: int, fallback: str) -> str:
    """A URL slug of `text`: lower-case ASCII letters, digits and hyphens, at most `limit` long
    (`fallback` when nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].strip("-") or fallback
