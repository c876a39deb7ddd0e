"""Query counts constant in list length for the list endpoints the apps' own API tests do
not pin (questions, a thread's answers, projects, a project's feedback and notifications
are pinned in discussions/, projects/ and notifications/tests/test_api.py).

Each case reads its list with one row of each kind, adds five more (by several people, so
a per-person or per-row query would show), and reads it again: the same number of
queries. Requests carry a token, as a client's would (its lookup and touch are counted).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import count

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts import services as account_services
from accounts.models import Role, User
from accounts.tests.factories import UserFactory
from discussions import services as forum_services
from discussions.tests import factories as forum
from guides import services as guide_services
from guides.tests import factories as guide_make
from moderation import services as moderation
from projects.tests import factories as showcase

pytestmark = pytest.mark.django_db

MORE = 5
_serial = count(1)


@pytest.fixture(autouse=True)
def _roomy_posting_limits(settings):
    settings.NEXUS_POSTING_LIMITS = {
        "question": {"hour": 1000, "new": 1000},
        "reply": {"hour": 1000, "new": 1000},
    }
    settings.NEXUS_FLAG_HIDE_THRESHOLD = 1000  # flags open cases without hiding the posts


@dataclass
class Scene:
    mentor: User
    learner: User
    question: object
    section: object

    def person(self, role: str = Role.LEARNER) -> User:
        return UserFactory(handle=f"person-{next(_serial)}", role=role)


def _flagged_waiting_and_awaiting(s: Scene) -> None:
    """One more of each of the queue's three lists: a flagged post's case, a question
    waiting for a mentor, a project awaiting review."""
    author = s.person()
    question = forum.question(author)
    moderation.flag_create(reporter=s.person(), target=question, reason="spam")
    showcase.requested(author)


def _log_entry(s: Scene) -> None:
    mentor = s.person(Role.MENTOR)
    question = forum.question(s.person())
    moderation.question_pin(actor=mentor, question=question, pinned=True)


def _guide(s: Scene) -> None:
    n = next(_serial)
    guide = guide_make.guide(slug=f"topic-{n}", name=f"Topic {n}")
    guide_make.section(s.person(Role.MENTOR), on=guide)


def _section_in_the_guide(s: Scene) -> None:
    guide_make.section(s.person(Role.MENTOR), on=s.section.guide)


def _section_revision(s: Scene) -> None:
    n = next(_serial)
    guide_services.section_edit(
        editor=s.person(Role.MENTOR),
        section=s.section,
        title=f"Edited section {n}",
        body=f"Body, version {n}.",
    )


def _saved_reply(s: Scene) -> None:
    n = next(_serial)
    moderation.saved_reply_create(owner=s.mentor, title=f"Reply {n}", body=f"Thanks ({n}).")


def _mentor_note(s: Scene) -> None:
    moderation.mentor_note_add(
        author=s.person(Role.MENTOR), question=s.question, body=f"Note {next(_serial)}"
    )


def _notification(s: Scene) -> None:
    question = forum.question(s.learner)
    forum.answer(s.person(), question)


def _question_revision(s: Scene) -> None:
    n = next(_serial)
    forum_services.question_edit(
        editor=s.learner,
        question=s.question,
        title=f"How do I fix migration edit number {n}?",
        body=f"Edited body {n}.",
        category=s.question.category,
        tags=f"django tag{n}",
    )


def _category(s: Scene) -> None:
    n = next(_serial)
    forum.category(slug=f"cat-{n}", name=f"Category {n}")


def _token(s: Scene) -> None:
    account_services.token_create(
        user=s.learner, name=f"client {next(_serial)}", scopes=["read"], expires_at=None
    )


# (name, who reads, the path, how to add one more row)
CASES: list[tuple[str, str, Callable[[Scene], str], Callable[[Scene], None]]] = [
    ("the mentors' queue", "mentor", lambda s: "/api/v1/mod/queue", _flagged_waiting_and_awaiting),
    ("the moderation log", "mentor", lambda s: "/api/v1/mod/log", _log_entry),
    ("the guide's topics", "learner", lambda s: "/api/v1/guides", _guide),
    (
        "a guide's sections",
        "learner",
        lambda s: f"/api/v1/guides/{s.section.guide.slug}",
        _section_in_the_guide,
    ),
    (
        "a section's revisions",
        "learner",
        lambda s: f"/api/v1/guide-sections/{s.section.pk}/revisions",
        _section_revision,
    ),
    ("saved replies", "mentor", lambda s: "/api/v1/mod/saved-replies", _saved_reply),
    (
        "mentor notes",
        "mentor",
        lambda s: f"/api/v1/questions/{s.question.pk}/mentor-notes",
        _mentor_note,
    ),
    ("notifications (token)", "learner", lambda s: "/api/v1/notifications", _notification),
    (
        "a question's revisions",
        "learner",
        lambda s: f"/api/v1/questions/{s.question.pk}/revisions",
        _question_revision,
    ),
    ("categories", "learner", lambda s: "/api/v1/categories", _category),
]


@pytest.fixture
def scene() -> Scene:
    mentor = UserFactory(handle="queue-mentor", role=Role.MENTOR)
    learner = UserFactory(handle="queue-learner")
    question = forum.question(learner)
    section = guide_make.section(mentor)
    return Scene(mentor=mentor, learner=learner, question=question, section=section)


def _read(client: Client, path: str, token: str) -> tuple[int, int, bytes]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, headers={"Authorization": f"Bearer {token}"})
    return len(ctx.captured_queries), response.status_code, response.content


@pytest.mark.parametrize(("name", "who", "path", "grow"), CASES, ids=[c[0] for c in CASES])
def test_list_endpoint_query_count_is_constant_in_list_length(scene, name, who, path, grow):
    user = getattr(scene, who)
    scopes = ["read", "moderate"] if user.is_mentor else ["read"]
    _, raw = account_services.token_create(
        user=user, name="counting", scopes=scopes, expires_at=None
    )
    client = Client()
    grow(scene)
    _read(client, path(scene), raw)  # the token's first touch is a write; count from here
    few, status, small = _read(client, path(scene), raw)
    assert status == 200, small
    for _ in range(MORE):
        grow(scene)
    many, status, big = _read(client, path(scene), raw)
    assert status == 200
    assert len(big) > len(small), "the list did not grow"
    assert many == few, f"{name}: {few} queries with one row, {many} with {MORE + 1}"


def test_the_token_settings_page_query_count_is_constant(scene):
    """Tokens have no API route (they are made and revoked on the settings page): the page's
    list is pinned here with the API's other lists."""
    client = Client()
    client.force_login(scene.learner)
    _token(scene)
    client.get("/settings/tokens/")
    with CaptureQueriesContext(connection) as few:
        small = client.get("/settings/tokens/")
    for _ in range(MORE):
        _token(scene)
    with CaptureQueriesContext(connection) as many:
        big = client.get("/settings/tokens/")
    assert small.status_code == big.status_code == 200
    assert len(big.content) > len(small.content)
    assert len(many.captured_queries) == len(few.captured_queries)
