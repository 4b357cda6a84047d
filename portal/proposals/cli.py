"""Draft-policy commands."""

from __future__ import annotations

from flask.cli import AppGroup

policies_cli = AppGroup("policies", help="Draft policies.")
