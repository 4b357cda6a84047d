"""The contributions core: what comments, formal submissions and forum posts
share. It owns the `Contribution` base (public id, status, author snapshot),
its status history, flags and appeals, admission (pre-moderation and the word
filter), who may see what, where a contribution is shown (`urls`) and the
checks every typed text passes (`checks`).

It imports no feature package; the packages above build on it and listen to
what it announces (`signals`)."""
