"""`flask aspirations ...`: one group; each part adds its command from its own module, one line each."""

from __future__ import annotations

from flask.cli import AppGroup

from portal.aspirations.exports.cli import export_command
from portal.aspirations.links.cli import suggest_links_command
from portal.aspirations.summaries.cli import summarize_command
from portal.aspirations.themes.cli import evaluate_command

aspirations_cli = AppGroup("aspirations", help="Aspirations: themes, summaries, responses, exports.")

aspirations_cli.add_command(suggest_links_command)
aspirations_cli.add_command(export_command)
aspirations_cli.add_command(evaluate_command)
aspirations_cli.add_command(summarize_command)
