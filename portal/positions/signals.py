"""What the positions package asks of the packages above it, without importing
them: the policy-position link is owned by `proposals`, which answers here."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent by `services.policies_for` to gather what is linked to a position; sender: the Position,
# keyword `actor`: who looks. Each receiver returns a list of the policies `actor` may see.
linked_policies = _signals.signal("linked-policies")

# Sent by `services.update_position` after it recorded the changed fields, before the commit;
# sender: the Position, keywords `changes` (the new PositionChange rows, flushed) and `cites` (what the
# caller said motivated them, e.g. theme ids). A receiver stores its part in the same transaction.
position_changed = _signals.signal("position-changed")
# Sent by the edit form to list what a change may cite; sender: the Position. Each receiver returns a
# list of (id, label) pairs.
citable = _signals.signal("position-citable")
