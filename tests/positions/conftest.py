"""What only the position tests need: commands that speak English. OPDs, positions and the
admin come from tests/conftest.py."""

from __future__ import annotations

import pytest


@pytest.fixture
def english_cli(app):
    """Commands speak the portal's default language; switch it to English for assertions on their text."""
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    return app
