"""Hooks other packages register into.

`citation_checks`: functions that say a contribution is cited by an official response or a
published summary; such a contribution stays in the record (anonymised) when its author asks
for their contributions to be removed. Packages below `privacy` in the import layers register
through the app factory (portal/__init__.py), which may import every package.
"""

from __future__ import annotations

from typing import Callable

from portal.contributions.models import Contribution

citation_checks: list[Callable[[Contribution], bool]] = []


def register_citation_check(check: Callable[[Contribution], bool]) -> Callable[[Contribution], bool]:
    """Add a check (usable as a decorator); a contribution any check answers True for is cited."""
    if check not in citation_checks:
        citation_checks.append(check)
    return check


def is_cited(contribution: Contribution) -> bool:
    """Whether an official response or a published summary cites `contribution`."""
    return any(check(contribution) for check in citation_checks)
