"""What the proposals package announces, for the packages above it to act on
(the forum gives each new policy its category) without proposals importing them."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent by create_policy after the new policy is flushed and before its one commit;
# sender: the Policy; keyword `actor`: who created it. Receivers add to the same transaction.
policy_created = _signals.signal("policy-created")
