"""Accounts: users, roles, organisations, sign-in, password reset, consent."""
