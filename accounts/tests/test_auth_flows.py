"""Sign up, verify, log in, log out, reset a password: allauth's flows in our pages."""

import re

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory

STRONG = "a-long-and-unusual-passphrase-42"


def signup(client, **overrides):
    data = {
        "email": "new@example.com",
        "handle": "new-learner",
        "display_name": "New Learner",
        "password1": STRONG,
        "password2": STRONG,
        **overrides,
    }
    return client.post(reverse("account_signup"), data)


def link_in_last_email(pattern: str) -> str:
    body = mail.outbox[-1].body
    match = re.search(rf"https?://[^/\s]+(?P<path>{pattern}\S*)", body)
    assert match, body
    return match["path"]


@pytest.mark.django_db
@override_settings(ACCOUNT_EMAIL_VERIFICATION="mandatory")
def test_signup_with_mandatory_verification_then_verify_logs_in(client):
    response = signup(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="new@example.com")
    assert (user.handle, user.display_name) == ("new-learner", "New Learner")
    assert "_auth_user_id" not in client.session  # not in until the email is verified

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.com"]
    confirm_path = link_in_last_email("/accounts/confirm-email/")
    page = client.get(confirm_path)
    assert page.status_code == 200
    assert b"Confirm" in page.content

    response = client.post(confirm_path)

    assert response.status_code == 302
    assert user.emailaddress_set.get().verified
    assert client.session["_auth_user_id"] == str(user.pk)
    home = client.get("/").text
    assert "Welcome to Nexus, New Learner" in home and "Welcome back" not in home


@pytest.mark.django_db
@override_settings(ACCOUNT_EMAIL_VERIFICATION="optional")
def test_signup_with_optional_verification_logs_in_at_once(client):
    response = signup(client)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get().pk)
    assert len(mail.outbox) == 1  # the confirmation is still offered
    home = client.get("/").text
    assert "Welcome to Nexus, New Learner" in home and "Welcome back" not in home


@pytest.mark.django_db
@override_settings(ACCOUNT_EMAIL_VERIFICATION="optional")
def test_a_second_sign_in_is_welcomed_back(client):
    signup(client)
    client.post(reverse("account_logout"))
    client.post(reverse("account_login"), {"login": "new@example.com", "password": STRONG})

    home = client.get("/").text
    assert "Welcome back, New Learner" in home and "Welcome to Nexus" not in home


@pytest.mark.django_db
def test_signup_lowercases_email_and_handle(client):
    signup(client, email="Mixed.Case@Example.COM", handle="Mixed-Case")

    user = User.objects.get()
    assert (user.email, user.handle) == ("mixed.case@example.com", "mixed-case")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password1": "password", "password2": "password"}, "password1", "too common"),
        ({"password1": "12345678901", "password2": "12345678901"}, "password1", "entirely"),
        ({"password2": "something-else-entirely"}, "password2", "same password"),
        ({"handle": "no spaces"}, "handle", "lower-case letters"),
        ({"handle": "ab"}, "handle", "at least 3"),
        ({"handle": "-dash-first"}, "handle", "lower-case letters"),
        ({"handle": "admin"}, "handle", "taken"),
        ({"handle": "taken-handle"}, "handle", "taken"),
        ({"handle": "TAKEN-HANDLE"}, "handle", "taken"),
        ({"handle": "x" * 31}, "handle", "at most 30"),
        ({"email": "not-an-email"}, "email", "valid email"),
    ],
)
def test_signup_refusals_are_form_errors(client, overrides, field, message):
    UserFactory(email="taken@example.com", handle="taken-handle")

    response = signup(client, **overrides)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field]).lower()
    assert message.encode() in response.content.lower()
    assert User.objects.count() == 1


@pytest.mark.django_db
@override_settings(ACCOUNT_EMAIL_VERIFICATION="optional")
@pytest.mark.parametrize("email", ["taken@example.com", "TAKEN@example.com"])
def test_duplicate_email_is_a_form_error_when_verification_is_optional(client, email):
    UserFactory(email="taken@example.com", handle="taken-handle")

    response = signup(client, email=email)

    assert response.status_code == 200
    assert "already registered" in " ".join(response.context["form"].errors["email"])
    assert User.objects.count() == 1


