"""What only the notification tests need: the mail sent, as (to, subject, body) triples."""

from __future__ import annotations

import pytest

from tests.mailbox import read_mailbox


@pytest.fixture
def mails(app):
    """mails() -> every mail sent so far as (to, subject, body), sorted."""

    def read() -> list[tuple[str, str, str]]:
        return sorted((m["To"], m["Subject"], m.get_content()) for m in read_mailbox(app))

    return read
