"""Two-factor sign-in: staff cannot use a staff page before they enrol, a stolen password alone
does not sign in, codes and recovery codes work once, code attempts are limited, changes to how
one signs in ask for a recent confirmation, and an admin reset is in the audit log."""

from __future__ import annotations

import logging
import re
import time

import pyotp
import pytest
from sqlalchemy import select

from portal.accounts import sessions
from portal.accounts.auth import AUTHENTICATED_AT
from portal.extensions import db
from portal.twofactor import services as twofactor
from portal.twofactor.models import RecoveryCode, TotpCredential
from tests.conftest import PASSWORD, audit_entries, enrol_second_factor, naughty_texts, text_of


def _password_step(browser, user, password=PASSWORD, **extra):
    return browser.post("/login", data={"email": user.email, "password": password, **extra})


def _secret(user) -> str:
    return twofactor._decrypt(twofactor.credential_for(user).secret_encrypted)


def _code(user, offset_steps: int = 0) -> str:
    totp = pyotp.TOTP(_secret(user))
    return totp.at(time.time() + offset_steps * totp.interval)


def _new_step(user) -> None:
    """As if the next half-minute had come: the last used step is forgotten."""
    twofactor.credential_for(user).last_step = None
    db.session.commit()


def _enrol_through_the_page(browser) -> list[str]:
    page = browser.get("/account/two-factor/setup")
    assert page.status_code == 200
    secret = re.search(r'<code class="secret" translate="no">([A-Z2-7 ]+)</code>', page.get_data(as_text=True))
    assert secret, "the secret is on the page for typing by hand"
    response = browser.post("/account/two-factor/setup",
                            data={"code": pyotp.TOTP(secret.group(1).replace(" ", "")).now()})
    assert response.status_code == 200
    codes = re.findall(r'<li><code translate="no">([a-z2-9]{5}-[a-z2-9]{5})</code></li>', response.get_data(as_text=True))
    assert len(codes) == 10
    return codes


# --- staff must enrol ----------------------------------------------------------------------

@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_staff_reach_only_the_enrolment_page_until_they_enrol(client, make_user, role):
    user = make_user(role=role)
    assert _password_step(client, user).status_code == 302  # no second factor yet: the password signs in
    for path in ("/moderation/", "/account", "/", "/admin/accounts/", "/account/two-factor", "/policies/new"):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["Location"] == "/account/two-factor/setup", path
    # A form sent before enrolment goes to the enrolment page too, and does nothing.
    assert client.post("/logout").status_code == 302  # signing out is allowed
    assert _password_step(client, user).status_code == 302
    assert client.post("/account/sessions/end-others").headers["Location"] == "/account/two-factor/setup"

    codes = _enrol_through_the_page(client)
    assert len(set(codes)) == 10
    assert client.get("/moderation/").status_code == 200
    assert twofactor.is_enrolled(user)


def test_a_citizen_may_go_without_a_second_factor(client, citizen, sign_in):
    sign_in(citizen)
    assert client.get("/account").status_code == 200
    assert "Masuk dua langkah" in text_of(client.get("/account/two-factor"))


def test_the_enrolment_page_draws_the_qr_code_itself_and_shows_the_secret(client, make_user, sign_in):
    user = make_user()
    sign_in(user, lang="en")
    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    assert '<svg role="img"' in page and "<title>QR code for your authenticator app</title>" in page
    assert "<script" not in page.split("</header>", 1)[-1].split("<footer", 1)[0]
    assert not re.search(r'src="https?://', page), "nothing comes from another site"
    secret = _secret(user)
    assert twofactor.format_secret(secret) in page
    stored = db.session.scalar(select(TotpCredential.secret_encrypted).where(TotpCredential.user_id == user.id))
    assert secret not in stored, "the secret is kept encrypted"
    # Reloading shows the same secret until it is confirmed.
    assert twofactor.format_secret(secret) in client.get("/account/two-factor/setup").get_data(as_text=True)


# --- the code after the password -------------------------------------------------------------

