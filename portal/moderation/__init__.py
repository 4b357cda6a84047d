"""Moderation: the one system that comments, formal submissions and forum
posts share. It owns the `Contribution` base (public id, status, author
snapshot), its status history, flags, appeals, the word filter, the
moderation queue and account suspensions."""
