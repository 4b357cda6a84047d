"""What the positions package asks of the packages above it, without importing
them: the policy-position link is owned by `proposals`, which answers here."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent by `services.policies_for` to gather what is linked to a position; sender: the Position,
# keyword `actor`: who looks. Each receiver returns a list of the policies `actor` may see.
linked_policies = _signals.signal("linked-policies")
