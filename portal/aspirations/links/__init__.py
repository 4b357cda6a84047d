"""Links from contributions to the positions and OPDs they concern: tagged by the author,
suggested by the portal, confirmed or removed by a moderator; and campaign membership.

`init_app` connects the receivers: when a contribution is published (by `admit` or by a
moderator), its suggestions and campaign are computed after the response has been sent
(`portal.after_response`); outside a request, at once in the sender's transaction.
"""

from __future__ import annotations

from functools import partial

from flask import Flask, has_request_context

from portal import after_response
from portal.contributions import concerns
from portal.contributions.signals import author_tagged, contribution_published


def init_app(app: Flask) -> None:
    """Listen to the contributions core (connecting twice changes nothing)."""
    contribution_published.connect(on_published)
    author_tagged.connect(on_author_tagged)
    concerns.register(shown_links)


def on_published(contribution, **_extra) -> None:
    """Suggest links and place the contribution in a campaign, after the response."""
    from portal.aspirations.links import services

    if has_request_context():
        after_response.call(partial(services.analyse_later, contribution.id))
    else:
        services.analyse(contribution)


def on_author_tagged(contribution, actor=None, values=(), **_extra) -> None:
    """Record the positions and OPDs the author chose."""
    from portal.aspirations.links import services

    if values:
        services.tag_by_author(actor, contribution, values)


def shown_links(ids: list[int]) -> dict:
    """The links shown on contributions: the author's and those a moderator confirmed."""
    from portal.aspirations.links import services

    return services.shown_links(ids)
