"""The append-only audit log of every official, admin and moderation action."""
