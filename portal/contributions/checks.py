"""The checks every service applies to text a person types (a title, a body, a
note) before it is stored, and the slugs made from titles.

One module, so that a comment, a submission, a forum post and a policy refuse
the same input with the same message. The text is returned exactly as written
(only `strip=True` trims it): `portal.text` renders it, nothing here changes it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Callable

from flask_babel import gettext as _
from sqlalchemy import select

from portal.contributions.models import Contribution
from portal.errors import ValidationError
from portal.extensions import db


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


def refuse_repeat(
    actor, kind: str, body: str, message: Callable[[Contribution], str], title: str | None = None,
) -> None:
    """Refuse the same text twice in a row by one author (a double click, a resent form).

    Compares with the author's last contribution of `kind` that is not
    withdrawn (body trimmed, and `title` when the kind has one); `message`
    says what was refused, given that last contribution.
    """
    last = db.session.scalar(
        select(Contribution)
        .where(Contribution.author_id == actor.id, Contribution.kind == kind)
        .order_by(Contribution.id.desc())
        .limit(1)
    )
    if last is None or last.status == "withdrawn" or (last.body or "").strip() != body.strip():
        return
    if title is not None and getattr(last, "title", None) != title:
        return
    raise ValidationError("body", message(last))


def slugify(text: str, limit: int, fallback: str) -> str:
    """A URL slug of `text`: lower-case ASCII letters, digits and hyphens, at most `limit` long
    (`fallback` when nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].strip("-") or fallback
