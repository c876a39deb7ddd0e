"""The moderation demo: a queue with something in it, a log with a history, all backdated,
made through the services, and idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from accounts.demo import DEMO_ACCOUNTS
from accounts.models import Role, User
from discussions.models import Answer, Comment, Question
from moderation.demo import TROUBLEMAKER
from moderation.models import (
    Action,
    Case,
    Flag,
    FlagReason,
    LogEntry,
    MentorNote,
    QuestionClaim,
    SavedReply,
    TargetKind,
)
from moderation.selectors import response_times
from moderation.services import question_id_parse
from notifications.models import Kind, Notification
from projects.models import Feedback

pytestmark = pytest.mark.django_db

HOUR = timezone.timedelta(hours=1)
MENTOR_ROLES = (Role.MENTOR, Role.ADMIN)


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", allow_without_debug=True, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module (a seeding takes seconds), inside a transaction rolled
    back at the end; each test runs in a savepoint within it, as usual."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed()
        transaction.set_rollback(True)


def open_cases(kind: str):
    return Case.objects.filter(state=Case.State.OPEN, kind=kind)


def test_the_summary_names_what_moderation_made(seeded):
    assert "moderation: 1 people" in seeded
    assert "5 saved replies" in seeded


def test_an_answer_hidden_by_three_flags_waits_for_review(seeded):
    case = open_cases(TargetKind.ANSWER).get(hidden_by_flags=True)
    assert case.flag_count == case.flags.count() == 3
    assert case.claimed_by is None and case.resolved_at is None
    answer = Answer.objects.get(pk=case.object_id)
    assert answer.hidden_at is not None
    assert answer.hidden_reason.startswith("Flagged by 3 people")
    assert answer.hidden_at == case.last_flagged_at
    entry = LogEntry.objects.get(action=Action.AUTO_HIDE, target_id=answer.pk)
    assert entry.actor is None and entry.target_user == answer.author
    assert entry.created_at == answer.hidden_at
    told = Notification.objects.get(target_key=f"moderation:{entry.pk}")
    assert told.recipient == answer.author and told.created_at == entry.created_at


def test_the_other_open_cases(seeded):
    comment_case = open_cases(TargetKind.COMMENT).get()
    assert list(comment_case.flags.values_list("reason", flat=True)) == [FlagReason.OFF_TOPIC]
    assert Comment.objects.get(pk=comment_case.object_id).hidden_at is None

    duplicate_case = open_cases(TargetKind.QUESTION).get()
    flag = duplicate_case.flags.get()
    assert flag.reason == FlagReason.DUPLICATE
    original = Question.objects.get(pk=question_id_parse(flag.detail))
    assert original.pk != duplicate_case.object_id
    assert original.title.startswith("N+1 queries")

    feedback_case = open_cases(TargetKind.FEEDBACK).get()
    assert feedback_case.flags.get().reason == FlagReason.ABUSIVE
    assert Feedback.objects.filter(pk=feedback_case.object_id, hidden_at=None).exists()


def test_a_dismissed_case_for_history(seeded):
    case = Case.objects.get(state=Case.State.DISMISSED)
    assert case.resolved_by.handle == "grace" and case.resolution_note
    assert case.resolved_at > case.opened_at
    entry = LogEntry.objects.get(action=Action.FLAGS_DISMISSED)
    assert (entry.target_kind, entry.target_id) == (case.kind, case.object_id)
    assert entry.created_at == case.resolved_at


def test_pinned_locked_and_duplicate_questions(seeded):
    pinned = Question.objects.exclude(pinned_at=None)
    assert pinned.values("category").distinct().count() == 2
    for question in pinned:
        best = (
            Question.objects.filter(category=question.category)
            .order_by("-score", "created_at")
            .first()
        )
        assert question == best
        assert LogEntry.objects.filter(action=Action.PIN, target_id=question.pk).exists()

    locked = Question.objects.exclude(locked_at=None).get()
    assert locked.lock_reason
    lock = LogEntry.objects.get(action=Action.LOCK, target_id=locked.pk)
    assert lock.actor.is_mentor and lock.created_at == locked.locked_at

    duplicate = Question.objects.exclude(duplicate_of=None).select_related("duplicate_of").get()
    assert duplicate.duplicate_of.title.startswith("Django container can't reach Postgres")
    entry = LogEntry.objects.get(action=Action.DUPLICATE, target_id=duplicate.pk)
    assert entry.reason and entry.created_at > duplicate.created_at


def test_ask_a_mentor_claims_and_notes(seeded):
    asked = Question.objects.exclude(mentor_requested_at=None)
    assert 2 <= asked.count() <= 3
    for question in asked:
        assert not question.has_mentor_answer
        assert question.mentor_requested_at >= question.created_at + HOUR
    claim = QuestionClaim.objects.select_related("question", "mentor").get()
    assert claim.mentor.handle == "grace"
    assert claim.question in asked and claim.claimed_at > claim.question.mentor_requested_at

    notes = MentorNote.objects.all()
    assert notes.values("question").distinct().count() == 2
    assert notes.filter(
        question=claim.question, author__handle="grace", body__startswith="I'll take this one"
    ).exists()
    assert all(note.body_html for note in notes)


def test_saved_replies(seeded):
    grace = set(SavedReply.objects.filter(owner__handle="grace").values_list("body", flat=True))
    assert len(grace) == 3
    text = "\n".join(grace)
    for needle in ("traceback", "minimal", "select_related", "prefetch_related"):
        assert needle in text
    assert SavedReply.objects.filter(owner__handle="admin-nexus").count() == 2


def test_a_suspended_learner_and_not_the_demo_logins(seeded):
    now = timezone.now()
    suspended = User.objects.get(suspended_until__gt=now)
    assert suspended.handle == TROUBLEMAKER.handle
    assert suspended.role == Role.LEARNER and suspended.suspension_reason
    assert suspended.email not in {account.email for account in DEMO_ACCOUNTS}
    ahead = suspended.suspended_until - now
    assert timezone.timedelta(days=2, hours=12) < ahead <= timezone.timedelta(days=3)
    entry = LogEntry.objects.get(action=Action.SUSPEND, target_user=suspended)
    assert entry.actor.handle == "admin-nexus" and entry.reason
    # What got him suspended came first.
    first_post = Answer.objects.get(author=suspended).created_at
    assert first_post < entry.created_at
    for account in DEMO_ACCOUNTS:
        assert not User.objects.get(email=account.email).is_suspended


def test_every_moderation_action_is_logged(seeded):
    actions = set(LogEntry.objects.values_list("action", flat=True))
    assert {
        Action.AUTO_HIDE,
        Action.FLAGS_DISMISSED,
        Action.PIN,
        Action.LOCK,
        Action.DUPLICATE,
        Action.SUSPEND,
    } <= actions


def test_backdated_and_never_emailed(seeded):
    now = timezone.now()
    old = now - HOUR
    mine = Q(author__handle=TROUBLEMAKER.handle)
    for model in (Answer, Comment, Feedback):
        assert not model.objects.filter(created_at__gt=old).exists(), model.__name__
    assert Answer.objects.filter(mine).exists() and Feedback.objects.filter(mine).exists()
    assert not Flag.objects.filter(created_at__gt=old).exists()
    assert not Case.objects.filter(Q(opened_at__gt=old) | Q(resolved_at__gt=old)).exists()
    assert not MentorNote.objects.filter(created_at__gt=old).exists()
    assert not QuestionClaim.objects.filter(claimed_at__gt=old).exists()
    assert not SavedReply.objects.filter(created_at__gt=old).exists()
    forum_moderation = LogEntry.objects.exclude(target_kind=TargetKind.PROJECT)
    assert not forum_moderation.filter(created_at__gt=old).exists()
    told = Notification.objects.filter(kind=Kind.MODERATION)
    assert told.count() >= 4
    assert not Notification.objects.filter(emailed_at=None).exists()
    for question in Question.objects.exclude(
        Q(pinned_at=None) & Q(locked_at=None) & Q(mentor_requested_at=None)
    ):
        for moment in (question.pinned_at, question.locked_at, question.mentor_requested_at):
            assert moment is None or question.created_at < moment < old


def test_first_mentor_responses_are_the_earliest_mentor_posts(seeded):
    answers = Answer.objects.filter(author__role__in=MENTOR_ROLES).values("question")
    comments = Comment.objects.filter(author__role__in=MENTOR_ROLES)
    responded = Question.objects.filter(
        Q(pk__in=answers)
        | Q(pk__in=comments.values("question"))
        | Q(pk__in=comments.values("answer__question"))
    ).distinct()
    assert responded.count() > 20
    for question in responded:
        first_answer = Answer.objects.filter(
            question=question, author__role__in=MENTOR_ROLES
        ).aggregate(at=Min("created_at"))["at"]
        first_comment = comments.filter(
            Q(question=question) | Q(answer__question=question)
        ).aggregate(at=Min("created_at"))["at"]
        first = min(at for at in (first_answer, first_comment) if at is not None)
        assert question.first_mentor_response_at == first, question.title
        assert question.first_mentor_responder.is_mentor
    figures = response_times(days=30)
    assert figures.overall.count >= 10
    assert HOUR / 2 < figures.overall.median < timezone.timedelta(days=2)
    assert {"Grace Mentor"} <= {figure.label for figure in figures.by_mentor}


def question_states() -> list[tuple]:
    fields = (
        "pinned_at",
        "locked_at",
        "duplicate_of",
        "mentor_requested_at",
        "first_mentor_response_at",
    )
    return list(Question.objects.order_by("pk").values_list(*fields))


def test_second_run_creates_nothing(seeded):
    models = (Case, Flag, LogEntry, MentorNote, QuestionClaim, SavedReply, Notification)
    before = {model: model.objects.count() for model in models}
    posts = (Question.objects.count(), Answer.objects.count(), Comment.objects.count())
    states = question_states()
    out = seed()
    assert "(already there)" in out
    assert {model: model.objects.count() for model in models} == before
    assert (Question.objects.count(), Answer.objects.count(), Comment.objects.count()) == posts
    assert question_states() == states
    assert User.objects.filter(suspended_until__gt=timezone.now()).count() == 1
