"""Headers, cookies and production settings a careful operator expects."""

from __future__ import annotations

import pytest

from portal import create_app

from tests.conftest import PASSWORD

STRONG_KEY = "k" * 16 + "3f9c2b7e1d4a8f6c0b5e9d2a7c4f1e8b"


def _csp_is_strict(response) -> bool:
    csp = response.headers.get("Content-Security-Policy", "")
    return "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp


def test_every_page_carries_a_strict_csp(client, make_user, login_as):
    public = ["/", "/privacy", "/login", "/register", "/reset-password", "/no-such-page", "/admin/accounts/"]
    for url in public:
        response = client.get(url)
        assert _csp_is_strict(response), url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url

    assert _csp_is_strict(client.post("/login", data={"email": "a@b.org", "password": "x"}))
    assert _csp_is_strict(client.post("/login", data={}, csrf=False))

    login_as(make_user(role="admin"))
    for url in ("/account", "/admin/accounts/", "/admin/audit/", "/admin/accounts/999999"):
        assert _csp_is_strict(client.get(url)), url


def test_pages_carry_no_inline_script_or_style(client, make_user, login_as):
    login_as(make_user(role="admin", organisation=None))
    for url in ("/", "/privacy", "/account", "/admin/accounts/", "/admin/audit/"):
        body = client.get(url).get_data(as_text=True)
        assert "<script" not in body and " style=" not in body, url


def test_session_cookie_is_httponly_and_samesite(client):
    response = client.get("/login")
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie


def test_remember_cookie_is_httponly(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    remember = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token="))
    assert "HttpOnly" in remember


@pytest.fixture
def production_env(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("PORTAL_INSTANCE_PATH", raising=False)
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    monkeypatch.setenv("PORTAL_BASE_URL", "https://portal.example")
    return {"INSTANCE_PATH": str(tmp_path / "prod-instance")}


@pytest.mark.parametrize("key", [None, "", "changeme", "short-key"])
def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch, production_env, key):
    if key is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(production_env, env="production")


def test_production_sets_secure_cookies_and_hsts(monkeypatch, production_env):
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)
    app = create_app(production_env, env="production")

    assert app.config["SECRET_KEY"] == STRONG_KEY
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    response = app.test_client().get("/privacy", base_url="https://portal.example")
    session_cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in session_cookie and "HttpOnly" in session_cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert _csp_is_strict(response)


def test_production_keeps_no_secret_key_file(monkeypatch, production_env):
    from pathlib import Path

    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)
    create_app(production_env, env="production")
    assert not (Path(production_env["INSTANCE_PATH"]) / "secret_key").exists()
