"""What the contributions core announces, for the packages above it to act on
(notifications tells the people concerned) without the core importing them."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent when a contribution becomes public for the first time: by `admit` when it needs no
# review, by moderation when a moderator approves it. Sender: the Contribution. Receivers
# add to the same transaction; the sender commits.
contribution_published = _signals.signal("contribution-published")

# Sent by the views that take a new contribution with what its author says it concerns (form
# values "position:ID" / "opd:ID"), after the contribution is committed. Sender: the
# Contribution; keyword `actor` (the author) and `values`. Receivers commit their own rows.
author_tagged = _signals.signal("author-tagged")
