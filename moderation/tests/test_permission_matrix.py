"""Who may do what, in one table: every moderation action by every kind of actor.

Each row names an action, exactly who may do it, how to do it through the service layer
and through the HTML views, and how to tell from the database that it happened. Every
cell runs through both doors on a fresh world (moderation/tests/world.py); the API issue
adds its door to the same table.

Actors: anonymous, learner (someone else), author (who wrote the post), suspended (a
suspended learner), mentor, admin.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from discussions import services as forum_services
from guides import services as guide_services
from guides.models import EditProposal, HelpfulVote, SectionQuestion, SectionReview
from moderation import permissions, services
from moderation.models import Case, Flag, FlagReason, MentorNote, QuestionClaim, SavedReply
from moderation.tests.world import ACTORS, ANYONE_SIGNED_IN, MENTORS, World, build
from projects import services as project_services
from webhooks import permissions as webhook_permissions
from webhooks import services as webhook_services
from webhooks.models import Delivery, DeliveryState, Webhook

pytestmark = pytest.mark.django_db

SIGNED_IN_OTHERS = frozenset({"learner", "mentor", "admin"})  # not the author, not suspended


@dataclass(frozen=True)
class Row:
    name: str
    allowed: frozenset[str]
    service: Callable[[World, Any], Any]
    html: Callable[[World, Client], Any]
    done: Callable[[World], bool]
    setup: Callable[[World], Any] | None = None


def _flag_row(kind: str) -> Row:
    return Row(
        f"flag a {kind}",
        SIGNED_IN_OTHERS,
        lambda w, a: services.flag_create(
            reporter=a, target=getattr(w, kind), reason=FlagReason.SPAM
        ),
        lambda w, c: c.post(f"/flag/{kind}/{getattr(w, kind).pk}", {"reason": "spam"}),
        lambda w: Flag.objects.filter(kind=kind, object_id=getattr(w, kind).pk).exists(),
    )


def _case(w: World) -> Case:
    for reporter in (w.learner, w.victim):
        services.flag_create(reporter=reporter, target=w.answer, reason=FlagReason.SPAM)
    return Case.objects.get(kind="answer", object_id=w.answer.pk)


def _hide_row(kind: str) -> Row:
    return Row(
        f"hide a {kind}",
        MENTORS,
        lambda w, a: services.content_hide(actor=a, target=getattr(w, kind), reason="Spam"),
        lambda w, c: c.post(f"/mod/hide/{kind}/{getattr(w, kind).pk}", {"reason": "Spam"}),
        lambda w: _hidden(getattr(w, kind)),
    )


def _unhide_row(kind: str) -> Row:
    return Row(
        f"unhide a {kind}",
        MENTORS,
        lambda w, a: services.content_unhide(actor=a, target=getattr(w, kind)),
        lambda w, c: c.post(f"/mod/unhide/{kind}/{getattr(w, kind).pk}"),
        lambda w: not _hidden(getattr(w, kind)),
        setup=lambda w: services.content_hide(actor=w.admin, target=getattr(w, kind), reason="x"),
    )


def _hidden(obj: Any) -> bool:
    obj.refresh_from_db()
    if hasattr(obj, "state"):  # a project
        return obj.state == "hidden"
    return obj.hidden_at is not None


def _q(w: World) -> Any:
    return w.fresh(w.question)


def _until() -> str:
    return (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")


def _suspend_row(name: str, target: str, allowed: frozenset[str]) -> Row:
    return Row(
        name,
        allowed,
        lambda w, a: services.user_suspend(
            actor=a,
            user=getattr(w, target),
            until=timezone.now() + timedelta(days=3),
            reason="Spam links",
        ),
        lambda w, c: c.post(
            f"/mod/u/{getattr(w, target).handle}/suspend",
            {"until": _until(), "reason": "Spam links"},
        ),
        lambda w: w.fresh(getattr(w, target)).is_suspended,
    )


ROWS = [
    *[_flag_row(kind) for kind in ("question", "answer", "comment", "project", "feedback")],
    Row(
        "claim flagged post",
        MENTORS,
        lambda w, a: services.case_claim(mentor=a, case=Case.objects.get()),
        lambda w, c: c.post(f"/mod/case/{Case.objects.get().pk}/claim"),
        lambda w: Case.objects.get().claimed_by_id is not None,
        setup=_case,
    ),
    Row(
        "dismiss flags",
        MENTORS,
        lambda w, a: services.case_resolve(mentor=a, case=Case.objects.get(), agree=False),
        lambda w, c: c.post(f"/mod/case/{Case.objects.get().pk}/resolve", {"decision": "dismiss"}),
        lambda w: Case.objects.get().state == Case.State.DISMISSED,
        setup=_case,
    ),
    Row(
        "agree with flags",
        MENTORS,
        lambda w, a: services.case_resolve(mentor=a, case=Case.objects.get(), agree=True),
        lambda w, c: c.post(f"/mod/case/{Case.objects.get().pk}/resolve", {"decision": "agree"}),
        lambda w: Case.objects.get().state == Case.State.AGREED and _hidden(w.answer),
        setup=_case,
    ),
    Row(
        "claim a waiting question",
        MENTORS,
        lambda w, a: services.question_claim(mentor=a, question=w.question),
        lambda w, c: c.post(f"/mod/waiting/{w.question.pk}/claim"),
        lambda w: QuestionClaim.objects.filter(question=w.question).exists(),
    ),
    Row(
        "pin",
        MENTORS,
        lambda w, a: services.question_pin(actor=a, question=w.question, pinned=True),
        lambda w, c: c.post(f"/mod/q/{w.question.pk}/pin"),
        lambda w: _q(w).pinned_at is not None,
    ),
    Row(
        "unpin",
        MENTORS,
        lambda w, a: services.question_pin(actor=a, question=w.question, pinned=False),
        lambda w, c: c.post(f"/mod/q/{w.question.pk}/unpin"),
        lambda w: _q(w).pinned_at is None,
        setup=lambda w: services.question_pin(actor=w.admin, question=w.question, pinned=True),
    ),
    Row(
        "lock",
        MENTORS,
        lambda w, a: services.question_lock(actor=a, question=w.question, reason="Solved"),
        lambda w, c: c.post(f"/mod/q/{w.question.pk}/lock", {"reason": "Solved"}),
        lambda w: _q(w).locked_at is not None,
    ),
    Row(
        "unlock",
        MENTORS,
        lambda w, a: services.question_unlock(actor=a, question=w.question),
        lambda w, c: c.post(f"/mod/q/{w.question.pk}/unlock"),
        lambda w: _q(w).locked_at is None,
        setup=lambda w: services.question_lock(actor=w.admin, question=w.question, reason="x"),
    ),
    *[_hide_row(kind) for kind in ("question", "answer", "comment", "project", "feedback")],
    *[_unhide_row(kind) for kind in ("question", "answer", "project", "feedback")],
    Row(
        "move to another category",
        MENTORS,
        lambda w, a: services.question_move(
            actor=a, question=w.question, category=w.other_category
        ),
        lambda w, c: c.post(f"/mod/q/{w.question.pk}/move", {"category": w.other_category.pk}),
        lambda w: _q(w).category_id == w.other_category.pk,
    ),
    Row(
        "mark as duplicate",
        MENTORS,
        lambda w, a: services.question_mark_duplicate(
            actor=a, question=w.question, original=w.original
        ),
        lambda w, c: c.post(f"/mod/q/{w.question.pk}/duplicate", {"original": str(w.original.pk)}),
        lambda w: _q(w).duplicate_of_id == w.original.pk,
    ),
    Row(
        "unmark duplicate",
        MENTORS,
        lambda w, a: services.question_unmark_duplicate(actor=a, question=w.question),
        lambda w, c: c.post(f"/mod/q/{w.question.pk}/unduplicate"),
        lambda w: _q(w).duplicate_of_id is None,
        setup=lambda w: services.question_mark_duplicate(
            actor=w.admin, question=w.question, original=w.original
        ),
    ),
    Row(
        "edit the author's answer",
        frozenset({"author", *MENTORS}),
        lambda w, a: forum_services.answer_edit(
            editor=a, answer=w.answer, body="Run `showmigrations` and read the plan."
        ),
        lambda w, c: c.post(
            f"/a/{w.answer.pk}/edit", {"body": "Run `showmigrations` and read the plan."}
        ),
        lambda w: "read the plan" in w.fresh(w.answer).body,
    ),
    Row(
        "delete the author's feedback",
        frozenset({"author", *MENTORS}),
        lambda w, a: project_services.feedback_delete(actor=a, feedback=w.feedback),
        lambda w, c: c.post(f"/projects/feedback/{w.feedback.pk}/delete"),
        lambda w: w.fresh(w.feedback).is_deleted,
    ),
    _suspend_row("suspend a learner", "victim", MENTORS),
    _suspend_row("suspend a mentor", "mentor2", frozenset({"admin"})),
    _suspend_row("suspend an admin", "admin2", frozenset({"admin"})),
    Row(
        "lift a learner's suspension",
        MENTORS,
        lambda w, a: services.suspension_lift(actor=a, user=w.suspended_victim),
        lambda w, c: c.post(f"/mod/u/{w.suspended_victim.handle}/lift"),
        lambda w: not w.fresh(w.suspended_victim).is_suspended,
    ),
    Row(
        "write a mentor note",
        MENTORS,
        lambda w, a: services.mentor_note_add(author=a, question=w.question, body="I'll take it"),
        lambda w, c: c.post(f"/mod/q/{w.question.pk}/notes", {"body": "I'll take it"}),
        lambda w: MentorNote.objects.filter(question=w.question).exists(),
    ),
    Row(
        "keep a saved reply",
        MENTORS,
        lambda w, a: services.saved_reply_create(
            owner=a, title="Traceback", body="Please add the full traceback."
        ),
        lambda w, c: c.post(
            "/mod/replies/", {"title": "Traceback", "body": "Please add the full traceback."}
        ),
        lambda w: SavedReply.objects.exists(),
    ),
    Row(
        "ask a mentor",
        frozenset({"author"}),
        lambda w, a: services.mentor_request(user=a, question=w.question),
        lambda w, c: c.post(f"/q/{w.question.pk}/ask-mentor"),
        lambda w: _q(w).mentor_requested_at is not None,
    ),
]


# --- The guide's actions (guides/permissions.py) -------------------------------------------


def _section(w: World) -> Any:
    """A guide section by a mentor who is nobody's actor, made once per world."""
    if not hasattr(w, "guide_section"):
        guide = guide_services.guide_ensure(category=w.category)
        w.guide_section = guide_services.section_create(
            editor=w.mentor2, guide=guide, title="Migrations in order", body="Old words."
        )
    return w.guide_section