@pytest.mark.django_db
@override_settings(ACCOUNT_EMAIL_VERIFICATION="mandatory")
def test_duplicate_email_reveals_nothing_when_verification_is_mandatory(client):
    """allauth's enumeration guard: the page looks the same as a new sign-up, and the
    address's owner is told by email that someone tried to sign up with it."""
    UserFactory(email="taken@example.com", handle="taken-handle")

    response = signup(client, email="taken@example.com")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.count() == 1
    assert mail.outbox[-1].to == ["taken@example.com"]


@pytest.mark.django_db
def test_login_and_logout(client, learner):
    response = client.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(learner.pk)

    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_is_case_insensitive_on_email(client, learner):
    response = client.post(
        reverse("account_login"), {"login": learner.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_wrong_password_is_a_clear_form_error(client, learner):
    response = client.post(reverse("account_login"), {"login": learner.email, "password": "no"})
    assert response.status_code == 200
    assert b"email address and/or password you specified are not correct" in response.content


@pytest.mark.django_db
def test_login_rate_limit_gives_a_clear_message(client, learner):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": learner.email, "password": "wrong"})

    response = client.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD})

    assert response.status_code in (200, 429)
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_reset_by_email(client, learner):
    response = client.post(reverse("account_reset_password"), {"email": learner.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1

    key_path = link_in_last_email("/accounts/password/reset/key/")
    response = client.get(key_path)  # allauth moves the key into the session
    assert response.status_code == 302
    set_password_path = response["Location"]
    response = client.post(set_password_path, {"password1": STRONG, "password2": STRONG})
    assert response.status_code == 302

    learner.refresh_from_db()
    assert learner.check_password(STRONG)


@pytest.mark.django_db
def test_password_reset_for_unknown_email_reveals_nothing(client):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    # allauth tells the unknown address that it has no account; no other address is mailed.
    assert all(message.to == ["nobody@example.com"] for message in mail.outbox)


@pytest.mark.django_db
def test_password_change(client, learner):
    client.force_login(learner)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": STRONG, "password2": STRONG},
    )
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.check_password(STRONG)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "account_login",
        "account_signup",
        "account_reset_password",
        "account_reset_password_done",
        "account_email_verification_sent",
    ],
)
def test_allauth_pages_use_our_layout(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert 'id="main"' in response.text
    assert "site-header" in response.text


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["account_email", "account_change_password", "account_logout"])
def test_allauth_account_pages_use_our_layout(client, learner, name):
    client.force_login(learner)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert 'id="main"' in response.text


@pytest.mark.django_db
@override_settings(ACCOUNT_EMAIL_VERIFICATION="mandatory")
def test_the_console_prints_the_confirmation_link_whole_and_first(client):
    """In development emails print to the terminal; the link a person copies from there
    works (Django's own console backend wraps it across two quoted-printable lines)."""
    import io

    from hub.mail import ConsoleEmailBackend

    signup(client, email="someone-with-a-long-address@example.com")
    terminal = io.StringIO()
    ConsoleEmailBackend(stream=terminal).send_messages(mail.outbox[-1:])
    lines = terminal.getvalue().splitlines()
    assert "someone-with-a-long-address@example.com" in lines[0]
    link = lines[1]
    assert re.fullmatch(r"http://testserver/accounts/confirm-email/\S+/", link), lines[:3]
    page = client.get(link.removeprefix("http://testserver"))
    assert page.status_code == 200 and b"Confirm" in page.content


@pytest.mark.django_db
def test_the_login_page_says_why_a_sign_in_only_page_sent_you_there(client):
    response = client.get(reverse("discussions:question_ask"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert "Log in to ask a question." in response.text
    assert "Welcome back" not in response.text
    shared = client.get(reverse("account_login"), {"next": reverse("projects:project_create")})
    assert "Log in to share a project." in shared.text
    for plain in ({}, {"next": "/"}, {"next": "//elsewhere.example/ask/"}):
        page = client.get(reverse("account_login"), plain).text
        assert "Welcome back. Pick up where you left off." in page and "to ask a" not in page


@pytest.mark.django_db
def test_allauth_pages_use_sentence_case_like_the_rest(client):
    """allauth's own pages take Nexus's wording from locale/en (sentence case)."""

    def text(name: str) -> str:
        return " ".join(client.get(reverse(name)).text.split())

    reset = text("account_reset_password")
    assert "<h1> Password reset </h1>" in reset and "Reset my password" in reset
    assert "Password Reset" not in reset and "Reset My Password" not in reset
    client.force_login(UserFactory())
    change = text("account_change_password")
    assert "<h1> Change password </h1>" in change and "Change Password" not in change
    assert "New password" in change and "New Password" not in change
