"""The citations page of one version: its changed articles, what may be cited, what is cited."""

from __future__ import annotations

from dataclasses import dataclass

from portal.aspirations.citations import services
from portal.proposals.models import PolicyVersion


@dataclass
class CitePage:
    version: PolicyVersion
    changes: list
    themes: list
    responses: list
    chosen: dict  # article key -> set of tokens


def cite_page(version: PolicyVersion, chosen: dict | None = None) -> CitePage:
    """The form's content; `chosen` (what was just sent) replaces what is stored."""
    themes, responses = services.citable(version.policy)
    return CitePage(version, services.changed_articles(version), themes, responses,
                    chosen if chosen is not None else services.chosen(version))