def _fresh_section(w: World) -> Any:
    return w.fresh(_section(w))


def _proposal(w: World) -> EditProposal:
    section = _section(w)
    return guide_services.proposal_create(
        proposer=w.victim, section=section, title=section.title, body="Proposed.", note="Why"
    )


def _accepted(w: World) -> None:
    forum_services.answer_accept(actor=w.author, answer=w.answer)
    w.fresh(w.answer)
    _section(w)


def _closed(w: World) -> None:
    guide_services.question_close_in_guide(
        mentor=w.mentor2, question=w.question, section=_section(w)
    )


def _edited_once(w: World) -> None:
    section = _section(w)
    guide_services.section_edit(editor=w.mentor2, section=section, title=section.title, body="Bad.")


def _helpful_no(w: World) -> HelpfulVote:
    return guide_services.helpful_vote(
        user=w.victim, section=_section(w), helpful=False, note="Missing a step"
    )


GUIDE_ROWS = [
    Row(
        "edit a guide section",
        MENTORS,
        lambda w, a: guide_services.section_edit(
            editor=a, section=_section(w), title="Migrations in order", body="New words."
        ),
        lambda w, c: c.post(
            f"/guide/s/{_section(w).pk}/edit",
            {"title": "Migrations in order", "body": "New words.", "versions": "", "note": ""},
        ),
        lambda w: _fresh_section(w).body == "New words.",
        setup=_section,
    ),
    # Learners propose through the same form; a mentor's edit there publishes directly:
    # either way the proposed words reach the guide or its queue.
    Row(
        "propose a guide edit",
        ANYONE_SIGNED_IN,
        lambda w, a: guide_services.proposal_create(
            proposer=a, section=_section(w), title="Migrations in order", body="Mine.", note="x"
        ),
        lambda w, c: c.post(
            f"/guide/s/{_section(w).pk}/edit",
            {"title": "Migrations in order", "body": "Mine.", "note": "x"},
        ),
        lambda w: EditProposal.objects.exists() or _fresh_section(w).body == "Mine.",
        setup=_section,
    ),
    Row(
        "accept a proposed guide edit",
        MENTORS,
        lambda w, a: guide_services.proposal_accept(mentor=a, proposal=EditProposal.objects.get()),
        lambda w, c: c.post(f"/guide/proposals/{EditProposal.objects.get().pk}/accept"),
        lambda w: EditProposal.objects.get().state == "accepted",
        setup=_proposal,
    ),
    Row(
        "decline a proposed guide edit",
        MENTORS,
        lambda w, a: guide_services.proposal_decline(
            mentor=a, proposal=EditProposal.objects.get(), reason="Not needed"
        ),
        lambda w, c: c.post(
            f"/guide/proposals/{EditProposal.objects.get().pk}/decline", {"reason": "Not needed"}
        ),
        lambda w: EditProposal.objects.get().state == "declined",
        setup=_proposal,
    ),
    Row(
        "revert a guide section",
        MENTORS,
        lambda w, a: guide_services.section_revert(
            editor=a, section=_section(w), revision=_section(w).revisions.get(number=1)
        ),
        lambda w, c: c.post(f"/guide/s/{_section(w).pk}/revert/1"),
        lambda w: _fresh_section(w).body == "Old words.",
        setup=_edited_once,
    ),
    Row(
        "review a guide section",
        MENTORS,
        lambda w, a: guide_services.section_review(reviewer=a, section=_section(w)),
        lambda w, c: c.post(f"/guide/s/{_section(w).pk}/review"),
        lambda w: SectionReview.objects.exists(),
        setup=_section,
    ),
    Row(
        "add an accepted answer to the guide",
        MENTORS,
        lambda w, a: guide_services.answer_promote(
            mentor=a, answer=w.answer, section=_section(w), body="From the forum."
        ),
        lambda w, c: c.post(
            f"/guide/answer/{w.answer.pk}/promote",
            {"target": f"s{_section(w).pk}", "body": "From the forum."},
        ),
        lambda w: SectionQuestion.objects.filter(kind="promoted").exists(),
        setup=_accepted,
    ),
    Row(
        "close as answered in the guide",
        MENTORS,
        lambda w, a: guide_services.question_close_in_guide(
            mentor=a, question=w.question, section=_section(w)
        ),
        lambda w, c: c.post(f"/guide/question/{w.question.pk}/close", {"section": _section(w).pk}),
        lambda w: SectionQuestion.objects.filter(kind="answered").exists(),
        setup=_section,
    ),
    Row(
        "reopen from the guide",
        MENTORS,
        lambda w, a: guide_services.question_reopen_from_guide(mentor=a, question=w.question),
        lambda w, c: c.post(f"/guide/question/{w.question.pk}/reopen"),
        lambda w: not SectionQuestion.objects.filter(kind="answered").exists(),
        setup=_closed,
    ),
    Row(
        "say whether a guide section helped",
        ANYONE_SIGNED_IN,
        lambda w, a: guide_services.helpful_vote(user=a, section=_section(w), helpful=True),
        lambda w, c: c.post(f"/guide/s/{_section(w).pk}/helpful", {"helpful": "yes"}),
        lambda w: HelpfulVote.objects.exists(),
        setup=_section,
    ),
    Row(
        "mark guide feedback handled",
        MENTORS,
        lambda w, a: guide_services.helpful_feedback_handle(
            mentor=a, vote=HelpfulVote.objects.get()
        ),
        lambda w, c: c.post(f"/guide/feedback/{HelpfulVote.objects.get().pk}/handled"),
        lambda w: HelpfulVote.objects.get().handled_at is not None,
        setup=_helpful_no,
    ),
]
ROWS += GUIDE_ROWS


