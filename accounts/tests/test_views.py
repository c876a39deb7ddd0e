import pytest
from django.urls import reverse

from accounts.models import Role, User
from hub.tests.test_links import HOSTILE as HOSTILE_URLS


@pytest.mark.django_db
class TestProfile:
    def test_public_profile(self, client, mentor):
        mentor.bio = "I review <b>APIs</b>"
        mentor.github = "octocat"
        mentor.save()

        response = client.get(f"/u/{mentor.handle}/")

        assert response.status_code == 200
        text = response.text
        assert "Mia Mentor" in text and f"@{mentor.handle}" in text
        assert "Mentor" in text
        assert "I review &lt;b&gt;APIs&lt;/b&gt;" in text
        assert "https://github.com/octocat" in text
        assert mentor.initials == "MM"

    def test_unknown_handle_is_a_styled_404(self, client):
        response = client.get("/u/nobody-here/")
        assert response.status_code == 404
        assert "site-header" in response.text

    def test_handle_in_another_case_finds_the_profile(self, client, learner):
        assert client.get(f"/u/{learner.handle.upper()}/").status_code == 200

    def test_edit_button_only_for_the_owner(self, client, learner, other_learner):
        client.force_login(learner)
        assert "Edit profile" in client.get(learner.get_absolute_url()).text
        assert "Edit profile" not in client.get(other_learner.get_absolute_url()).text


@pytest.mark.django_db
class TestSettings:
    def test_needs_login(self, client):
        response = client.get(reverse("accounts:settings"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    def test_saves_profile(self, client, learner):
        client.force_login(learner)
        response = client.post(
            reverse("accounts:settings"),
            {"display_name": "Lena L.", "bio": "Hi", "github": "lena", "track": "backend"},
            follow=True,
        )
        assert response.status_code == 200
        assert "Your profile is saved." in response.text
        learner.refresh_from_db()
        assert (learner.display_name, learner.github) == ("Lena L.", "lena")

    def test_bad_input_is_a_form_error_and_nothing_saved_is_lost(self, client, learner):
        client.force_login(learner)
        response = client.post(
            reverse("accounts:settings"),
            {"display_name": "Changed", "github": "not valid!", "website": "javascript:alert(1)"},
        )
        assert response.status_code == 400
        assert "Enter a GitHub user name" in response.text
        assert "Only http:// and https:// links are accepted, not javascript:" in response.text
        learner.refresh_from_db()
        assert learner.display_name == "Lena Learner"

    # Forms trim the edges of what was typed (a friendly fix); the service refuses them
    # (accounts/tests/test_services.py). Everything else in the corpus is refused here.
    @pytest.mark.parametrize("url", [u for u in HOSTILE_URLS if u.strip() and u == u.strip()])
    def test_every_hostile_website_is_refused_on_the_form(self, client, learner, url):
        client.force_login(learner)
        response = client.post(reverse("accounts:settings"), {"website": url})
        assert response.status_code == 400
        assert response.context["form"].errors.get("website")
        assert 'id="id_website_error"' in response.text
        learner.refresh_from_db()
        assert learner.website == ""

    def test_a_website_is_saved_normalised_and_shown_as_its_domain(self, client, learner):
        client.force_login(learner)
        client.post(reverse("accounts:settings"), {"website": "https://WWW.Example.com:443/me"})
        learner.refresh_from_db()
        assert learner.website == "https://www.example.com/me"
        page = client.get(learner.get_absolute_url()).text
        assert 'href="https://www.example.com/me"' in page and ">example.com</a>" in page


@pytest.mark.django_db
def test_admin_grants_mentor_through_the_django_admin(client, admin_user, learner):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "make_mentor", "_selected_action": [learner.pk]},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=learner.pk).role == Role.MENTOR


@pytest.mark.django_db
def test_learners_cannot_open_the_admin(client, learner):
    client.force_login(learner)
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_the_django_admin_cannot_suspend_without_the_suspension_flow(client, admin_user, learner):
    """Suspending writes a log entry and tells the person: the admin shows the suspension
    read-only and links to the profile's "Suspend", so it cannot skip either."""
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_change", args=[learner.pk])
    page = client.get(url)
    assert 'name="suspended_until' not in page.text
    assert 'name="suspension_reason"' not in page.text
    assert f'href="{learner.get_absolute_url()}#suspension"' in page.text
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data |= {"suspended_until_0": "2099-01-01", "suspended_until_1": "00:00:00"}
    data |= {"suspension_reason": "no log entry", "role": learner.role, "is_active": "on"}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    learner.refresh_from_db()
    assert learner.suspended_until is None and learner.suspension_reason == ""
