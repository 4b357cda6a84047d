"""Rate limits on commenting, per account and per address, answer 429."""

from __future__ import annotations

import pytest



@pytest.fixture
def limited(limited_client):
    """A client of an app that allows two comments a minute."""
    return limited_client(COMMENT_RATE_LIMIT="2 per minute", MODERATION_PREMODERATE_FIRST_N=0)


def test_the_third_comment_in_a_minute_answers_429_with_when_to_try_again(limited, login_as, citizen, policy):
    login_as(citizen, target=limited)
    url = f"/policies/{policy.slug}/comments"
    for n in range(2):
        response = limited.post(url, data={"article_key": "pasal-1", "stance": "supports", "body": f"Komentar {n}."})
        assert response.status_code == 302
    response = limited.post(url, data={"article_key": "pasal-1", "stance": "supports", "body": "Komentar ketiga."})
    assert response.status_code == 429
    assert response.headers["Retry-After"].isdigit()
    assert "Komentar ketiga." in response.get_data(as_text=True), "the typed text is shown back"
    assert limited.get(f"/policies/{policy.slug}").status_code == 200, "reading is not limited"