# --- Webhooks (webhooks/permissions.py): the owner's alone; registering needs can_write -----

HOOK_URL = "https://hooks.example.com/in"


def _webhook(w: World) -> Webhook:
    """The author's webhook (with its secret as made), once per world."""
    if not hasattr(w, "webhook"):
        w.webhook, w.webhook_secret = webhook_services.webhook_create(
            owner=w.author, url=HOOK_URL, events=["answer.created"]
        )
    return w.webhook


def _delivery(w: World) -> Delivery:
    """A failed delivery of the author's webhook (what the log's Redeliver offers)."""
    if not hasattr(w, "delivery"):
        w.delivery = Delivery.objects.create(
            webhook=_webhook(w),
            event="answer.created",
            payload={"answer": {"id": w.answer.pk}},
            state=DeliveryState.FAILED,
            attempts=1,
        )
    return w.delivery


def _hook_fresh(w: World) -> Webhook | None:
    return Webhook.objects.filter(pk=_webhook(w).pk).first()


def webhooks_snapshot() -> list[tuple]:
    """Every webhook and delivery as stored: a refusal at any door leaves it as it was."""
    hooks = Webhook.objects.order_by("pk").values_list(
        "pk", "owner_id", "url", "description", "secret", "events", "active"
    )
    deliveries = Delivery.objects.order_by("pk").values_list(
        "pk", "webhook_id", "state", "attempts", "next_attempt_at"
    )
    return [*hooks, *deliveries]


