"""What moderation announces, for the packages above it to act on (notifications
tells the author) without moderation importing them.

Every signal's sender is the Contribution; it is sent inside the moderator's
transaction, before its one commit, so receivers add to that transaction.
A contribution a moderator publishes for the first time also sends
`portal.contributions.signals.contribution_published`.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# A waiting contribution was approved and is now public.
contribution_approved = _signals.signal("contribution-approved")
# A contribution was hidden; keyword `reason`: a key of HIDE_REASONS.
contribution_hidden = _signals.signal("contribution-hidden")
# A hidden contribution is public again (restored, or its appeal upheld).
contribution_restored = _signals.signal("contribution-restored")
# The author's appeal was rejected; the contribution stays hidden.
appeal_rejected = _signals.signal("appeal-rejected")
