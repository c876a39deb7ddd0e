"""Demo accounts for a first visit. Passwords are public on purpose: never seed production."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress

from accounts.models import Role, Track, User
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


# --- The people of the demo forum and showcase (they never log in) -----------------------


@dataclass(frozen=True)
class DemoPerson:
    handle: str
    display_name: str
    role: str
    bio: str
    cohort: str
    track: str
    joined_days_ago: int
    github: str = ""


PEOPLE = [
    DemoPerson(
        "marta-k", "Marta Kowalska", Role.MENTOR,
        "Database engineer. PostgreSQL, query plans and schema reviews; I like a good EXPLAIN.",
        "", Track.BACKEND, 210,
    ),
    DemoPerson(
        "tomas-r", "Tomás Reyes", Role.MENTOR,
        "Platform engineer: Docker, CI pipelines, Celery in production. Ask me about retries.",
        "", Track.DEVOPS, 190,
    ),
    DemoPerson(
        "kenji", "Kenji Watanabe", Role.LEARNER,
        "Ex-QA, now learning backend. Writing tests for everything, even my grocery list.",
        "2026-spring", Track.BACKEND, 150,
    ),
    DemoPerson(
        "priya-s", "Priya Sharma", Role.LEARNER,
        "Data analyst moving into backend. Building a recipe API with DRF and PostgreSQL.",
        "2026-spring", Track.BACKEND, 140,
    ),
    DemoPerson(
        "olu", "Oluwaseun Adeyemi", Role.LEARNER,
        "Frontend dev learning the other half. Currently fighting docker-compose.",
        "2026-spring", Track.FULLSTACK, 135,
    ),
    DemoPerson(
        "diego-f", "Diego Fernández", Role.LEARNER,
        "Career switcher from logistics. Interested in performance and anything with queues.",
        "2026-spring", Track.BACKEND, 120,
    ),
    DemoPerson(
        "lena-m", "Lena Müller", Role.LEARNER,
        "Sysadmin turned developer. GitHub Actions, Linux, and now Django.",
        "2026-autumn", Track.DEVOPS, 75,
    ),
    DemoPerson(
        "amir-h", "Amir Haddad", Role.LEARNER,
        "CS student, second year. Building a tournament bracket app with Django and Celery.",
        "2026-autumn", Track.BACKEND, 70,
    ),
]  # fmt: skip

#: The demo accounts of accounts/demo.py are set back to these ages so their content
#: does not predate them.
DEMO_ACCOUNT_AGES = {"ada": 68, "grace": 230, "admin-nexus": 240}


def _set_joined(user: User, joined: datetime) -> None:
    if user.date_joined > joined:
        User.objects.filter(pk=user.pk).update(date_joined=joined)
        user.date_joined = joined


def seed_people(*, now: datetime, rng: random.Random) -> tuple[dict[str, User], int]:
    """The demo people (created if missing, joined long ago) and the demo accounts set
    back to DEMO_ACCOUNT_AGES, so no demo content predates its author. Returns
    ({handle: user}, how many were created)."""
    people: dict[str, User] = {}
    created = 0
    for person in PEOPLE:
        email = f"{person.handle}@nexus.example"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = user_create(
                email=email,
                handle=person.handle,
                password=None,
                display_name=person.display_name,
                role=person.role,
                bio=person.bio,
                cohort=person.cohort,
                track=person.track,
                github=person.github,
            )
            _set_joined(
                user, now - timedelta(days=person.joined_days_ago, hours=rng.uniform(0, 20))
            )
            created += 1
        people[user.handle] = user
    # The demo accounts by their demo addresses: a real person may hold one of the handles.
    for user in User.objects.filter(handle__in=DEMO_ACCOUNT_AGES, email__endswith="@nexus.example"):
        _set_joined(user, now - timedelta(days=DEMO_ACCOUNT_AGES[user.handle]))
        people[user.handle] = user
    return people, created
