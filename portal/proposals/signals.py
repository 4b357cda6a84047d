"""What the proposals package announces, for the packages above it to act on
(the forum gives each new policy its category) without proposals importing them."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent by create_policy after the new policy is flushed and before its one commit;
# sender: the Policy; keyword `actor`: who created it. Receivers add to the same transaction.
policy_created = _signals.signal("policy-created")

# Sent by the version and diff pages to learn what each article of some versions cites ("you said,
# we did"); sender: the Policy, keyword `versions` (the PolicyVersions shown). Each receiver returns
# a dict: article key -> list of cited items (each with `kind`, `label`, `theme_id`, `contribution`,
# `outcome`, `version_number`), which the templates link to by endpoint name.
version_citations = _signals.signal("version-citations")