WEBHOOK_ROWS = [
    Row(
        "register a webhook",
        ANYONE_SIGNED_IN,
        lambda w, a: webhook_services.webhook_create(
            owner=a, url=HOOK_URL, events=["answer.created"]
        ),
        lambda w, c: c.post("/settings/webhooks/", {"url": HOOK_URL, "events": ["answer.created"]}),
        lambda w: Webhook.objects.exists(),
    ),
    Row(
        "edit the author's webhook",
        frozenset({"author"}),
        lambda w, a: webhook_services.webhook_update(actor=a, webhook=_webhook(w), active=False),
        lambda w, c: c.post(
            f"/settings/webhooks/{_webhook(w).pk}/",
            {"url": HOOK_URL, "events": ["answer.created"]},  # "active" unticked
        ),
        lambda w: _hook_fresh(w).active is False,
        setup=_webhook,
    ),
    Row(
        "rotate the author's webhook secret",
        frozenset({"author"}),
        lambda w, a: webhook_services.webhook_secret_rotate(actor=a, webhook=_webhook(w)),
        lambda w, c: c.post(f"/settings/webhooks/{_webhook(w).pk}/secret"),
        lambda w: _hook_fresh(w).secret != w.webhook_secret,
        setup=_webhook,
    ),
    Row(
        "delete the author's webhook",
        frozenset({"author"}),
        lambda w, a: webhook_services.webhook_delete(actor=a, webhook=_webhook(w)),
        lambda w, c: c.post(f"/settings/webhooks/{_webhook(w).pk}/delete"),
        lambda w: _hook_fresh(w) is None,
        setup=_webhook,
    ),
    Row(
        "redeliver the author's webhook delivery",
        frozenset({"author"}),
        lambda w, a: webhook_services.delivery_redeliver(actor=a, delivery=_delivery(w)),
        lambda w, c: c.post(
            f"/settings/webhooks/{_webhook(w).pk}/deliveries/{_delivery(w).pk}/redeliver",
            {"attempts": "1"},
        ),
        lambda w: Delivery.objects.get(pk=_delivery(w).pk).state == DeliveryState.PENDING,
        setup=_delivery,
    ),
]
ROWS += WEBHOOK_ROWS


