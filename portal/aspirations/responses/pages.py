"""What the answer pages show, each gathered by one builder in a bounded number of queries:
the answer form of one contribution, and a policy's accountability page (the counts of the
three rights, and for officials a page of what is still unanswered)."""

from __future__ import annotations

from dataclasses import dataclass

from portal import permissions
from portal.aspirations.responses import services
from portal.aspirations.responses.models import Response
from portal.contributions.models import Contribution
from portal.proposals.models import Policy


@dataclass
class AnswerPage:
    """One contribution, its answer if it has one, and the form."""

    contribution: Contribution
    response: Response | None
    form: object


def answer_page(viewer, contribution: Contribution, form, existing) -> AnswerPage:
    """The answer form of `contribution`, whose answer so far is `existing` (officials; the caller has checked)."""
    return AnswerPage(contribution, existing, form)


@dataclass
class AccountabilityPage:
    """A policy's counts, and for officials a page of its unanswered contributions."""

    policy: Policy
    counts: services.Accountability
    unanswered: object | None  # a pagination of Contributions, officials only
    answers: dict  # contribution id -> Response for the shown items (none: unanswered)


def accountability_page(viewer, policy: Policy, page: int = 1) -> AccountabilityPage:
    """The public accountability page of `policy`, with the overdue list for officials."""
    counts = services.accountability(policy)
    unanswered = None
    if permissions.can(viewer, "response.list_overdue", policy):
        unanswered = services.unanswered(viewer, policy, page=page)
    return AccountabilityPage(policy, counts, unanswered, {})
