"""The REST API under attack: everything a hostile client can send, through /api/v1/.

- IDOR: every object endpoint retried with another person's ids and as the wrong role
  (hidden posts, drafts and hidden projects, another person's notifications, proposals,
  saved replies and tokens, the mentors' notes): 404 where the pages give 404, 403 where
  they refuse, never a 500, never a byte of what was asked for in the body, and no row
  changed.
- Mass assignment: `author`, `role`, `score`, `is_hidden`/`hidden_at`, `is_pinned`,
  `accepted` and counters in POST/PATCH bodies are refused (400 naming each), and the row
  in the database is as it was.
- The hostile URLs (hub/tests/test_links.py) and the Markdown XSS corpus
  (hub/tests/test_markdown.py) through the API: the pages' refusals, 0 server errors.
- CORS: an origin on NEXUS_API_CORS_ORIGINS gets `Access-Control-Allow-Origin` and the
  exposed `ETag`, `Last-Modified`, `Link` and rate-limit headers; any other origin gets none.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils.text import slugify

from accounts import services as account_services
from accounts.models import ApiToken, Role, User
from accounts.tests.factories import UserFactory
from discussions.models import BODY_MAX, Answer, Comment, Follow, Question, Vote
from discussions.tests import factories as forum
from guides.models import EditProposal
from guides.tests import factories as guide_make
from hub.tests.safety import html_problems, xss_corpus
from hub.tests.test_links import HOSTILE as HOSTILE_URLS
from moderation import services as moderation
from moderation.models import Flag, LogEntry, MentorNote, SavedReply
from notifications.models import Notification
from projects.models import Feedback, Project, Star
from projects.tests import factories as showcase

pytestmark = pytest.mark.django_db

SECRET = "zq-secret"  # in every title and body the intruder must not see


@pytest.fixture(autouse=True)
def _roomy_posting_limits(settings):
    """These tests post more than a new account may in an hour (tested elsewhere)."""
    settings.NEXUS_POSTING_LIMITS = {
        "question": {"hour": 10_000, "new": 10_000},
        "reply": {"hour": 10_000, "new": 10_000},
    }


_names = count(1)


def token_for(user: User, *scopes: str) -> str:
    wanted = scopes or (("read", "write", "moderate") if user.is_mentor else ("read", "write"))
    _, raw = account_services.token_create(
        user=user, name=f"hostile-{next(_names)}", scopes=list(wanted), expires_at=None
    )
    return raw


def send(client: Client, method: str, path: str, body: Any = None, token: str | None = None):
    """A JSON body, or none at all (no body and no Content-Type, as curl sends a bare POST)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if body is None:
        return client.generic(method.upper(), path, headers=headers)
    return client.generic(
        method.upper(),
        path,
        data=json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


@dataclass
class Place:
    """One author's private and hidden things, and the people who try to reach them."""

    author: User
    intruder: User
    mentor: User
    other_mentor: User
    question: Question  # visible, the author's
    answer: Answer  # visible, the author's, on `question`
    comment: Comment  # visible, the author's, on `question`
    hidden_question: Question
    hidden_answer: Answer  # on `question`
    hidden_comment: Comment  # on `question`
    project: Project  # published, the author's
    draft: Project
    hidden_project: Project
    feedback: Feedback  # the author's, on `project`
    hidden_feedback: Feedback
    notification: Notification  # the author's
    token: ApiToken  # the author's
    note: MentorNote  # a mentor's, on `question`
    saved_reply: SavedReply  # the first mentor's
    proposal: EditProposal  # the author's


@pytest.fixture
def place() -> Place:
    author = UserFactory(handle="the-author")
    intruder = UserFactory(handle="intruder")
    mentor = UserFactory(handle="mentor-a", role=Role.MENTOR)
    other_mentor = UserFactory(handle="mentor-b", role=Role.MENTOR)
    question = forum.question(author, title=f"Visible question about {SECRET} migrations")
    answer = forum.answer(author, question, body=f"Visible answer {SECRET}.")
    comment = forum.comment(author, body=f"Visible comment {SECRET}.", question=question)
    hidden_question = forum.question(
        author, title=f"Hidden question about {SECRET} signals", body=f"Hidden body {SECRET}."
    )
    hidden_answer = forum.answer(author, question, body=f"Hidden answer {SECRET}.")
    hidden_comment = forum.comment(author, body=f"Hidden comment {SECRET}.", question=question)
    for post in (hidden_question, hidden_answer, hidden_comment):
        moderation.content_hide(actor=mentor, target=post, reason="Spam")
    project = showcase.project(author, title=f"Published project {SECRET}")
    draft = showcase.project(author, title=f"Draft project {SECRET}", publish=False)
    hidden_project = showcase.project(author, title=f"Hidden project {SECRET}")
    moderation.content_hide(actor=mentor, target=hidden_project, reason="Spam")
    feedback = showcase.feedback(author, project, body=f"Feedback {SECRET}.")
    hidden_feedback = showcase.feedback(author, project, body=f"Hidden feedback {SECRET}.")
    moderation.content_hide(actor=mentor, target=hidden_feedback, reason="Spam")
    # The author hears of the intruder's answer (the one notification in the place).
    Notification.objects.all().delete()
    forum.answer(intruder, question, body="An answer from the intruder, to notify the author.")
    notification = Notification.objects.get(recipient=author)
    token, _ = account_services.token_create(
        user=author, name="the author's client", scopes=["read", "write"], expires_at=None
    )
    note = moderation.mentor_note_add(
        author=mentor, question=question, body=f"Mentor note {SECRET}."
    )
    saved_reply = moderation.saved_reply_create(
        owner=mentor, title=f"Reply {SECRET}", body=f"Saved reply {SECRET}."
    )
    section = guide_make.section(mentor)
    from guides import services as guide_services

    proposal = guide_services.proposal_create(
        proposer=author,
        section=section,
        title=section.title,
        body=f"Proposal {SECRET}.",
        note=f"Why {SECRET}",
    )
    return Place(
        author=author,
        intruder=intruder,
        mentor=mentor,
        other_mentor=other_mentor,
        question=question,
        answer=answer,
        comment=comment,
        hidden_question=hidden_question,
        hidden_answer=hidden_answer,
        hidden_comment=hidden_comment,
        project=project,
        draft=draft,
        hidden_project=hidden_project,
        feedback=feedback,
        hidden_feedback=hidden_feedback,
        notification=notification,
        token=token,
        note=note,
        saved_reply=saved_reply,
        proposal=proposal,
    )


@contextmanager
def undone():
    """One probe's writes (if any got through) rolled back, so the next starts clean: the
    place is built once per test, not once per probe (it costs seconds)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def snapshot() -> dict[str, list]:
    """Every row an intruder's request could change, as values."""
    models = (
        Question,
        Answer,
        Comment,
        Vote,
        Follow,
        Project,
        Feedback,
        Star,
        Notification,
        MentorNote,
        SavedReply,
        EditProposal,
        Flag,
        LogEntry,
    )
    rows = {m.__name__: list(m._base_manager.order_by("pk").values()) for m in models}
    rows["ApiToken"] = list(ApiToken.objects.order_by("pk").values("pk", "revoked_at", "scopes"))
    rows["User"] = list(
        User.objects.order_by("pk").values(
            "pk", "role", "email", "handle", "website", "suspended_until"
        )
    )
    return rows


# --- IDOR -------------------------------------------------------------------------------

# (who, method, path with {place fields}, body, status). `who`: "intruder" (a learner's
# read+write token), "anonymous", "other_mentor" (a mentor's full token), "intruder_session"
# (signed in with a session, so the mentors-only routes answer as the pages do).
PROBES: list[tuple[str, str, str, dict | None, int]] = [
    # Hidden posts: 404 for reads and for every write that names them.
    ("intruder", "get", "/api/v1/questions/{hidden_question.pk}", None, 404),
    ("anonymous", "get", "/api/v1/questions/{hidden_question.pk}", None, 404),
    ("intruder", "get", "/api/v1/questions/{hidden_question.pk}/revisions", None, 404),
    (
        "intruder",
        "patch",
        "/api/v1/questions/{hidden_question.pk}",
        {"title": "Taken over, thanks"},
        404,
    ),
    ("intruder", "delete", "/api/v1/questions/{hidden_question.pk}", None, 404),
    ("intruder", "post", "/api/v1/questions/{hidden_question.pk}/answers", {"body": "Reply"}, 404),
    ("intruder", "post", "/api/v1/questions/{hidden_question.pk}/comments", {"body": "Hi"}, 404),
    ("intruder", "put", "/api/v1/questions/{hidden_question.pk}/vote", None, 404),
    ("intruder", "put", "/api/v1/questions/{hidden_question.pk}/follow", None, 404),
    ("intruder", "put", "/api/v1/questions/{hidden_question.pk}/mute", None, 404),
    ("intruder", "post", "/api/v1/questions/{hidden_question.pk}/ask-mentor", None, 404),
    (
        "intruder",
        "post",
        "/api/v1/flags",
        {"kind": "question", "id": "{hidden_question.pk}", "reason": "spam"},
        404,
    ),
    ("intruder", "get", "/api/v1/answers/{hidden_answer.pk}", None, 404),
    ("anonymous", "get", "/api/v1/answers/{hidden_answer.pk}", None, 404),
    ("intruder", "get", "/api/v1/answers/{hidden_answer.pk}/revisions", None, 404),
    ("intruder", "patch", "/api/v1/answers/{hidden_answer.pk}", {"body": "Taken over"}, 404),
    ("intruder", "put", "/api/v1/answers/{hidden_answer.pk}/vote", None, 404),
    ("intruder", "put", "/api/v1/answers/{hidden_answer.pk}/accept", None, 404),
    ("intruder", "post", "/api/v1/answers/{hidden_answer.pk}/comments", {"body": "Hi"}, 404),
    (
        "intruder",
        "post",
        "/api/v1/flags",
        {"kind": "answer", "id": "{hidden_answer.pk}", "reason": "spam"},
        404,
    ),
    ("intruder", "get", "/api/v1/comments/{hidden_comment.pk}", None, 404),
    ("intruder", "patch", "/api/v1/comments/{hidden_comment.pk}", {"body": "Taken over"}, 404),
    ("intruder", "delete", "/api/v1/comments/{hidden_comment.pk}", None, 404),
    # Drafts and hidden projects are their author's (and hidden ones the mentors').
    ("intruder", "get", "/api/v1/projects/{draft.pk}", None, 404),
    ("anonymous", "get", "/api/v1/projects/{draft.pk}", None, 404),
    ("other_mentor", "get", "/api/v1/projects/{draft.pk}", None, 404),
    ("intruder", "get", "/api/v1/projects/{hidden_project.pk}", None, 404),
    ("anonymous", "get", "/api/v1/projects/{hidden_project.pk}", None, 404),
    ("intruder", "patch", "/api/v1/projects/{draft.pk}", {"title": "Taken over project"}, 404),
    ("intruder", "post", "/api/v1/projects/{draft.pk}/publish", None, 404),
    ("intruder", "post", "/api/v1/projects/{hidden_project.pk}/unpublish", None, 404),
    ("intruder", "post", "/api/v1/projects/{draft.pk}/review/request", None, 404),
    ("intruder", "put", "/api/v1/projects/{draft.pk}/star", None, 404),
    ("intruder", "post", "/api/v1/projects/{draft.pk}/feedback", {"body": "Hello"}, 404),
    (
        "intruder",
        "post",
        "/api/v1/projects/{project.pk}/feedback",
        {"body": "Hi", "parent": "{hidden_feedback.pk}"},
        400,
    ),
    ("intruder", "delete", "/api/v1/feedback/{hidden_feedback.pk}", None, 404),
    (
        "intruder",
        "post",
        "/api/v1/flags",
        {"kind": "project", "id": "{draft.pk}", "reason": "spam"},
        404,
    ),
    (
        "intruder",
        "post",
        "/api/v1/flags",
        {"kind": "feedback", "id": "{hidden_feedback.pk}", "reason": "spam"},
        404,
    ),
    # Another person's visible things: theirs to change, 403 (as the pages refuse).
    ("intruder", "patch", "/api/v1/questions/{question.pk}", {"title": "Taken over, thanks"}, 403),
    ("intruder", "delete", "/api/v1/questions/{question.pk}", None, 403),
    ("intruder", "patch", "/api/v1/answers/{answer.pk}", {"body": "Taken over"}, 403),
    ("intruder", "delete", "/api/v1/answers/{answer.pk}", None, 403),
    ("intruder", "put", "/api/v1/answers/{answer.pk}/accept", None, 403),
    ("intruder", "patch", "/api/v1/comments/{comment.pk}", {"body": "Taken over"}, 403),
    ("intruder", "delete", "/api/v1/comments/{comment.pk}", None, 403),
    ("intruder", "patch", "/api/v1/projects/{project.pk}", {"title": "Taken over project"}, 403),
    ("intruder", "post", "/api/v1/projects/{project.pk}/unpublish", None, 403),
    ("intruder", "delete", "/api/v1/feedback/{feedback.pk}", None, 403),
    ("intruder", "post", "/api/v1/questions/{question.pk}/ask-mentor", None, 403),
    # Another person's notifications do not exist for you.
    ("intruder", "post", "/api/v1/notifications/{notification.pk}/read", None, 404),
    ("other_mentor", "post", "/api/v1/notifications/{notification.pk}/read", None, 404),
    # Another learner's proposed edit is theirs and the mentors'.
    ("intruder", "get", "/api/v1/guide-proposals/{proposal.pk}", None, 404),
    ("intruder", "post", "/api/v1/guide-proposals/{proposal.pk}/accept", None, 404),
    ("intruder", "post", "/api/v1/guide-proposals/{proposal.pk}/decline", {"reason": "No"}, 404),
    # Another mentor's saved replies are theirs alone.
    (
        "other_mentor",
        "patch",
        "/api/v1/mod/saved-replies/{saved_reply.pk}",
        {"title": "Mine now"},
        404,
    ),
    ("other_mentor", "delete", "/api/v1/mod/saved-replies/{saved_reply.pk}", None, 404),
    # The mentors' tools, as a learner: refused before anything is looked up.
    ("intruder", "get", "/api/v1/questions/{question.pk}/mentor-notes", None, 403),
    ("intruder_session", "get", "/api/v1/questions/{question.pk}/mentor-notes", None, 403),
    ("intruder", "post", "/api/v1/questions/{question.pk}/mentor-notes", {"body": "Mine"}, 403),
    (
        "intruder_session",
        "post",
        "/api/v1/questions/{question.pk}/mentor-notes",
        {"body": "Mine"},
        403,
    ),
    ("intruder", "get", "/api/v1/mod/saved-replies", None, 403),
    (
        "intruder_session",
        "patch",
        "/api/v1/mod/saved-replies/{saved_reply.pk}",
        {"title": "Mine"},
        404,
    ),
    ("intruder", "get", "/api/v1/mod/queue", None, 403),
    ("intruder", "get", "/api/v1/mod/log", None, 403),
    ("anonymous", "get", "/api/v1/mod/log", None, 401),
    (
        "intruder_session",
        "put",
        "/api/v1/mod/hidden/question/{question.pk}",
        {"reason": "Mine"},
        403,
    ),
    ("intruder_session", "delete", "/api/v1/mod/hidden/question/{hidden_question.pk}", None, 404),
    ("intruder_session", "put", "/api/v1/questions/{question.pk}/pin", None, 403),
    ("intruder_session", "put", "/api/v1/questions/{question.pk}/lock", {"reason": "Mine"}, 403),
    (
        "intruder_session",
        "put",
        "/api/v1/users/{author.handle}/suspension",
        {"until": "2099-01-01T00:00:00Z", "reason": "x"},
        403,
    ),
    # Tokens: another person's token id is a 404 on /me/tokens, with a token or a session.
    ("intruder", "get", "/api/v1/me/tokens/{token.pk}", None, 404),
    ("intruder", "post", "/api/v1/me/tokens/{token.pk}/revoke", None, 404),
    ("intruder_session", "get", "/api/v1/me/tokens/{token.pk}", None, 404),
    ("intruder_session", "post", "/api/v1/me/tokens/{token.pk}/revoke", None, 404),
    ("intruder", "delete", "/api/v1/me/tokens/{token.pk}", None, 405),
    ("intruder", "get", "/api/v1/tokens", None, 404),
]


def _fill(template: Any, place: Place) -> Any:
    if isinstance(template, str):
        filled = template.format(**vars(place))
        return int(filled) if template.startswith("{") and filled.isdigit() else filled
    if isinstance(template, dict):
        return {key: _fill(value, place) for key, value in template.items()}
    return template


def _client_for(who: str, place: Place) -> tuple[Client, str | None]:
    client = Client()
    if who == "anonymous":
        return client, None
    if who == "intruder_session":
        client.force_login(place.intruder)
        return client, None
    return client, token_for(getattr(place, who))


def test_another_persons_things_stay_theirs(place):
    clients = {who: _client_for(who, place) for who in {probe[0] for probe in PROBES}}
    before = snapshot()
    failures = []
    for who, method, path, body, status in PROBES:
        client, token = clients[who]
        path, body = _fill(path, place), _fill(body, place)
        with undone():
            response = send(client, method, path, body, token)
            text = response.content.decode()
            changed = snapshot() != before
        if (response.status_code, response["Content-Type"], SECRET in text, changed) != (
            status,
            "application/problem+json",
            False,
            False,
        ):
            failures.append(
                f"{who} {method.upper()} {path}: {response.status_code} "
                f"(want {status}) changed={changed} {text[:200]}"
            )
    assert failures == [], "\n".join(failures)


SIGNED_IN = {"/api/v1/notifications", "/api/v1/me", "/api/v1/me/tokens"}


def test_no_list_shows_another_persons_hidden_or_private_things(place):
    """Every list a learner (or anonymous) can read, searched for the place's secrets."""
    client = Client()
    token = token_for(place.intruder, "read")
    lists = [
        "/api/v1/questions",
        "/api/v1/questions?sort=newest",
        "/api/v1/questions?show=unanswered",
        f"/api/v1/questions?q={SECRET}",
        "/api/v1/projects",
        "/api/v1/projects?sort=starred",
        "/api/v1/projects?mine=true",
        "/api/v1/notifications",
        "/api/v1/guides",
        f"/api/v1/questions/{place.question.pk}",
        f"/api/v1/projects/{place.project.pk}",
        "/api/v1/me",
        "/api/v1/me/tokens",
    ]
    shown_secrets = {
        f"Visible question about {SECRET} migrations",
        f"Visible answer {SECRET}.",
        f"Visible comment {SECRET}.",
        f"Published project {SECRET}",
        f"Feedback {SECRET}.",
    }
    for path in lists:
        for who in (token, None):
            response = send(client, "get", path, token=who)
            assert response.status_code == (401 if who is None and path in SIGNED_IN else 200), (
                path,
                response.content,
            )
            leftover = response.content.decode()
            for shown in shown_secrets:
                leftover = leftover.replace(json.dumps(shown)[1:-1], "")
                leftover = leftover.replace(slugify(shown), "")  # in a visible thing's URL
            assert SECRET not in leftover, (path, who is not None)


def test_the_author_and_mentors_still_see_what_is_theirs_to_see(place):
    """The 404s above are about who asks: the same ids answer 200 to those who may."""
    as_author = token_for(place.author)
    as_mentor = token_for(place.mentor)
    client = Client()
    for path in (
        f"/api/v1/questions/{place.hidden_question.pk}",
        f"/api/v1/projects/{place.draft.pk}",
        f"/api/v1/guide-proposals/{place.proposal.pk}",
    ):
        assert send(client, "get", path, token=as_author).status_code == 200, path
    for path in (
        f"/api/v1/questions/{place.hidden_question.pk}",
        f"/api/v1/projects/{place.hidden_project.pk}",
        f"/api/v1/questions/{place.question.pk}/mentor-notes",
    ):
        assert send(client, "get", path, token=as_mentor).status_code == 200, path
    assert (
        send(
            client, "post", f"/api/v1/notifications/{place.notification.pk}/read", token=as_author
        ).status_code
        == 200
    )


def test_another_persons_token_cannot_be_revoked_on_the_settings_page(place):
    """On the settings page too (as on /api/v1/me/tokens), another person's token id is a
    404 and the token still works; neither list shows it."""
    client = Client()
    client.force_login(place.intruder)
    response = client.post(reverse("accounts:token_revoke", args=[place.token.pk]))
    assert response.status_code == 404
    place.token.refresh_from_db()
    assert place.token.revoked_at is None
    page = client.get(reverse("accounts:tokens")).content.decode()
    assert place.token.prefix not in page and "the author&#x27;s client" not in page
    listed = client.get("/api/v1/me/tokens").content.decode()
    assert place.token.prefix not in listed and "the author's client" not in listed


def test_a_token_never_shows_its_secret_or_digest_through_the_api(place):
    raw = token_for(place.author)
    token = ApiToken.objects.get(user=place.author, name__startswith="hostile")
    text = send(Client(), "get", "/api/v1/me", token=raw).content.decode()
    assert raw not in text and token.digest not in text


# --- Mass assignment --------------------------------------------------------------------

FORBIDDEN_QUESTION = {
    "author": "intruder",
    "score": 99,
    "answer_count": 5,
    "comment_count": 5,
    "is_pinned": True,
    "pinned_at": "2026-01-01T00:00:00Z",
    "is_hidden": True,
    "hidden_at": "2026-01-01T00:00:00Z",
    "is_locked": True,
    "accepted_answer_id": 1,
    "accepted": True,
    "is_deleted": True,
    "created_at": "2020-01-01T00:00:00Z",
    "id": 1,
}


def test_a_question_body_cannot_set_what_the_services_own(place):
    client = Client()
    token = token_for(place.author)
    before = snapshot()
    for field, value in FORBIDDEN_QUESTION.items():
        new = {
            "title": "How do I squash migrations safely?",
            "body": "I have 40 migrations.",
            "category": "django",
            field: value,
        }
        created = send(client, "post", "/api/v1/questions", new, token)
        assert created.status_code == 400 and list(created.json()["errors"]) == [field]
        edit = {"title": "Edited title of the question", field: value}
        edited = send(client, "patch", f"/api/v1/questions/{place.question.pk}", edit, token)
        assert edited.status_code == 400 and list(edited.json()["errors"]) == [field]
        assert snapshot() == before, field


MASS_ASSIGNMENT = [
    (
        "post",
        "/api/v1/questions/{question.pk}/answers",
        {"body": "Use squashmigrations."},
        {
            "author": "intruder",
            "score": 50,
            "is_accepted": True,
            "accepted": True,
            "by_mentor": True,
            "is_hidden": True,
            "hidden_at": "2026-01-01T00:00:00Z",
            "comment_count": 3,
        },
    ),
    (
        "patch",
        "/api/v1/answers/{answer.pk}",
        {"body": "Edited answer body."},
        {"score": 50, "is_accepted": True, "author": "intruder", "question_id": 1},
    ),
    (
        "post",
        "/api/v1/questions/{question.pk}/comments",
        {"body": "Which version?"},
        {"author": "intruder", "is_hidden": True, "score": 3},
    ),
    (
        "patch",
        "/api/v1/comments/{comment.pk}",
        {"body": "Edited comment."},
        {"is_hidden": True, "hidden_at": "2026-01-01T00:00:00Z", "author": "intruder"},
    ),
    (
        "post",
        "/api/v1/projects",
        {
            "title": "A lending API",
            "pitch": "Books over REST.",
            "repository_url": "https://github.com/a/lending",
        },
        {
            "author": "intruder",
            "star_count": 99,
            "feedback_count": 9,
            "state": "published",
            "is_hidden": True,
            "hidden_at": "2026-01-01T00:00:00Z",
            "review_state": "reviewed",
        },
    ),
    (
        "patch",
        "/api/v1/projects/{project.pk}",
        {"title": "A renamed project"},
        {
            "star_count": 99,
            "state": "hidden",
            "hidden_reason": "x",
            "author": "intruder",
            "last_reviewed_at": "2026-01-01T00:00:00Z",
        },
    ),
    (
        "post",
        "/api/v1/projects/{project.pk}/feedback",
        {"body": "Nice endpoints."},
        {"author": "intruder", "by_mentor": True, "is_hidden": True},
    ),
    (
        "patch",
        "/api/v1/me",
        {"bio": "I build APIs."},
        {
            "role": "admin",
            "email": "x@example.com",
            "handle": "taken",
            "is_staff": True,
            "is_superuser": True,
            "suspended_until": None,
            "date_joined": "2020-01-01T00:00:00Z",
        },
    ),
    (
        "post",
        "/api/v1/flags",
        {"kind": "question", "id": "{question.pk}", "reason": "spam"},
        {"reporter": "intruder", "weight": 10},
    ),
    (
        "put",
        "/api/v1/notifications/preferences",
        {"kind": "mention", "email_mode": "off"},
        {"user": 1},
    ),
    (
        "post",
        "/api/v1/guide-sections/{proposal.section_id}/proposals",
        {"title": "A better title", "body": "Body", "note": "Clearer"},
        {"state": "accepted", "decided_by": 1, "proposer": "intruder"},
    ),
]


def test_no_body_writes_what_the_services_own(place):
    client = Client()
    token = token_for(place.author)
    before = snapshot()
    for method, path, good, forbidden in MASS_ASSIGNMENT:
        path, good = _fill(path, place), _fill(good, place)
        for field, value in forbidden.items():
            body = {**good, field: value}
            _refused_and_unwritten(client, token, place, before, method, path, body, field)


def _refused_and_unwritten(client, token, place, before, method, path, body, field):
    response = send(client, method, path, body, token)
    assert response.status_code == 400, (path, field, response.content)
    assert list(response.json()["errors"]) == [field], (path, field)
    assert snapshot() == before, (path, field)  # the users' role, email and handle too


def test_a_mentors_body_cannot_set_more_than_the_action_does(place):
    """Pin, lock and hide take only their reason: the rest of the row stays as it was."""
    client = Client()
    token = token_for(place.mentor)
    q = place.question
    for method, path, body in [
        ("put", f"/api/v1/questions/{q.pk}/lock", {"reason": "Off topic", "is_pinned": True}),
        ("put", f"/api/v1/mod/hidden/question/{q.pk}", {"reason": "Spam", "author": "mentor-a"}),
        ("post", f"/api/v1/questions/{q.pk}/move", {"category": "django", "score": 5}),
        ("post", f"/api/v1/questions/{q.pk}/mentor-notes", {"body": "Note", "author": "x"}),
        ("post", "/api/v1/mod/saved-replies", {"title": "T", "body": "B", "owner": "mentor-b"}),
    ]:
        before = snapshot()
        response = send(client, method, path, body, token)
        assert response.status_code == 400, (path, response.content)
        assert snapshot() == before, path


WRONG_SHAPES = [
    [],
    [1, 2],
    "a string",
    42,
    True,
    None,
    {"body": ["a list"]},
    {"body": {"nested": "object"}},
    {"body": None},
]


def test_bodies_of_the_wrong_shape_are_400s_never_500s(place):
    client = Client()
    token = token_for(place.author)
    for body in WRONG_SHAPES:
        raw = json.dumps(body)
        for method, path in [
            ("post", "/api/v1/questions"),
            ("patch", f"/api/v1/questions/{place.question.pk}"),
            ("post", f"/api/v1/questions/{place.question.pk}/answers"),
            ("patch", f"/api/v1/answers/{place.answer.pk}"),
            ("post", "/api/v1/projects"),
            ("patch", f"/api/v1/projects/{place.project.pk}"),
            ("patch", "/api/v1/me"),
            ("post", "/api/v1/flags"),
            ("put", "/api/v1/notifications/preferences"),
        ]:
            response = getattr(client, method)(
                path,
                data=raw,
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == 400, (method, path, body, response.content)
            assert response["Content-Type"] == "application/problem+json"


# --- Hostile URLs and Markdown, through the API ---------------------------------------------

# The pages' forms trim the edges of what was typed; the API's string fields do the same.
PAGE_HOSTILE_URLS = [u for u in HOSTILE_URLS if u.strip() and u == u.strip()]


def test_every_hostile_link_is_refused_through_the_api(place):
    """The corpus of hub/tests/test_links.py, as the project form and the settings page
    refuse it: a 400 naming the field, and nothing stored."""
    client = Client()
    token = token_for(place.author)
    before = snapshot()
    assert len(PAGE_HOSTILE_URLS) >= 40
    for url in PAGE_HOSTILE_URLS:
        _hostile_link_refused(client, token, place, before, url)


def _hostile_link_refused(client, token, place, before, url):
    new = {
        "title": "A project with a hostile link",
        "pitch": "x",
        "repository_url": "https://github.com/a/b",
        "demo_url": url,
    }
    response = send(client, "post", "/api/v1/projects", new, token)
    assert response.status_code == 400, (url, response.content)
    assert list(response.json()["errors"]) == ["demo_url"], url
    response = send(
        client, "patch", f"/api/v1/projects/{place.project.pk}", {"repository_url": url}, token
    )
    assert response.status_code == 400 and list(response.json()["errors"]) == ["repository_url"]
    response = send(client, "patch", "/api/v1/me", {"website": url}, token)
    assert response.status_code == 400 and list(response.json()["errors"]) == ["website"]
    assert snapshot() == before
    place.author.refresh_from_db()
    assert place.author.website == ""


def test_hostile_links_with_spaces_at_the_edges_are_refused_or_trimmed_never_stored_raw(place):
    client = Client()
    token = token_for(place.author)
    for url in (u for u in HOSTILE_URLS if u not in PAGE_HOSTILE_URLS):
        response = send(client, "patch", "/api/v1/me", {"website": url}, token)
        assert response.status_code in (200, 400), (url, response.content)
        place.author.refresh_from_db()
        assert place.author.website in ("", url.strip()) and place.author.website == (
            place.author.website.strip()
        )


def test_the_xss_corpus_through_the_api_is_stored_safely_with_0_server_errors(place):
    """Every payload of ../shared/testdata/xss-payloads.txt, in the Markdown contexts the
    renderer's own test uses, posted as answers through the API: each a 201, its
    `body_html` safe, and so is the thread read back."""
    from hub.tests.test_markdown import CONTEXTS

    client = Client()
    token = token_for(place.author)
    failures, statuses = [], set()
    # Several payloads to an answer (each in every context), as many as fit in one body:
    # a request per payload took two minutes on our machines.
    bodies, body = [], ""
    parts = [t.replace("{p}", p) for p in xss_corpus() for t in CONTEXTS.values()]
    for part in parts:
        if body and len(body) + len(part) > BODY_MAX - 100:
            bodies.append(body)
            body = ""
        body += part + "\n\n---\n\n"
    bodies.append(body)
    assert max(len(body) for body in bodies) <= BODY_MAX
    assert len(bodies) < 100
    for body in bodies:
        response = send(
            client, "post", f"/api/v1/questions/{place.question.pk}/answers", {"body": body}, token
        )
        statuses.add(response.status_code)
        if response.status_code == 201:
            problems = html_problems(response.json()["body_html"])
            if problems:
                failures.append((body[:200], problems))
        else:
            failures.append((body[:200], response.content))
    assert statuses == {201}
    assert failures == []
    thread = send(client, "get", f"/api/v1/questions/{place.question.pk}", token=token).json()
    for answer in thread["answers"]:
        assert html_problems(answer["body_html"]) == [], answer["id"]


HOSTILE_MARKDOWN = [
    "[x](javascript:alert(1))",
    "<script>alert(1)</script>",
    "![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
    '<img src=x onerror="alert(1)">',
    "[x](<java\tscript:alert(1)>)",
    "```html\n</code><script>x</script>\n```",
    "\x00\x01\x02" * 50,
    "\ud7ff" * 10,
    "a" * 70_000,
]


def test_hostile_markdown_in_every_written_field_is_safe_or_refused(place):
    client = Client()
    token = token_for(place.author)
    mentor = token_for(place.mentor)
    for source in HOSTILE_MARKDOWN:
        _markdown_safe_or_refused(client, token, mentor, place, source)


def _markdown_safe_or_refused(client, token, mentor, place, source):
    q = place.question
    writes = [
        (
            token,
            "post",
            "/api/v1/questions",
            {"title": "A title that is long enough", "body": source, "category": "django"},
            "body_html",
        ),
        (token, "post", f"/api/v1/questions/{q.pk}/comments", {"body": source}, "body_html"),
        (
            token,
            "post",
            f"/api/v1/projects/{place.project.pk}/feedback",
            {"body": source},
            "body_html",
        ),
        (
            token,
            "patch",
            f"/api/v1/projects/{place.project.pk}",
            {"description": source},
            "description_html",
        ),
        (
            mentor,
            "post",
            f"/api/v1/questions/{q.pk}/mentor-notes",
            {"body": source[:2000]},
            "body_html",
        ),
    ]
    for who, method, path, body, field in writes:
        response = send(client, method, path, body, who)
        assert response.status_code in (200, 201, 400), (path, response.status_code)
        if response.status_code < 300:
            assert html_problems(response.json()[field]) == [], (path, source)


# --- CORS -------------------------------------------------------------------------------

ALLOWED = "http://localhost:5173"


@pytest.fixture
def cors(settings):
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED]


def _exposed(response) -> set[str]:
    return {h.strip().lower() for h in response.get("Access-Control-Expose-Headers", "").split(",")}


def test_an_allowed_origin_gets_the_cors_headers_and_the_exposed_ones(cors, place):
    client = Client()
    response = client.get("/api/v1/questions", headers={"Origin": ALLOWED})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    assert {
        "etag",
        "last-modified",
        "link",
        "ratelimit-limit",
        "ratelimit-remaining",
        "ratelimit-reset",
        "retry-after",
    } <= _exposed(response)
    assert "Access-Control-Allow-Credentials" not in response  # tokens, not cookies
    assert "origin" in response["Vary"].lower()


def test_a_preflight_from_an_allowed_origin_may_send_a_token_and_a_conditional_get(cors):
    response = Client().options(
        "/api/v1/questions",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization, if-none-match, if-modified-since",
        },
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    allowed = {h.strip().lower() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "if-none-match", "if-modified-since"} <= allowed
    methods = {m.strip() for m in response["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "POST", "PUT", "PATCH", "DELETE"} <= methods


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "http://localhost:5174",
        "null",
        "http://localhost:5173.evil.example",
        "HTTP://LOCALHOST:5173x",
    ],
)
def test_any_other_origin_gets_no_cors_headers(cors, origin):
    client = Client()
    for response in (
        client.get("/api/v1/questions", headers={"Origin": origin}),
        client.options(
            "/api/v1/questions", headers={"Origin": origin, "Access-Control-Request-Method": "POST"}
        ),
    ):
        assert "Access-Control-Allow-Origin" not in response
        assert "Access-Control-Expose-Headers" not in response


def test_pages_get_no_cors_headers_even_from_an_allowed_origin(cors):
    response = Client().get("/", headers={"Origin": ALLOWED})
    assert "Access-Control-Allow-Origin" not in response


def test_without_the_setting_no_origin_is_allowed(settings):
    settings.CORS_ALLOWED_ORIGINS = []
    response = Client().get("/api/v1/questions", headers={"Origin": ALLOWED})
    assert "Access-Control-Allow-Origin" not in response


def test_the_allowed_origins_come_from_the_environment():
    from hub.tests.test_settings import read_settings

    probe = "from django.conf import settings; print(','.join(settings.CORS_ALLOWED_ORIGINS))"
    result = read_settings(
        probe,
        DJANGO_DEBUG="true",
        NEXUS_API_CORS_ORIGINS="http://localhost:5173,https://app.example",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "http://localhost:5173,https://app.example"