def test_a_stolen_password_alone_does_not_sign_in(client, moderator):
    enrol_second_factor(moderator)
    response = _password_step(client, moderator)
    assert response.status_code == 302 and response.headers["Location"] == "/login/code"
    assert sessions.count(moderator.id) == 0, "no session is open on the server"
    for path in ("/moderation/", "/account", "/admin/accounts/"):
        assert client.get(path).headers["Location"].startswith("/login"), path
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_the_right_code_signs_in_and_goes_where_the_reader_was(client, moderator):
    enrol_second_factor(moderator)
    _new_step(moderator)
    client.post("/login?next=/moderation/", data={"email": moderator.email, "password": PASSWORD})
    response = client.post("/login/code", data={"code": _code(moderator)})
    assert response.status_code == 302 and response.headers["Location"] == "/moderation/"
    assert client.get("/moderation/").status_code == 200
    assert sessions.count(moderator.id) == 1


def test_a_code_works_once(client, app, moderator):
    enrol_second_factor(moderator)
    _new_step(moderator)
    code = _code(moderator)
    _password_step(client, moderator)
    assert client.post("/login/code", data={"code": code}).status_code == 302

    other = app.test_client()  # someone who saw the code and knows the password
    _password_step(other, moderator)
    replayed = other.post("/login/code", data={"code": code})
    assert replayed.status_code == 400
    assert "sudah pernah dipakai" in text_of(replayed)
    assert other.get("/account").status_code == 302
    # Nor does a code of an earlier half-minute.
    assert other.post("/login/code", data={"code": _code(moderator, -1)}).status_code == 400


def test_wrong_malformed_and_naughty_codes_are_refused_in_the_readers_language(client, moderator, blns):
    enrol_second_factor(moderator)
    _password_step(client, moderator)
    wrong = client.post("/login/code", data={"code": "000000" if _code(moderator) != "000000" else "111111"})
    assert wrong.status_code == 400 and "Kode salah" in text_of(wrong)
    malformed = client.post("/login/code", data={"code": "12345"})
    assert malformed.status_code == 400 and "kode 6 digit" in text_of(malformed)
    assert client.post("/login/code", data={"code": ""}).status_code == 400
    assert client.post("/login/code", data={"code": "1" * 10_000}).status_code == 400
    assert client.post("/login/code", data={}).status_code == 400
    for text in naughty_texts(blns)[:120] + ["１２３４５６", "٠١٢٣٤٥", "12 34 56\x00", "<script>alert(1)</script>"]:
        response = client.post("/login/code", data={"code": text})
        assert response.status_code == 400, repr(text)
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302, "nothing signed in"
    assert client.post("/login/code", data={"code": "000000"}, csrf=False).status_code == 400


def test_the_code_page_without_a_password_first_sends_to_the_login_page(client):
    assert client.get("/login/code").headers["Location"] == "/login"
    assert client.post("/login/code", data={"code": "123456"}).headers["Location"] == "/login"


def test_a_waiting_code_step_expires(client, moderator):
    enrol_second_factor(moderator)
    _new_step(moderator)
    _password_step(client, moderator)
    with client.session_transaction() as session:
        pending = dict(session["twofactor_pending"])
        pending["at"] -= 3600
        session["twofactor_pending"] = pending
    assert client.post("/login/code", data={"code": _code(moderator)}).headers["Location"] == "/login"


def test_a_password_change_ends_a_waiting_code_step(client, moderator):
    from portal.accounts.auth import hash_password

    enrol_second_factor(moderator)
    _new_step(moderator)
    _password_step(client, moderator)
    moderator.password_hash = hash_password("kata-sandi-yang-lain-99")
    db.session.commit()
    assert client.post("/login/code", data={"code": _code(moderator)}).headers["Location"] == "/login"


def test_too_many_code_attempts_answer_429_per_address_and_per_account(limited_client, make_user):
    browser = limited_client(TWO_FACTOR_RATE_LIMIT="3 per minute", LOGIN_RATE_LIMIT="100 per minute")
    user = make_user(role="moderator")
    enrol_second_factor(user)  # inside the limited app: its own SECRET_KEY
    browser.post("/login", data={"email": user.email, "password": PASSWORD})
    for _attempt in range(3):
        assert browser.post("/login/code", data={"code": "000001"}).status_code == 400
    refused = browser.post("/login/code", data={"code": "000001"})
    assert refused.status_code == 429
    assert '<html lang="id">' in refused.get_data(as_text=True)
    # From another address the same account is still refused: the limit is per account too.
    from_elsewhere = type(browser)(browser.application, browser.response_wrapper, use_cookies=True)
    from_elsewhere.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    from_elsewhere.post("/login", data={"email": user.email, "password": PASSWORD})
    _new_step(user)
    assert from_elsewhere.post("/login/code", data={"code": _code(user)}).status_code == 429
    assert from_elsewhere.get("/account").status_code == 302


