"""Position-record commands."""

from __future__ import annotations

from flask.cli import AppGroup

positions_cli = AppGroup("positions", help="Position records (jabatan).")
