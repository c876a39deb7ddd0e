"""The permission table's GraphQL door: every row of moderation/tests/test_permission_matrix.py
(same actors, same expectations, same check that nothing happened on refusal), done
through /graphql/ mutations instead of the service or the HTML view."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

import moderation.tests.test_permission_matrix as table
from guides.models import EditProposal, HelpfulVote
from hub.tests.gql import gid, run
from moderation.models import Case
from moderation.tests.world import ACTORS, World, build

pytestmark = pytest.mark.django_db

TYPE = {
    "question": "Question",
    "answer": "Answer",
    "comment": "Comment",
    "project": "Project",
    "feedback": "Feedback",
}

Door = Callable[[World], tuple[str, dict]]


def _m(field: str, input_type: str) -> str:
    return f"mutation($input: {input_type}!) {{ {field}(input: $input) {{ errors {{ code }} }} }}"


def _flag(kind: str) -> Door:
    return lambda w: (
        _m("flag", "FlagInput"),
        {"id": gid(TYPE[kind], getattr(w, kind).pk), "reason": "SPAM"},
    )


def _hide(kind: str, hidden: bool) -> Door:
    return lambda w: (
        _m("setHidden", "HideInput"),
        {"id": gid(TYPE[kind], getattr(w, kind).pk), "hidden": hidden, "reason": "Spam"},
    )


def _question(action: str, reason: str = "") -> Door:
    return lambda w: (
        _m("moderateQuestion", "ModerateQuestionInput"),
        {"id": gid("Question", w.question.pk), "action": action, "reason": reason},
    )


def _case(action: str) -> Door:
    return lambda w: (
        _m("workCase", "CaseInput"),
        {"id": gid("Case", Case.objects.get().pk), "action": action},
    )


def _suspend(target: str) -> Door:
    until = (timezone.now() + timedelta(days=3)).isoformat()
    return lambda w: (
        _m("suspend", "SuspendInput"),
        {"handle": getattr(w, target).handle, "until": until, "reason": "Spam links"},
    )


DOORS: dict[str, Door] = {
    **{f"flag a {kind}": _flag(kind) for kind in TYPE},
    **{f"hide a {kind}": _hide(kind, True) for kind in TYPE},
    **{f"unhide a {kind}": _hide(kind, False) for kind in TYPE},
    "claim flagged post": _case("claim"),
    "dismiss flags": _case("dismiss"),
    "agree with flags": _case("agree"),
    "claim a waiting question": _question("CLAIM"),
    "pin": _question("PIN"),
    "unpin": _question("UNPIN"),
    "lock": _question("LOCK", "Solved"),
    "unlock": _question("UNLOCK"),
    "unmark duplicate": _question("UNMARK_DUPLICATE"),
    "move to another category": lambda w: (
        _m("moveQuestion", "MoveQuestionInput"),
        {"id": gid("Question", w.question.pk), "category": w.other_category.slug},
    ),
    "mark as duplicate": lambda w: (
        _m("markDuplicate", "MarkDuplicateInput"),
        {"id": gid("Question", w.question.pk), "originalId": gid("Question", w.original.pk)},
    ),
    "edit the author's answer": lambda w: (
        _m("editAnswer", "EditBodyInput"),
        {"id": gid("Answer", w.answer.pk), "body": "Run `showmigrations` and read the plan."},
    ),
    "delete the author's feedback": lambda w: (
        _m("deleteFeedback", "ProjectIdInput"),
        {"id": gid("Feedback", w.feedback.pk)},
    ),
    "suspend a learner": _suspend("victim"),
    "suspend a mentor": _suspend("mentor2"),
    "suspend an admin": _suspend("admin2"),
    "lift a learner's suspension": lambda w: (
        _m("suspend", "SuspendInput"),
        {"handle": w.suspended_victim.handle, "until": None},
    ),
    "write a mentor note": lambda w: (
        _m("addMentorNote", "MentorNoteInput"),
        {"questionId": gid("Question", w.question.pk), "body": "I'll take it"},
    ),
    "keep a saved reply": lambda w: (
        _m("saveReply", "SavedReplyInput"),
        {"title": "Traceback", "body": "Please add the full traceback."},
    ),
    "ask a mentor": lambda w: (
        _m("askMentor", "AskMentorInput"),
        {"questionId": gid("Question", w.question.pk)},
    ),
}


def _hook_id(w: World) -> str:
    return gid("Webhook", table._webhook(w).pk)


DOORS |= {
    "register a webhook": lambda w: (
        _m("createWebhook", "CreateWebhookInput"),
        {"url": table.HOOK_URL, "events": ["ANSWER_CREATED"]},
    ),
    "edit the author's webhook": lambda w: (
        _m("editWebhook", "EditWebhookInput"),
        {"id": _hook_id(w), "active": False},
    ),
    "rotate the author's webhook secret": lambda w: (
        _m("rotateWebhookSecret", "WebhookIdInput"),
        {"id": _hook_id(w)},
    ),
    "delete the author's webhook": lambda w: (
        _m("deleteWebhook", "WebhookIdInput"),
        {"id": _hook_id(w)},
    ),
    "redeliver the author's webhook delivery": lambda w: (
        _m("redeliverWebhookDelivery", "RedeliverWebhookDeliveryInput"),
        {"id": gid("WebhookDelivery", table._delivery(w).pk), "attempts": 1},
    ),
}

# Reading the queue, the log and a webhook's log: a query that answers null for anyone
# the page refuses (a document, or a function of the world giving one and its variables).
READS: dict[str, str | Callable[[World], tuple[str, dict]]] = {
    "open the queue": "{ moderationQueue { caseCount } }",
    "read the log": "{ moderationLog(first: 5) { totalCount edges { node { id } } } }",
    "read the author's webhook log": lambda w: (
        "query($id: ID!) { webhook(id: $id) { deliveries { id attempts } } }",
        {"id": _hook_id(w)},
    ),
}

NOT_A_GRAPHQL_DOOR: set[str] = set()


def _section_id(w: World) -> str:
    return gid("GuideSection", table._section(w).pk)


def _proposal_id(w: World) -> str:
    return gid("GuideProposal", EditProposal.objects.get().pk)


DOORS |= {
    "edit a guide section": lambda w: (
        _m("editGuideSection", "EditGuideSectionInput"),
        {"id": _section_id(w), "title": "Migrations in order", "body": "New words."},
    ),
    "propose a guide edit": lambda w: (
        _m("proposeGuideEdit", "ProposeGuideEditInput"),
        {"sectionId": _section_id(w), "title": "Migrations in order", "body": "Mine.", "note": "x"},
    ),
    "accept a proposed guide edit": lambda w: (
        _m("acceptGuideProposal", "AcceptGuideProposalInput"),
        {"id": _proposal_id(w)},
    ),
    "decline a proposed guide edit": lambda w: (
        _m("declineGuideProposal", "DeclineGuideProposalInput"),
        {"id": _proposal_id(w), "reason": "Not needed"},
    ),
    "revert a guide section": lambda w: (
        _m("revertGuideSection", "RevertGuideSectionInput"),
        {"id": _section_id(w), "number": 1},
    ),
    "review a guide section": lambda w: (
        _m("reviewGuideSection", "ReviewGuideSectionInput"),
        {"id": _section_id(w)},
    ),
    "add an accepted answer to the guide": lambda w: (
        _m("addAnswerToGuide", "AddAnswerToGuideInput"),
        {
            "answerId": gid("Answer", w.answer.pk),
            "sectionId": _section_id(w),
            "body": "From the forum.",
        },
    ),
    "close as answered in the guide": lambda w: (
        _m("closeQuestionInGuide", "CloseQuestionInGuideInput"),
        {"questionId": gid("Question", w.question.pk), "sectionId": _section_id(w)},
    ),
    "reopen from the guide": lambda w: (
        _m("reopenQuestionFromGuide", "ReopenQuestionFromGuideInput"),
        {"questionId": gid("Question", w.question.pk)},
    ),
    "say whether a guide section helped": lambda w: (
        _m("setGuideSectionHelpful", "GuideHelpfulInput"),
        {"id": _section_id(w), "helpful": True},
    ),
    "mark guide feedback handled": lambda w: (
        _m("handleGuideFeedback", "HandleGuideFeedbackInput"),
        {"id": gid("GuideFeedback", HelpfulVote.objects.get().pk)},
    ),
}

ROWS = [row for row in table.ROWS + table.PAGES if row.name in DOORS or row.name in READS]


def _run(row: Any, actor_name: str) -> tuple[bool, dict]:
    world = build()
    if row.setup is not None:
        row.setup(world)
    client = Client()
    if actor_name != "anonymous":
        client.force_login(world.actor(actor_name))
    if row.name in READS:
        read = READS[row.name]
        query, variables = read(world) if callable(read) else (read, None)
        body = run(client, query, variables)
        assert "errors" not in body, body["errors"]
        [found] = body["data"].values()
        return found is not None, body
    query, variables = DOORS[row.name](world)
    hooks_before = table.webhooks_snapshot()
    body = run(client, query, {"input": variables})
    assert "errors" not in body, body["errors"]
    [payload] = body["data"].values()
    done = row.done(world)
    if payload["errors"]:
        assert not done, "refused, yet it happened"
        assert table.webhooks_snapshot() == hooks_before, "a refusal changed a webhook"
    return done, payload


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name.replace(" ", "-"))
def test_matrix_graphql(row: Any, actor: str) -> None:
    allowed = actor in row.allowed
    done, payload = _run(row, actor)
    assert done == allowed, (
        f"{actor} {'should' if allowed else 'should not'} be able to {row.name} (graphql): "
        f"{payload}"
    )


def test_every_row_has_a_graphql_door() -> None:
    names = {row.name for row in table.ROWS + table.PAGES}
    doors = set(DOORS) | set(READS)
    assert names - doors == NOT_A_GRAPHQL_DOOR, "a row of the table has no GraphQL door"


QUEUE = """{ moderationQueue {
  caseCount waitingCount
  cases { id kind state flagCount claimedBy { handle } flags { reason reporter { handle } } }
  waiting { id title author { handle } tags { name } }
} }"""


def test_queue_is_for_mentors_with_a_constant_query_count(settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from discussions.tests import factories as forum
    from moderation import services
    from moderation.models import FlagReason

    settings.NEXUS_POSTING_LIMITS = {
        "question": {"hour": 10_000, "new": 10_000},
        "reply": {"hour": 10_000, "new": 10_000},
    }
    world = build()
    client = Client()
    client.force_login(world.learner)
    assert run(client, QUEUE)["data"]["moderationQueue"] is None

    def grow(n):
        for _ in range(n):
            q = forum.question(world.author)
            services.flag_create(reporter=world.learner, target=q, reason=FlagReason.SPAM)

    client.force_login(world.mentor)
    grow(1)
    with CaptureQueriesContext(connection) as small:
        first = run(client, QUEUE)["data"]["moderationQueue"]
    grow(4)
    with CaptureQueriesContext(connection) as large:
        second = run(client, QUEUE)["data"]["moderationQueue"]
    assert second["caseCount"] == first["caseCount"] + 4
    assert second["cases"][0]["flags"][0]["reporter"]["handle"] == world.learner.handle
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