# --- recovery codes --------------------------------------------------------------------------

def test_each_recovery_code_works_once(client, app, moderator):
    codes = enrol_second_factor(moderator)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = list(db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == moderator.id)))
    assert len(stored) == 10 and not any(code.replace("-", "") in h or code in h for code in codes for h in stored)

    _password_step(client, moderator)
    response = client.post("/login/code", data={"code": codes[0]})
    assert response.status_code == 302
    assert "9" in text_of(client.get("/account/two-factor"))
    client.post("/logout")

    _password_step(client, moderator)
    again = client.post("/login/code", data={"code": codes[0]})
    assert again.status_code == 400 and "sudah pernah dipakai" in text_of(again)
    # Typed in capitals and without the hyphen, the next one works.
    assert client.post("/login/code", data={"code": codes[1].upper().replace("-", " ")}).status_code == 302
    assert twofactor.recovery_codes_left(moderator) == 8
    assert len(audit_entries("twofactor.recovery_used")) == 2


def test_new_recovery_codes_replace_the_old_ones_after_confirming_who_one_is(client, moderator, sign_in):
    old_codes = enrol_second_factor(moderator)
    sign_in(moderator)
    with client.session_transaction() as session:
        session[AUTHENTICATED_AT] = int(time.time()) - 3600
    asked = client.post("/account/two-factor/recovery-codes")
    assert asked.status_code == 303 and asked.headers["Location"].startswith("/account/confirm")
    _new_step(moderator)
    confirmed = client.post(asked.headers["Location"], data={"password": PASSWORD, "code": _code(moderator)})
    assert confirmed.status_code == 302
    made = client.post("/account/two-factor/recovery-codes")
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    new_codes = re.findall(r'<code translate="no">([a-z2-9]{5}-[a-z2-9]{5})</code>', made.get_data(as_text=True))
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    client.post("/logout")
    _password_step(client, moderator)
    assert client.post("/login/code", data={"code": old_codes[2]}).status_code == 400
    assert client.post("/login/code", data={"code": new_codes[2]}).status_code == 302
    assert len(audit_entries("twofactor.recovery_codes")) == 1


# --- confirming who one is -------------------------------------------------------------------

def test_changing_the_password_asks_for_a_recent_confirmation(client, moderator, sign_in):
    sign_in(moderator)
    assert client.get("/account/password").status_code == 200, "just signed in: recent enough"
    with client.session_transaction() as session:
        session[AUTHENTICATED_AT] = int(time.time()) - 3600
    asked = client.get("/account/password")
    assert asked.status_code == 303
    assert asked.headers["Location"] == "/account/confirm?next=/account/password"
    without_code = client.post("/account/confirm?next=/account/password", data={"password": PASSWORD})
    assert without_code.status_code == 400
    wrong_password = client.post("/account/confirm?next=/account/password",
                                 data={"password": "salah-sekali-123", "code": _code(moderator)})
    assert wrong_password.status_code == 400 and "Kata sandi salah" in text_of(wrong_password)
    _new_step(moderator)
    done = client.post("/account/confirm?next=/account/password", data={"password": PASSWORD, "code": _code(moderator)})
    assert done.status_code == 302 and done.headers["Location"] == "/account/password"
    assert client.get("/account/password").status_code == 200