def _webhook_log_row() -> Row:
    """Reading a webhook's delivery log: the owner alone (404 for anyone else)."""

    opened: dict[str, bool] = {}

    def service(w: World, actor: Any) -> None:
        if not webhook_permissions.can_manage(actor, _webhook(w)):
            raise PermissionDenied
        opened["ok"] = True

    def html(w: World, client: Client) -> None:
        opened["ok"] = client.get(f"/settings/webhooks/{_webhook(w).pk}/").status_code == 200

    return Row(
        "read the author's webhook log",
        frozenset({"author"}),
        service,
        html,
        lambda w: opened.pop("ok", False),
        setup=_delivery,
    )


def _page_row(name: str, url: str) -> Row:
    """Reading the queue and the log: the permission function is the service door."""

    opened: dict[str, bool] = {}

    def service(w: World, actor: Any) -> None:
        if not permissions.can_view_queue(actor):
            raise PermissionDenied
        opened["ok"] = True

    def html(w: World, client: Client) -> None:
        opened["ok"] = client.get(url).status_code == 200

    return Row(name, MENTORS, service, html, lambda w: opened.pop("ok", False))


PAGES = [
    _page_row("open the queue", "/mod/"),
    _page_row("read the log", "/mod/log/"),
    _webhook_log_row(),
]


