"""No link a request can poison: absolute links come from PORTAL_BASE_URL, and a request for a
Host the portal does not serve (TRUSTED_HOSTS) answers 400 without a link to that host."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal import create_app
from portal.extensions import db

from tests.mailbox import read_mailbox

ROOT = Path(__file__).resolve().parent.parent
# Ways Flask and Werkzeug build an absolute URL from the request's Host.
FROM_THE_REQUEST = re.compile(r"_external\s*=|\burl_root\b|\bhost_url\b|request\.host\b|request\.url\b")


def test_no_code_builds_a_link_from_the_request():
    offenders = []
    for path in [*(ROOT / "portal").rglob("*.py"), *(ROOT / "templates").rglob("*.html")]:
        if path == ROOT / "portal" / "links.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FROM_THE_REQUEST.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "build absolute links with portal.links: " + "; ".join(offenders)


@pytest.mark.parametrize("url", ["/", "/login", "/reset-password", "/register", "/no-such-page"])
def test_a_request_for_a_foreign_host_answers_400(client, url):
    # The browser's cookies (and its language choice) belong to the portal's host, not this one.
    response = client.get(url, headers={"Host": "evil.example"})

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Portal ini tidak melayani alamat yang Anda gunakan. Bukalah di http://127.0.0.1:5000." in page
    assert "evil.example" not in page
    assert "Content-Security-Policy" in response.headers


def test_a_poisoned_reset_request_mails_no_link_at_all(app, client, make_user):
    user = make_user()
    response = client.post("/reset-password", data={"email": user.email}, headers={"Host": "evil.example"})
    response.close()

    assert response.status_code == 400
    assert "evil.example" not in response.get_data(as_text=True)
    assert read_mailbox(app) == []


def test_a_poisoned_registration_mails_nothing(app, client, make_user):
    make_user(email="ani@example.org")
    for address in ("ani@example.org", "budi@example.org"):
        response = client.post("/register", headers={"Host": "evil.example:443"}, data={
            "email": address, "display_name": "Warga", "password": "sandi-cukup-panjang",
            "password2": "sandi-cukup-panjang", "role": "citizen", "consent": "y",
        })
        response.close()
        assert response.status_code == 400
    assert read_mailbox(app) == []


def test_a_forwarded_host_is_checked_too(app, _schema, tmp_path):
    behind_proxy = create_app(
        {"SQLALCHEMY_DATABASE_URI": _schema, "INSTANCE_PATH": str(tmp_path / "proxy"), "TRUSTED_PROXIES": 1},
        env="testing",
    )
    client = behind_proxy.test_client()
    try:
        assert client.get("/", headers={"X-Forwarded-Host": "evil.example"}).status_code == 400
        assert client.get("/", headers={"X-Forwarded-Host": "127.0.0.1:5000"}).status_code == 200
    finally:
        with behind_proxy.app_context():
            db.engine.dispose()  # its pooled connections to the shared test database


def test_a_served_host_other_than_the_base_still_gets_links_on_the_base(app, client, make_user):
    app.config["PORTAL_BASE_URL"] = "https://partisipasi.medan.example"
    user = make_user()

    client.post("/reset-password", data={"email": user.email}).close()  # the test client asks for localhost
    client.post("/register", data={
        "email": user.email, "display_name": "Warga", "password": "sandi-cukup-panjang",
        "password2": "sandi-cukup-panjang", "role": "citizen", "consent": "y",
    }).close()
    client.post("/register", data={
        "email": "baru@example.org", "display_name": "Warga", "password": "sandi-cukup-panjang",
        "password2": "sandi-cukup-panjang", "role": "citizen", "consent": "y",
    }).close()

    bodies = [message.get_content() for message in read_mailbox(app)]
    assert len(bodies) == 3
    links = [link for body in bodies for link in re.findall(r"https?://\S+", body)]
    assert len(links) == 4  # reset; sign in + reset for the owner; the confirmation
    assert all(link.startswith("https://partisipasi.medan.example/") for link in links), links


def test_development_serves_the_base_host_and_localhost(monkeypatch, tmp_path):
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    monkeypatch.setenv("PORTAL_BASE_URL", "http://portal.lan:8000")
    app = create_app({"INSTANCE_PATH": str(tmp_path / "dev")}, env="development")
    assert app.config["TRUSTED_HOSTS"] == ["portal.lan", "localhost", "127.0.0.1"]


@pytest.fixture
def production(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "k" * 16 + "3f9c2b7e1d4a8f6c0b5e9d2a7c4f1e8b")
    monkeypatch.setenv("PORTAL_BASE_URL", "https://partisipasi.medan.example")
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    return {"INSTANCE_PATH": str(tmp_path / "prod")}


def test_production_serves_only_the_base_host_by_default(production):
    app = create_app(production, env="production")
    assert app.config["TRUSTED_HOSTS"] == ["partisipasi.medan.example"]
    client = app.test_client()
    assert client.get("/privacy", base_url="https://partisipasi.medan.example").status_code == 200
    assert client.get("/privacy", base_url="https://localhost").status_code == 400


def test_production_reads_the_served_hosts_from_the_environment(production, monkeypatch):
    monkeypatch.setenv("TRUSTED_HOSTS", "partisipasi.medan.example, www.partisipasi.medan.example")
    app = create_app(production, env="production")
    assert app.config["TRUSTED_HOSTS"] == ["partisipasi.medan.example", "www.partisipasi.medan.example"]
    assert app.test_client().get("/privacy", base_url="https://www.partisipasi.medan.example").status_code == 200


def test_production_refuses_to_start_without_its_public_address(production, monkeypatch):
    monkeypatch.delenv("PORTAL_BASE_URL")
    with pytest.raises(RuntimeError, match="PORTAL_BASE_URL"):
        create_app(production, env="production")
