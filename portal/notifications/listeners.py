"""What notifications does when the packages below it announce something:
tell the author what a moderator decided, and tell the people answered and
the followers that a contribution was published.

Connected once by `portal.notifications.init_app`; every receiver adds to the
sender's transaction, which the sender commits.
"""

from __future__ import annotations

from portal.contributions.models import Contribution
from portal.contributions.signals import contribution_published
from portal.contributions.urls import contribution_url, status_path
from portal.moderation import signals as moderation
from portal.notifications.services import notify, notify_followers


def connect() -> None:
    """Listen to the contributions core and to moderation (connecting twice changes nothing)."""
    contribution_published.connect(announce)
    moderation.contribution_approved.connect(tell_approved)
    moderation.contribution_hidden.connect(tell_hidden)
    moderation.contribution_restored.connect(tell_restored)
    moderation.appeal_rejected.connect(tell_appeal_rejected)


def announce(contribution: Contribution, **_extra) -> None:
    """Tell the author of what it answers, and the followers of its policy or thread, that it was published."""
    told = [contribution.author]
    answered = contribution.replied_to()
    if answered is not None and answered.author_id != contribution.author_id and answered.author is not None:
        notify(answered.author, "reply", contribution_url(contribution), public_id=answered.public_id)
        told.append(answered.author)  # one notice for one event, even if they follow the thread too
    target = contribution.follow_target()
    if target is not None:
        target_type, target_id, title = target
        notify_followers(
            target_type, target_id, "new_activity", contribution_url(contribution), exclude=told, title=title,
        )


def tell_approved(contribution: Contribution, **_extra) -> None:
    """The author hears that a moderator published their contribution."""
    _tell_author(contribution, "contribution_published")


def tell_hidden(contribution: Contribution, reason: str, **_extra) -> None:
    """The author hears that their contribution was hidden, and why."""
    _tell_author(contribution, "contribution_hidden", reason=reason)


def tell_restored(contribution: Contribution, **_extra) -> None:
    """The author hears that their contribution is public again."""
    _tell_author(contribution, "contribution_restored")


def tell_appeal_rejected(contribution: Contribution, **_extra) -> None:
    """The author hears that their appeal was rejected."""
    _tell_author(contribution, "appeal_rejected")


def _tell_author(contribution: Contribution, kind: str, **params) -> None:
    author = contribution.author
    if author is not None:
        notify(author, kind, status_path(contribution), public_id=contribution.public_id, **params)
