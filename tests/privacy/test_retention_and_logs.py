"""Retention (`flask privacy purge`) and logs that hold no password, token or one-time link."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from pathlib import Path

from portal.accounts.models import User, UserSession
from portal.extensions import db, utcnow
from tests.conftest import PASSWORD
from tests.mailbox import latest_mail_to

OLD = '203.0.113.57 - - [02/Jan/2020:10:00:00 +0000] "GET /forum HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux) Chromium/120"\n'
NEW_TIME = utcnow().strftime("%d/%b/%Y:%H:%M:%S +0000")
NEW = f'198.51.100.9 - - [{NEW_TIME}] "GET / HTTP/1.1" 200 512 "-" "Firefox/130"\n'


def test_purge_truncates_old_addresses_and_agents_and_prints_what_it_did(app, runner, tmp_path, make_user):
    log = tmp_path / "access.log"
    log.write_text(OLD + NEW + "2020-01-02 10:00:00 login from 2001:db8:85a3::8a2e:370:7334\n")
    app.config["PRIVACY_LOG_FILES"] = (str(log), str(tmp_path / "missing.log"))
    user = make_user()
    db.session.add(UserSession(token_hash="x" * 64, user_id=user.id, created_at=utcnow() - timedelta(days=200),
                               expires_at=utcnow() - timedelta(days=199)))
    db.session.commit()
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert f"log {log}: 2" in result.output and "missing, skipped" in result.output
    assert "ended sessions: 1" in result.output
    lines = log.read_text().splitlines()
    assert lines[0].startswith("203.113.0.0 ") is False and lines[0].startswith("203.0.0.0 ")
    assert "Chromium" not in lines[0] and lines[0].endswith('"-"')
    assert lines[1] == NEW.rstrip("\n"), "recent lines stay as they are"
    assert "8a2e" not in lines[2] and "2001:db8::" in lines[2]


def test_purge_refuses_a_negative_period(runner):
    result = runner.invoke(args=["privacy", "purge", "--days", "-1"])
    assert result.exit_code != 0


def test_no_log_line_holds_a_password_token_or_link(app, client, sign_in, make_user, caplog):
    caplog.set_level(logging.DEBUG)
    secrets_seen: list[str] = [PASSWORD]
    # registration
    client.post("/register", data={"email": "baru@example.org", "display_name": "Warga Baru", "password": PASSWORD,
                                   "password2": PASSWORD, "role": "citizen", "consent": "y"}).close()
    link = re.search(r"https?://\S+", latest_mail_to(app, "baru@example.org").get_content()).group(0)
    secrets_seen.append(link)
    path = link.split("://", 1)[1].split("/", 1)[1]
    client.post("/" + path, data={"password": PASSWORD}).close()
    # sign-in, password reset
    user = make_user(email="lupa@example.org")
    sign_in(user)
    client.post("/logout").close()
    client.post("/reset-password", data={"email": "lupa@example.org"}).close()
    reset = re.search(r"https?://\S+", latest_mail_to(app, "lupa@example.org").get_content()).group(0)
    secrets_seen.append(reset)
    new_password = "sandi-baru-yang-panjang-9"
    secrets_seen.append(new_password)
    client.post("/" + reset.split("://", 1)[1].split("/", 1)[1], data={"password": new_password, "password2": new_password}).close()
    # e-mail change and deletion
    sign_in(user, password=new_password)
    client.post("/account/privacy/profile", data={"new_email": "pindah@example.org", "current_password": new_password}).close()
    change = re.search(r"https?://\S+", latest_mail_to(app, "pindah@example.org").get_content()).group(0)
    secrets_seen.append(change)
    client.post("/" + change.split("://", 1)[1].split("/", 1)[1]).close()
    client.post("/account/privacy/delete", data={"choice": "anonymous", "password": new_password, "understood": "y"}).close()
    assert db.session.get(User, user.id).display_name == "warga anonim"
    # what a server's request log would write for those links
    for secret_link in secrets_seen[1:]:
        if secret_link.startswith("http"):
            logging.getLogger("werkzeug").info('127.0.0.1 - - "%s" 200 -', "GET /" + secret_link.split("://", 1)[1].split("/", 1)[1])
    tokens = [s.rstrip("/").rsplit("/", 1)[1] for s in secrets_seen if s.startswith("http")]
    logs = caplog.text + "".join(p.read_text(errors="replace") for p in Path(app.instance_path).rglob("*.log"))
    for secret in secrets_seen + tokens:
        assert secret not in logs, secret
    assert "[redacted]" in logs
