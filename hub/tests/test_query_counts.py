"""Every list and detail page runs the same queries (and the same number of reverse()
calls) whatever the length of its lists: one parametrised test (DESIGN.md, "Query counts
asserted constant in list size on every list and detail page").

Each case builds its page's rows N times, reads the page, builds 2N more (by several
people, so a per-person or per-row query would show) and reads it again, as each kind of
visitor the page serves (anonymous, a learner, a mentor). Both reads come after a first
one, so a session's or a person's first-visit writes are not counted. The API lists are
pinned in hub/tests/test_api_query_counts.py, GraphQL in test_graphql_query_counts.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import count
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls.resolvers import URLResolver

from accounts.models import Role, User
from accounts.tests.factories import UserFactory
from discussions import services as forum_services
from discussions.tests import factories as forum
from guides import services as guide_services
from guides.tests import factories as guide_make
from moderation import services as moderation
from notifications.models import Kind
from notifications.services import notify
from projects.tests import factories as showcase
from webhooks.tests.factories import webhook

pytestmark = pytest.mark.django_db

N = 2
_serial = count(1)


@pytest.fixture(autouse=True)
def _roomy_limits(settings):
    settings.NEXUS_POSTING_LIMITS = {
        "question": {"hour": 10_000, "new": 10_000},
        "reply": {"hour": 10_000, "new": 10_000},
    }
    settings.NEXUS_FLAG_HIDE_THRESHOLD = 1000  # flags open cases without hiding the posts


@dataclass
class Scene:
    learner: User
    mentor: User
    question: object
    project: object
    section: object
    hook: object

    def person(self, role: str = Role.LEARNER) -> User:
        return UserFactory(handle=f"person-{next(_serial)}", role=role)


@pytest.fixture
def scene(learner, mentor) -> Scene:
    question = forum.question(learner, tags="django zeppelin")
    project = showcase.project(learner)
    section = guide_make.section(mentor)
    hook = webhook(learner, "https://hooks.example.com/nexus")
    return Scene(learner, mentor, question, project, section, hook)


# --- One more row of each page's lists ------------------------------------------------------


def _questions(s: Scene) -> None:
    """A question by someone new, with an answer, a comment and tags (the list's rows)."""
    n = next(_serial)
    question = forum.question(
        s.person(), title=f"Zeppelin question number {n} about Django", tags=f"django t{n}"
    )
    forum.answer(s.person(Role.MENTOR), question, body=f"Zeppelin answer {n}.")
    forum.comment(s.person(), question=question)


def _unanswered(s: Scene) -> None:
    forum.question(s.person(), tags=f"django u{next(_serial)}")
    forum.question(s.person(Role.MENTOR))


def _thread(s: Scene) -> None:
    """An answer with a comment and a vote on the scene's thread, by new people."""
    answer = forum.answer(s.person(), s.question, body=f"Answer {next(_serial)}.")
    forum.comment(s.person(), answer=answer)
    forum_services.vote_toggle(user=s.person(), post=answer)
    forum.comment(s.person(), question=s.question)


def _question_edit(s: Scene) -> None:
    n = next(_serial)
    forum_services.question_edit(
        editor=s.person(Role.MENTOR),
        question=s.question,
        title=f"How do I fix migration edit number {n}?",
        body=f"Edited body {n}.",
        category=s.question.category,
        tags=f"django tag{n}",
    )
    s.question.refresh_from_db()


def _learner_activity(s: Scene) -> None:
    """The learner's questions, answers and projects (their profile's tabs)."""
    question = forum.question(s.learner, tags=f"django p{next(_serial)}")
    forum.answer(s.learner, forum.question(s.person()))
    forum.answer(s.person(), question)
    showcase.project(s.learner)


def _mentor_reviews(s: Scene) -> None:
    showcase.reviewed(s.person(), s.mentor)


def _notification(s: Scene) -> None:
    n = next(_serial)
    notify(
        recipients=[s.learner],
        kind=Kind.ANSWER_ON_QUESTION,
        actor=s.person(),
        target_key=f"question:{1000 + n}",
        target_title=f"Question {n}",
        url=f"/q/{1000 + n}/",
    )


def _saved_reply(s: Scene) -> None:
    n = next(_serial)
    moderation.saved_reply_create(owner=s.mentor, title=f"Reply {n}", body=f"Thanks ({n}).")


def _projects(s: Scene) -> None:
    project = showcase.project(s.person(), feedback_wanted=True)
    showcase.feedback(s.person(), project)


def _feedback(s: Scene) -> None:
    item = showcase.feedback(s.person(), s.project, body=f"Feedback {next(_serial)}.")
    showcase.feedback(s.person(), s.project, body="A reply.", parent=item)


def _awaiting_review(s: Scene) -> None:
    showcase.requested(s.person())


def _learner_projects(s: Scene) -> None:
    showcase.project(s.learner)


def _guides(s: Scene) -> None:
    n = next(_serial)
    guide = guide_make.guide(slug=f"topic-{n}", name=f"Topic {n}")
    guide_make.section(s.person(Role.MENTOR), on=guide)
    guide_make.section(s.person(Role.MENTOR), on=s.section.guide)


def _sections(s: Scene) -> None:
    """A section on the scene's guide, reviewed by a mentor, with a question that led there."""
    section = guide_make.section(s.person(Role.MENTOR), on=s.section.guide)
    guide_services.section_review(reviewer=s.person(Role.MENTOR), section=section)
    question = forum.question(s.person())
    guide_services.question_close_in_guide(
        mentor=s.person(Role.MENTOR), question=question, section=section
    )


def _section_edit(s: Scene) -> None:
    n = next(_serial)
    guide_services.section_edit(
        editor=s.person(Role.MENTOR),
        section=s.section,
        title=f"Edited section {n}",
        body=f"Body, version {n}.",
    )
    s.section.refresh_from_db()


def _queue(s: Scene) -> None:
    """One more of each of the queue's lists: a flagged post, a question waiting for a
    mentor, a project awaiting review, a proposed edit and a "not helpful" note."""
    author = s.person()
    question = forum.question(author)
    moderation.flag_create(reporter=s.person(), target=question, reason="spam")
    forum.question(s.person())
    showcase.requested(author)
    n = next(_serial)
    guide_services.proposal_create(
        proposer=s.person(),
        section=s.section,
        title=f"Better {n}",
        body=f"Body {n}.",
        note="Clearer.",
    )
    guide_services.helpful_vote(
        user=s.person(), section=s.section, helpful=False, note=f"Unclear ({n})."
    )


def _log_entry(s: Scene) -> None:
    question = forum.question(s.person())
    moderation.question_pin(actor=s.person(Role.MENTOR), question=question, pinned=True)


def _webhooks(s: Scene) -> None:
    webhook(s.learner, f"https://hooks{next(_serial)}.example.com/nexus")


def _deliveries(s: Scene) -> None:
    forum.answer(s.person(), s.question)  # an answer to the learner's question: a delivery


ANON, LEARNER, MENTOR = "anonymous", "learner", "mentor"
EVERYONE = (ANON, LEARNER, MENTOR)
SIGNED_IN = (LEARNER, MENTOR)

# (page, its path, how to add one more of its rows, who reads it)
PAGES: list[tuple[str, Callable[[Scene], str], Callable[[Scene], None], tuple[str, ...]]] = [
    ("home", lambda s: "/", _questions, EVERYONE),
    ("questions", lambda s: "/questions/", _questions, EVERYONE),
    ("questions by topic", lambda s: "/questions/?category=django", _questions, EVERYONE),
    ("questions by tag", lambda s: "/questions/?tag=django&sort=votes", _questions, EVERYONE),
    ("unanswered questions", lambda s: "/questions/?show=unanswered", _unanswered, EVERYONE),
    ("a thread", lambda s: s.question.get_absolute_url(), _thread, EVERYONE),
    ("a question's revisions", lambda s: s.question.urls["revisions"], _question_edit, EVERYONE),
    ("search", lambda s: "/search/?q=zeppelin", _questions, EVERYONE),
    ("search, questions", lambda s: "/search/?q=zeppelin&kind=questions", _questions, EVERYONE),
    ("search by tag", lambda s: "/search/?q=tag:django", _questions, EVERYONE),
    ("a profile", lambda s: s.learner.get_absolute_url(), _learner_activity, EVERYONE),
    (
        "a profile's answers",
        lambda s: f"{s.learner.get_absolute_url()}?tab=answers",
        _learner_activity,
        EVERYONE,
    ),
    (
        "a profile's projects",
        lambda s: f"{s.learner.get_absolute_url()}?tab=projects",
        _learner_activity,
        EVERYONE,
    ),
    (
        "a mentor's reviews",
        lambda s: f"{s.mentor.get_absolute_url()}?tab=reviews",
        _mentor_reviews,
        EVERYONE,
    ),
    ("notifications", lambda s: "/notifications/", _notification, (LEARNER,)),
    ("the bell's dropdown", lambda s: "/notifications/latest", _notification, (LEARNER,)),
    ("saved replies", lambda s: "/mod/replies/", _saved_reply, (MENTOR,)),
    ("the gallery", lambda s: "/projects/", _projects, EVERYONE),
    ("a project", lambda s: s.project.get_absolute_url(), _feedback, EVERYONE),
    (
        "projects awaiting review",
        lambda s: "/projects/awaiting-review/",
        _awaiting_review,
        (MENTOR,),
    ),
    (
        "a person's projects",
        lambda s: f"/projects/by/{s.learner.handle}/",
        _learner_projects,
        EVERYONE,
    ),
    ("the guide's topics", lambda s: "/guide/", _guides, EVERYONE),
    ("a guide", lambda s: f"/guide/{s.section.guide.slug}/", _sections, EVERYONE),
    ("a section's history", lambda s: f"/guide/s/{s.section.pk}/history/", _section_edit, EVERYONE),
    ("the queue: flags", lambda s: "/mod/", _queue, (MENTOR,)),
    ("the queue: waiting", lambda s: "/mod/?tab=waiting", _queue, (MENTOR,)),
    ("the queue: projects", lambda s: "/mod/?tab=projects", _queue, (MENTOR,)),
    ("the queue: guide", lambda s: "/mod/?tab=guide", _queue, (MENTOR,)),
    ("the moderation log", lambda s: "/mod/log/", _log_entry, (MENTOR,)),
    ("webhooks", lambda s: "/settings/webhooks/", _webhooks, (LEARNER,)),
    (
        "a webhook's deliveries",
        lambda s: f"/settings/webhooks/{s.hook.pk}/",
        _deliveries,
        (LEARNER,),
    ),
]

# Pages that still reverse a URL per row, each with why; the test fails when one stops
# doing so (drop it here then). Rows reach links through `Model.urls` (hub/routes.py).
PER_ROW_REVERSE: dict[str, str] = {}


CASES = [(page, path, grow, who) for page, path, grow, readers in PAGES for who in readers]


@dataclass
class Read:
    queries: int
    reverses: int
    status: int
    size: int


def _read(client: Client, path: str) -> Read:
    calls = mock.patch.object(
        URLResolver,
        "_reverse_with_prefix",
        autospec=True,
        side_effect=URLResolver._reverse_with_prefix,
    )
    with CaptureQueriesContext(connection) as ctx, calls as reverse:
        response = client.get(path)
    return Read(
        len(ctx.captured_queries), reverse.call_count, response.status_code, len(response.content)
    )


@pytest.mark.parametrize(
    ("page", "path", "grow", "who"), CASES, ids=[f"{c[0]} ({c[3]})" for c in CASES]
)
def test_a_page_runs_the_same_queries_however_long_its_lists(scene, page, path, grow, who):
    client = Client()
    if who != ANON:
        client.force_login(getattr(scene, who))
    for _ in range(N):
        grow(scene)
    _read(client, path(scene))  # a visit's own writes (read markers, a session) come first
    few = _read(client, path(scene))
    assert few.status == 200, f"{page}: {few.status}"
    for _ in range(2 * N):
        grow(scene)
    _read(client, path(scene))
    many = _read(client, path(scene))
    assert many.status == 200
    assert many.size > few.size, f"{page}: the page did not grow"
    assert many.queries == few.queries, (
        f"{page} ({who}): {few.queries} queries with {N} rows, {many.queries} with {3 * N}"
    )
    if page in PER_ROW_REVERSE:
        assert many.reverses > few.reverses, f"{page} no longer reverses per row: unlist it"
        return
    assert many.reverses == few.reverses, (
        f"{page} ({who}): {few.reverses} reverse() calls with {N} rows, {many.reverses} with 3N"
    )
