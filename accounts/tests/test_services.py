from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from accounts import services
from accounts.models import Role, User
from hub.tests.test_links import HOSTILE as HOSTILE_URLS


@pytest.mark.django_db
class TestHandleValidate:
    def test_normalises(self):
        assert services.handle_validate(handle="  @Ada_L ") == "ada_l"

    @pytest.mark.parametrize(
        "handle", ["ab", "a b", "-ab", "ab-", "ab!", "émile", "x" * 31, "admin", "API", "me"]
    )
    def test_refuses(self, handle):
        with pytest.raises(ValidationError):
            services.handle_validate(handle=handle)

    def test_refuses_a_taken_handle_but_not_your_own(self, learner):
        with pytest.raises(ValidationError, match="taken"):
            services.handle_validate(handle=learner.handle.upper())
        assert services.handle_validate(handle=learner.handle, exclude_user=learner)


@pytest.mark.django_db
class TestUserCreate:
    def test_creates_with_role_and_admin_rights(self):
        admin = services.user_create(
            email="Boss@Example.com", handle="boss", password="x-long-password", role=Role.ADMIN
        )
        assert admin.email == "boss@example.com"
        assert admin.is_staff and admin.is_superuser and admin.is_admin

    def test_learner_has_no_admin_rights(self, learner):
        assert not learner.is_staff and not learner.is_mentor

    def test_duplicate_email_in_another_case_is_refused(self, learner):
        with pytest.raises(ValidationError):
            services.user_create(email=learner.email.upper(), handle="fresh", password="pw-long-1")


@pytest.mark.django_db
class TestProfileUpdate:
    def test_own_profile(self, learner):
        services.user_profile_update(
            actor=learner, user=learner, bio="Hello", github="octo-cat", track="backend"
        )
        learner.refresh_from_db()
        assert (learner.bio, learner.github, learner.track) == ("Hello", "octo-cat", "backend")

    def test_someone_elses_profile_is_refused(self, learner, other_learner):
        with pytest.raises(PermissionDenied):
            services.user_profile_update(actor=learner, user=other_learner, bio="pwned")
        other_learner.refresh_from_db()
        assert other_learner.bio == ""

    def test_invalid_values_are_refused(self, learner):
        with pytest.raises(ValidationError):
            services.user_profile_update(actor=learner, user=learner, github="-not valid-")

    # "" is no website at all (a blank field), not a link.
    @pytest.mark.parametrize("url", [u for u in HOSTILE_URLS if u])
    def test_the_website_goes_through_the_link_rule(self, learner, url):
        with pytest.raises(ValidationError) as error:
            services.user_profile_update(actor=learner, user=learner, website=url)
        assert error.value.message_dict["website"]
        learner.refresh_from_db()
        assert learner.website == ""

    def test_the_website_is_stored_normalised(self, learner):
        services.user_profile_update(
            actor=learner, user=learner, website="HTTPS://M\u00fcnchen.DE:443/blog"
        )
        learner.refresh_from_db()
        assert learner.website == "https://xn--mnchen-3ya.de/blog"

    def test_full_clean_alone_refuses_a_bad_website(self, learner):
        """The model field carries the rule too: a write that skips the service still
        meets it on full_clean (the admin does)."""
        learner.website = "http://169.254.169.254/latest/meta-data/"
        with pytest.raises(ValidationError) as error:
            learner.full_clean(exclude=["password"])
        assert "IP address" in error.value.message_dict["website"][0]

    def test_only_profile_fields(self, learner):
        with pytest.raises(ValueError, match="role"):
            services.user_profile_update(actor=learner, user=learner, role=Role.ADMIN)


@pytest.mark.django_db
class TestRoleSet:
    def test_admin_grants_mentor(self, admin_user, learner):
        services.user_role_set(actor=admin_user, user=learner, role=Role.MENTOR)
        learner.refresh_from_db()
        assert learner.role == Role.MENTOR and not learner.is_staff

    @pytest.mark.parametrize("actor_name", ["learner", "mentor"])
    def test_non_admins_are_refused(self, request, actor_name, other_learner):
        actor = request.getfixturevalue(actor_name)
        with pytest.raises(PermissionDenied):
            services.user_role_set(actor=actor, user=other_learner, role=Role.MENTOR)

    def test_admin_cannot_demote_themselves(self, admin_user):
        with pytest.raises(PermissionDenied):
            services.user_role_set(actor=admin_user, user=admin_user, role=Role.LEARNER)

    def test_unknown_role_is_refused(self, admin_user, learner):
        with pytest.raises(PermissionDenied):
            services.user_role_set(actor=admin_user, user=learner, role="wizard")


@pytest.mark.django_db
class TestSetRoleCommand:
    def test_by_handle_and_email(self, learner, capsys):
        call_command("set_role", f"@{learner.handle}", "mentor")
        assert User.objects.get(pk=learner.pk).role == Role.MENTOR
        call_command("set_role", learner.email.upper(), "learner")
        assert User.objects.get(pk=learner.pk).role == Role.LEARNER
        assert "is now learner" in capsys.readouterr().out

    def test_unknown_user(self):
        with pytest.raises(CommandError, match="No account"):
            call_command("set_role", "nobody", "mentor")


@pytest.mark.django_db
def test_seed_demo_is_idempotent(capsys):
    from discussions.models import Category

    call_command("seed_demo", allow_without_debug=True)
    call_command("seed_demo", allow_without_debug=True)

    from discussions.models import Answer, Question

    # The forum's people and the three logins, and moderation's one troublemaker.
    assert User.objects.filter(email__endswith="@nexus.example").count() == 12
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert Category.objects.count() == 10
    questions = Question.objects.all()
    assert questions.count() >= 40
    assert questions.values("category").distinct().count() == 10
    assert questions.filter(answer_count=0).count() >= 5
    assert questions.filter(accepted_answer__isnull=False).count() >= 10
    assert Answer.objects.filter(body__contains="```").exists()
    out = capsys.readouterr().out
    assert "mentor@nexus.example" in out and "mentor-django-2026" in out
    mentor = User.objects.get(email="mentor@nexus.example")
    assert mentor.check_password("mentor-django-2026")
    assert mentor.emailaddress_set.get().verified


@pytest.mark.django_db
def test_create_superuser_keeps_to_the_handle_rule():
    """`createsuperuser` (and the manager under it) stores only handles that
    handle_validate accepts: a default made from the address is fitted to the rule, a
    given one is refused when the rule refuses it."""
    user = User.objects.create_superuser("John.Doe@example.com", "x-long-secret-1")
    assert user.handle == "john-doe"
    assert services.handle_validate(handle=user.handle, exclude_user=user) == user.handle
    for handle in ("john.doe", "admin", "john-doe"):  # malformed, reserved, taken
        with pytest.raises(CommandError):
            call_command(
                "createsuperuser",
                "--noinput",
                email=f"{handle}@other.example.com",
                handle=handle,
                stdout=StringIO(),
            )
    assert list(User.objects.values_list("handle", flat=True)) == ["john-doe"]
