"""Every write to accounts. Views, the admin, commands and APIs call these."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import Role, User
from accounts.permissions import can_edit_profile, can_set_role
from accounts.selectors import handle_is_available

PROFILE_FIELDS = ("display_name", "bio", "github", "website", "cohort", "track")


def handle_validate(*, handle: str, exclude_user: User | None = None) -> str:
    """Normalise a handle and check it is well-formed and free; raise ValidationError."""
    handle = handle.strip().lstrip("@").lower()
    field = User._meta.get_field("handle")
    if len(handle) < 3:
        raise ValidationError("A handle needs at least 3 characters.", code="too_short")
    field.run_validators(handle)
    if len(handle) > field.max_length:
        raise ValidationError(f"At most {field.max_length} characters.", code="too_long")
    if not handle_is_available(handle=handle, exclude_user=exclude_user):
        raise ValidationError("That handle is taken. Try another.", code="taken")
    return handle


@transaction.atomic
def user_create(
    *,
    email: str,
    handle: str,
    password: str | None,
    display_name: str = "",
    role: str = Role.LEARNER,
    **profile: str,
) -> User:
    """Create an account (demo data, tests, operators). Sign-up goes through allauth,
    whose adapter fills the same fields."""
    user = User(
        email=User.objects.normalize_email(email).lower(),
        handle=handle_validate(handle=handle),
        display_name=display_name,
        role=role,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
        **profile,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def user_profile_update(*, actor: User, user: User, **fields: str) -> User:
    if not can_edit_profile(actor, user):
        raise PermissionDenied("You can only edit your own profile.")
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not profile fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(fields))
    return user


@transaction.atomic
def user_role_set(*, actor: User | None, user: User, role: str) -> User:
    """Grant or take a role. Admins also get the Django admin (is_staff/is_superuser)."""
    if not can_set_role(actor, user, role):
        raise PermissionDenied("Only an admin can change roles (and not their own admin role).")
    user.role = role
    user.is_staff = user.is_superuser = role == Role.ADMIN
    user.save(update_fields=["role", "is_staff", "is_superuser"])
    return user
