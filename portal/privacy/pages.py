"""Page builders of the data-rights pages: what each page shows, in bounded queries."""

from __future__ import annotations

from itertools import islice
from typing import Any

from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.privacy import services

PER_SECTION = 50
SECTION_NAMES = {
    "profile": _l("Profile"), "consents": _l("Privacy consents"), "contributions": _l("Contributions and their history"),
    "flags": _l("Reports I made"), "appeals": _l("Appeals"), "endorsements": _l("\"I agree\" given"),
    "notifications": _l("Notifications"), "follows": _l("What I follow"), "sessions": _l("Sign-ins"),
    "audit_entries": _l("Audit log entries about me"),
}


def data_page(actor, user: User, page: int = 1) -> dict[str, Any]:
    """The readable page of everything held: each list section paged, PER_SECTION items a page."""
    services._require_subject(actor, user)
    page = max(1, page)
    shown, more = [], False
    for name, value in services.sections(user):
        if isinstance(value, (dict, list)):
            items = value if page == 1 else ([] if isinstance(value, list) else value)
        else:
            items = list(islice(value, (page - 1) * PER_SECTION, page * PER_SECTION + 1))
            more = more or len(items) > PER_SECTION
            items = items[:PER_SECTION]
        shown.append((name, items))
    return {"section_names": SECTION_NAMES, "user": user, "sections": shown, "page": page, "has_next": more}
