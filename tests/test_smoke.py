def test_home_page_speaks_indonesian_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="id"' in response.get_data(as_text=True)


def test_login_form_rejects_post_without_csrf_token(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": "x"}, csrf=False)
    assert response.status_code == 400


def test_signed_in_user_sees_their_name(client, make_user, login_as):
    user = make_user(display_name="Siti Nurhaliza")
    login_as(user)
    assert "Siti Nurhaliza" in client.get("/").get_data(as_text=True)