def test_a_confirmation_never_sends_the_reader_off_the_site(client, citizen, sign_in):
    sign_in(citizen)
    done = client.post("/account/confirm?next=//evil.example/x", data={"password": PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/account"


def test_turning_it_off_asks_for_a_confirmation_and_staff_must_set_it_up_again(client, moderator, sign_in):
    sign_in(moderator)
    with client.session_transaction() as session:
        session[AUTHENTICATED_AT] = int(time.time()) - 3600
    assert client.post("/account/two-factor/disable").headers["Location"].startswith("/account/confirm")
    assert twofactor.is_enrolled(moderator)
    with client.session_transaction() as session:
        session[AUTHENTICATED_AT] = int(time.time())
    response = client.post("/account/two-factor/disable")
    assert response.headers["Location"] == "/account/two-factor/setup"
    assert not twofactor.is_enrolled(moderator)
    assert client.get("/moderation/").headers["Location"] == "/account/two-factor/setup"
    assert len(audit_entries("twofactor.disable")) == 1


def test_a_citizen_turns_it_on_and_off(client, citizen, sign_in):
    sign_in(citizen)
    _enrol_through_the_page(client)
    client.post("/logout")
    assert _password_step(client, citizen).headers["Location"] == "/login/code"
    _new_step(citizen)
    client.post("/login/code", data={"code": _code(citizen)})
    assert client.post("/account/two-factor/disable").headers["Location"] == "/account/two-factor"
    client.post("/logout")
    assert _password_step(client, citizen).headers["Location"] == "/"
    assert audit_entries("twofactor.disable") == [], "citizens' own settings are not in the audit log"


# --- admin reset -----------------------------------------------------------------------------

def test_an_admin_resets_a_lost_second_factor_and_the_audit_log_says_so(client, app, admin, moderator, sign_in,
                                                                         client_for):
    enrol_second_factor(moderator)
    phone = client_for(moderator)
    assert phone.get("/moderation/").status_code == 200
    sign_in(admin, lang="en")
    page = client.get(f"/admin/accounts/{moderator.id}")
    assert "Reset second factor" in text_of(page)
    assert _secret(moderator) not in page.get_data(as_text=True)
    response = client.post(f"/admin/accounts/{moderator.id}/two-factor/reset", data={"reason": "Ponsel hilang."})
    assert response.status_code == 302
    assert not twofactor.is_enrolled(moderator)
    assert phone.get("/moderation/").status_code == 302, "the moderator's sessions ended"
    [entry] = audit_entries("twofactor.reset")
    assert entry.actor_id == admin.id and entry.target_id == moderator.id and entry.reason == "Ponsel hilang."
    assert "Second factor reset by an admin" in text_of(client.get("/admin/audit/"))
    # At the next sign-in the moderator must set a new one up.
    other = client_for(moderator)
    assert other.get("/moderation/").status_code == 200  # the factory enrols staff again, as they would


def test_only_admins_reset_and_not_their_own(client, moderator, admin, make_user, sign_in):
    target = make_user()
    enrol_second_factor(target)
    sign_in(moderator)
    assert client.post(f"/admin/accounts/{target.id}/two-factor/reset").status_code == 403
    sign_in(admin)
    assert client.post(f"/admin/accounts/{admin.id}/two-factor/reset").status_code == 403
    assert client.post("/admin/accounts/999999/two-factor/reset").status_code == 404
    assert client.post(f"/admin/accounts/{target.id}/two-factor/reset", data={"reason": "x" * 600}).status_code == 302
    assert twofactor.is_enrolled(target), "a reason too long is refused"
    assert twofactor.is_enrolled(moderator)


def test_the_operator_resets_from_the_command_line(runner, admin):
    enrol_second_factor(admin)
    result = runner.invoke(args=["two-factor", "reset", admin.email])
    assert result.exit_code == 0, result.output
    assert not twofactor.is_enrolled(admin)
    assert runner.invoke(args=["two-factor", "reset", "nobody@example.org"]).exit_code != 0


# --- the secret stays secret -----------------------------------------------------------------

def test_the_secret_and_the_codes_are_never_logged(client, make_user, sign_in, caplog):
    user = make_user()
    caplog.set_level(logging.DEBUG)
    sign_in(user)
    codes = _enrol_through_the_page(client)
    secret = _secret(user)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert secret not in logged and not any(code in logged for code in codes)


def test_a_secret_that_cannot_be_read_any_more_refuses_codes_without_an_error(client, app, moderator):
    enrol_second_factor(moderator)
    credential = twofactor.credential_for(moderator)
    credential.secret_encrypted = "not-a-fernet-token"
    db.session.commit()
    _password_step(client, moderator)
    assert client.post("/login/code", data={"code": "123456"}).status_code == 400


def test_deleting_an_account_deletes_its_second_factor(make_user):
    user = make_user()
    enrol_second_factor(user)
    db.session.delete(user)
    db.session.commit()
    assert db.session.scalars(select(TotpCredential)).all() == []
    assert db.session.scalars(select(RecoveryCode)).all() == []


def test_two_requests_racing_with_the_same_code_sign_in_once(moderator, at_once):
    from portal.accounts.models import User
    from portal.errors import ValidationError

    enrol_second_factor(moderator)
    _new_step(moderator)
    code, user_id = _code(moderator), moderator.id

    def attempt(_n: int) -> bool:
        user = db.session.get(User, user_id)
        try:
            twofactor.verify_sign_in_code(user, code)
        except ValidationError:
            return False
        return True

    assert sorted(at_once(attempt, 4)) == [False, False, False, True]
