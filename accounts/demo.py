"""Demo accounts for a first visit. Passwords are public on purpose: never seed production."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress

from accounts.models import Role, User
from accounts.services import user_create


@dataclass(frozen=True)
class DemoAccount:
    email: str
    handle: str
    display_name: str
    role: str
    password: str
    bio: str
    cohort: str = ""
    track: str = ""


DEMO_ACCOUNTS = [
    DemoAccount(
        "learner@nexus.example", "ada", "Ada Learner", Role.LEARNER, "learn-django-2026",
        "Building my first REST API with DRF. Ask me about pagination!", "2026-autumn", "backend",
    ),
    DemoAccount(
        "mentor@nexus.example", "grace", "Grace Mentor", Role.MENTOR, "mentor-django-2026",
        "Backend engineer, ten years of Django and PostgreSQL. Happy to review your projects.",
        "", "backend",
    ),
    DemoAccount(
        "admin@nexus.example", "admin-nexus", "Nexus Admin", Role.ADMIN, "admin-django-2026",
        "Runs the program and this hub.",
    ),
]  # fmt: skip


def seed_accounts() -> list[tuple[User, DemoAccount]]:
    """Create the demo accounts if missing (idempotent); their emails count as verified."""
    seeded = []
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(email=account.email).first()
        if user is None:
            user = user_create(
                email=account.email,
                handle=account.handle,
                password=account.password,
                display_name=account.display_name,
                role=account.role,
                bio=account.bio,
                cohort=account.cohort,
                track=account.track,
            )
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        seeded.append((user, account))
    return seeded
