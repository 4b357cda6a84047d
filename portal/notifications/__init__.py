"""Notifications: what the portal tells a user (in the portal and by mail)
about their contributions and about policies and threads they follow."""
