"""The `flask aspirations` command group; each part of the package adds its own sub-command here."""

from __future__ import annotations

from flask.cli import AppGroup

from portal.aspirations.exports.cli import export_command

aspirations_cli = AppGroup("aspirations", help="Aspirations: themes, summaries, responses and exports.")
aspirations_cli.add_command(export_command)