def _run(row: Row, actor_name: str, door: str) -> bool:
    world = build()
    if row.setup is not None:
        row.setup(world)
    actor = world.actor(actor_name)
    before = webhooks_snapshot()
    if door == "service":
        try:
            row.service(world, actor)
        except PermissionDenied:
            assert not row.done(world), "refused, yet it happened"
            assert webhooks_snapshot() == before, "a refusal changed a webhook"
            return False
        return row.done(world)
    client = Client()
    if actor_name != "anonymous":
        client.force_login(actor)
    response = row.html(world, client)
    assert response is None or response.status_code < 500
    done = row.done(world)
    if not done:
        assert webhooks_snapshot() == before, "a refusal changed a webhook"
    return done


@pytest.mark.parametrize("door", ["service", "html"])
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("row", ROWS + PAGES, ids=lambda row: row.name.replace(" ", "-"))
def test_matrix(row: Row, actor: str, door: str) -> None:
    allowed = actor in row.allowed
    assert _run(row, actor, door) == allowed, (
        f"{actor} {'should' if allowed else 'should not'} be able to {row.name} ({door})"
    )


# The row that exercises each logged action (the system's auto-hide is not an actor's).
ACTION_ROWS = {
    "flags_agreed": "agree with flags",
    "flags_dismissed": "dismiss flags",
    "pin": "pin",
    "unpin": "unpin",
    "lock": "lock",
    "unlock": "unlock",
    "hide": "hide a question",
    "unhide": "unhide a question",
    "move": "move to another category",
    "duplicate": "mark as duplicate",
    "unduplicate": "unmark duplicate",
    "edit": "edit the author's answer",
    "delete": "delete the author's feedback",
    "suspend": "suspend a learner",
    "unsuspend": "lift a learner's suspension",
    "guide_close": "close as answered in the guide",
    "guide_reopen": "reopen from the guide",
}


def test_the_table_covers_every_action() -> None:
    """A new mentor power must join the table: every logged action has its row."""
    from moderation.models import Action

    names = {row.name for row in ROWS}
    actions = {a.value for a in Action} - {Action.AUTO_HIDE}
    assert actions == set(ACTION_ROWS), "an action without a row in ACTION_ROWS"
    assert set(ACTION_ROWS.values()) <= names
