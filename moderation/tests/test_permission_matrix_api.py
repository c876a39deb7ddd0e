"""The permission table's REST door: every row of moderation/tests/test_permission_matrix.py
(same actors, same expectations) done through /api/v1/ with each actor's own token
(`read` + `write`, and `moderate` for mentors and admins; the suspended learner's token
reads only), instead of the service or the HTML view.

A refusal is a problem document (401, 403, 404 or 409), never a 500, and leaves nothing
behind: the table's own check says it did not happen, and the log, flags, notes, saved
replies and guide rows are counted before and after.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

import moderation.tests.test_permission_matrix as table
from accounts import services as account_services
from guides.models import EditProposal, HelpfulVote, SectionQuestion, SectionReview
from moderation.models import Case, Flag, LogEntry, MentorNote, QuestionClaim, SavedReply
from moderation.tests.world import ACTORS, World, build

pytestmark = pytest.mark.django_db

Door = Callable[[World], tuple[str, str, dict | None]]
COUNTED = (LogEntry, Flag, Case, MentorNote, SavedReply, QuestionClaim, EditProposal,
           HelpfulVote, SectionQuestion, SectionReview)  # fmt: skip


KINDS = ("question", "answer", "comment", "project", "feedback")
UNHIDE_KINDS = ("question", "answer", "project", "feedback")  # as the table has them


def _flag(kind: str) -> Door:
    return lambda w: (
        "post",
        "/api/v1/flags",
        {"kind": kind, "id": getattr(w, kind).pk, "reason": "spam"},
    )


def _hide(kind: str, method: str) -> Door:
    body = {"reason": "Spam"} if method == "put" else None
    return lambda w: (method, f"/api/v1/mod/hidden/{kind}/{getattr(w, kind).pk}", body)


def _q(suffix: str, method: str, body: dict | None = None) -> Door:
    return lambda w: (method, f"/api/v1/questions/{w.question.pk}/{suffix}", body)


def _case(action: str, body: dict | None = None) -> Door:
    return lambda w: ("post", f"/api/v1/mod/cases/{Case.objects.get().pk}/{action}", body)


def _suspend(target: str) -> Door:
    until = (timezone.now() + timedelta(days=3)).isoformat()
    return lambda w: (
        "put",
        f"/api/v1/users/{getattr(w, target).handle}/suspension",
        {"until": until, "reason": "Spam links"},
    )


def _section(suffix: str, method: str, body: Callable[[World], dict] | None = None) -> Door:
    return lambda w: (
        method,
        f"/api/v1/guide-sections/{table._section(w).pk}{suffix}",
        body(w) if body else None,
    )


def _proposal(action: str, body: dict | None = None) -> Door:
    return lambda w: (
        "post",
        f"/api/v1/guide-proposals/{EditProposal.objects.get().pk}/{action}",
        body,
    )


DOORS: dict[str, Door] = {
    **{f"flag a {kind}": _flag(kind) for kind in KINDS},
    **{f"hide a {kind}": _hide(kind, "put") for kind in KINDS},
    **{f"unhide a {kind}": _hide(kind, "delete") for kind in UNHIDE_KINDS},
    "claim flagged post": _case("claim"),
    "dismiss flags": _case("resolve", {"decision": "dismiss"}),
    "agree with flags": _case("resolve", {"decision": "agree"}),
    "claim a waiting question": _q("claim", "put"),
    "pin": _q("pin", "put"),
    "unpin": _q("pin", "delete"),
    "lock": _q("lock", "put", {"reason": "Solved"}),
    "unlock": _q("lock", "delete"),
    "move to another category": lambda w: (
        "post",
        f"/api/v1/questions/{w.question.pk}/move",
        {"category": w.other_category.slug},
    ),
    "mark as duplicate": lambda w: (
        "put",
        f"/api/v1/questions/{w.question.pk}/duplicate",
        {"original": w.original.pk},
    ),
    "unmark duplicate": _q("duplicate", "delete"),
    "edit the author's answer": lambda w: (
        "patch",
        f"/api/v1/answers/{w.answer.pk}",
        {"body": "Run `showmigrations` and read the plan."},
    ),
    "delete the author's feedback": lambda w: ("delete", f"/api/v1/feedback/{w.feedback.pk}", None),
    "suspend a learner": _suspend("victim"),
    "suspend a mentor": _suspend("mentor2"),
    "suspend an admin": _suspend("admin2"),
    "lift a learner's suspension": lambda w: (
        "delete",
        f"/api/v1/users/{w.suspended_victim.handle}/suspension",
        None,
    ),
    "write a mentor note": _q("mentor-notes", "post", {"body": "I'll take it"}),
    "keep a saved reply": lambda w: (
        "post",
        "/api/v1/mod/saved-replies",
        {"title": "Traceback", "body": "Please add the full traceback."},
    ),
    "ask a mentor": _q("ask-mentor", "post"),
    # The guide.
    "edit a guide section": _section(
        "", "patch", lambda w: {"title": "Migrations in order", "body": "New words."}
    ),
    "propose a guide edit": _section(
        "/proposals",
        "post",
        lambda w: {"title": "Migrations in order", "body": "Mine.", "note": "x"},
    ),
    "accept a proposed guide edit": _proposal("accept"),
    "decline a proposed guide edit": _proposal("decline", {"reason": "Not needed"}),
    "revert a guide section": _section("/revert", "post", lambda w: {"number": 1}),
    "review a guide section": _section("/review", "post"),
    "add an accepted answer to the guide": lambda w: (
        "post",
        f"/api/v1/answers/{w.answer.pk}/promote",
        {"section": table._section(w).pk, "body": "From the forum."},
    ),
    "close as answered in the guide": lambda w: (
        "put",
        f"/api/v1/questions/{w.question.pk}/answered-in-guide",
        {"section": table._section(w).pk},
    ),
    "reopen from the guide": _q("answered-in-guide", "delete"),
    "say whether a guide section helped": _section("/helpful", "put", lambda w: {"helpful": True}),
    "mark guide feedback handled": lambda w: (
        "post",
        f"/api/v1/guide-feedback/{HelpfulVote.objects.get().pk}/handled",
        None,
    ),
    # Reading the queue and the log.
    # Webhooks: the owner's alone (anyone else's is a 404, as if it did not exist).
    "register a webhook": lambda w: (
        "post",
        "/api/v1/webhooks",
        {"url": table.HOOK_URL, "events": ["answer.created"]},
    ),
    "edit the author's webhook": lambda w: (
        "patch",
        f"/api/v1/webhooks/{table._webhook(w).pk}",
        {"active": False},
    ),
    "rotate the author's webhook secret": lambda w: (
        "post",
        f"/api/v1/webhooks/{table._webhook(w).pk}/secret",
        None,
    ),
    "delete the author's webhook": lambda w: (
        "delete",
        f"/api/v1/webhooks/{table._webhook(w).pk}",
        None,
    ),
    "redeliver the author's webhook delivery": lambda w: (
        "post",
        f"/api/v1/webhooks/{table._webhook(w).pk}/deliveries/{table._delivery(w).pk}/redeliver",
        {"attempts": 1},
    ),
    "read the author's webhook log": lambda w: (
        "get",
        f"/api/v1/webhooks/{table._webhook(w).pk}/deliveries",
        None,
    ),
    "open the queue": lambda w: ("get", "/api/v1/mod/queue", None),
    "read the log": lambda w: ("get", "/api/v1/mod/log", None),
}
PAGES = {row.name for row in table.PAGES}


def _client(world: World, actor_name: str) -> APIClient:
    client = APIClient()
    if actor_name == "anonymous":
        return client
    user = world.actor(actor_name)
    scopes = ["write", "moderate"] if user.is_mentor else ["write"]
    _, raw = account_services.token_create(user=user, name="matrix", scopes=scopes,
                                           expires_at=None)  # fmt: skip
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def _run(row: Any, actor_name: str) -> tuple[bool, Any]:
    world = build()
    if row.setup is not None:
        row.setup(world)
    client = _client(world, actor_name)
    method, url, body = DOORS[row.name](world)
    before = _counts()
    hooks_before = table.webhooks_snapshot()
    response = getattr(client, method)(url, body, format="json")
    assert response.status_code < 500, response.content
    if row.name in PAGES:
        return response.status_code == 200, response
    done = row.done(world)
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/problem+json"), response
        assert response.status_code in (401, 403, 404, 409), response.json()
        assert not done, "refused, yet it happened"
        assert _counts() == before, "a refusal left rows behind"
        assert table.webhooks_snapshot() == hooks_before, "a refusal changed a webhook"
    return done, response


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(
    "row", table.ROWS + table.PAGES, ids=lambda row: row.name.replace(" ", "-")
)
def test_matrix_api(row: Any, actor: str) -> None:
    allowed = actor in row.allowed
    done, response = _run(row, actor)
    assert done == allowed, (
        f"{actor} {'should' if allowed else 'should not'} be able to {row.name} (api): "
        f"{response.status_code} {response.content[:300]!r}"
    )


def test_every_row_has_an_api_door() -> None:
    names = {row.name for row in table.ROWS + table.PAGES}
    assert names == set(DOORS), "a row of the table has no REST door (or a door has no row)"


def test_a_learner_token_without_moderate_cannot_moderate_even_as_a_mentor() -> None:
    world = build()
    _, raw = account_services.token_create(user=world.mentor, name="no-mod", scopes=["write"],
                                           expires_at=None)  # fmt: skip
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.put(f"/api/v1/questions/{world.question.pk}/pin")
    assert response.status_code == 403
    assert "moderate" in response.json()["detail"]
    assert world.fresh(world.question).pinned_at is None
