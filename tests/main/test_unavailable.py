"""When the database or Redis does not answer, a request fails cleanly: 503, a page in the
reader's language that says to send again, and a Retry-After header; nothing typed is lost."""

from __future__ import annotations

import socket

import pytest
from flask import request_finished

from portal import create_app
from portal.extensions import db
from tests.conftest import PASSWORD, CsrfClient, text_of


def _closed_port() -> int:
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def app_with(tmp_path, _schema):
    """app_with(**settings) -> a test client of a second app whose settings point somewhere."""
    apps = []

    def factory(**settings):
        other = create_app(
            {"SQLALCHEMY_DATABASE_URI": _schema, "INSTANCE_PATH": str(tmp_path / "other"), **settings},
            env="testing",
        )
        other.test_client_class = CsrfClient
        apps.append(other)
        return other.test_client()

    yield factory
    for other in apps:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def _database_down(kind: str, tmp_path) -> str:
    if kind == "sqlite":  # a file in a folder that does not exist cannot be opened
        return "sqlite:///" + str(tmp_path / "missing" / "folder" / "portal.db")
    return f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/portal?connect_timeout=2"


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_database_down_answers_503_in_indonesian_with_retry_after(app_with, tmp_path, kind):
    client = app_with(SQLALCHEMY_DATABASE_URI=_database_down(kind, tmp_path))

    response = client.get("/policies/")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = text_of(response)
    assert "Portal sedang tidak tersedia sebentar" in page
    assert "kirim lagi" in page
    assert "Coba lagi dalam 5 detik" in page


def test_a_read_that_meets_the_database_coming_back_is_answered_not_refused(app_with, tmp_path):
    # The database's folder appears (a restart ending) once the first attempt met it missing: the
    # read, tried again half a second later (UNAVAILABLE_RETRY_SECONDS), gets its page, not the 503 page.
    ready = tmp_path / "ready" / "folder"
    ready.mkdir(parents=True)
    builder = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(ready / "portal.db"),
                          "INSTANCE_PATH": str(tmp_path / "builder")}, env="testing")
    with builder.app_context():
        db.create_all()
        db.engine.dispose()
    client = app_with(SQLALCHEMY_DATABASE_URI=_database_down("sqlite", tmp_path), UNAVAILABLE_RETRY_SECONDS=10)
    attempts = []

    def comes_back(sender, response, **extra):  # after the first attempt met the database down
        attempts.append(response.status_code)
        if len(attempts) == 1:
            (tmp_path / "ready").rename(tmp_path / "missing")

    request_finished.connect(comes_back, client.application)
    response = client.get("/policies/")

    assert attempts == [503, 200]
    assert response.status_code == 200
    assert "Portal sedang tidak tersedia sebentar" not in text_of(response)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_database_down_page_is_english_when_chosen_and_keeps_what_was_typed(app_with, tmp_path, kind):
    client = app_with(SQLALCHEMY_DATABASE_URI=_database_down(kind, tmp_path), WTF_CSRF_ENABLED=False)
    with client.session_transaction() as session:
        session["lang"] = "en"

    response = client.post("/login", data={"email": "warga@example.id", "password": "rahasia-panjang"})

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = text_of(response)
    assert "The portal is briefly unavailable" in page
    assert "send it again" in page
    assert "warga@example.id" in page  # shown back, so nothing typed is lost
    assert "rahasia-panjang" not in page  # never a password


def test_redis_down_answers_503_at_sign_in(app_with, citizen):
    client = app_with(REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0", WTF_CSRF_ENABLED=False)

    response = client.post("/login", data={"email": citizen.email, "password": PASSWORD})

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "Portal sedang tidak tersedia sebentar" in text_of(response)
    assert citizen.email in text_of(response)
