"""What only the forum tests need: posts published at once, and a reader for the
interface's own texts. People, categories, threads and policies come from tests/conftest.py."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _publish_at_once(publish_at_once):
    """Most tests want posts published at once; pre-moderation tests set N themselves."""


def tr(msgid: str, **variables) -> str:
    """`msgid` as the interface language shows it (the tests read pages in the default language)."""
    from flask_babel import gettext

    return gettext(msgid, **variables)
