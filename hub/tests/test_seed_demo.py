"""seed_demo is for development and trial databases: it refuses without DEBUG unless told,
and moves back in time only the rows of the demo's own people."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from discussions.models import Follow, Question, Revision
from discussions.tests import factories as forum

pytestmark = pytest.mark.django_db
HOUR = timezone.timedelta(hours=1)


def test_seeding_backdates_only_the_demo_rows(learner):
    """A real person's rows written while the demo runs keep their times: stand-ins
    dated after the run's start (as a concurrent write would be) must not move."""
    question = forum.question(learner, title="A real question asked while seeding ran")
    later = timezone.now() + 2 * HOUR
    Question.objects.filter(pk=question.pk).update(created_at=later)
    Revision.objects.filter(post_id=question.pk, kind="question").update(created_at=later)
    Follow.objects.filter(question=question).update(created_at=later)
    call_command("seed_demo", allow_without_debug=True, stdout=StringIO())
    question.refresh_from_db()
    assert question.created_at == later
    assert Revision.objects.get(post_id=question.pk, kind="question").created_at == later
    assert Follow.objects.get(question=question).created_at == later


def test_seed_demo_refuses_without_debug_unless_told(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--allow-without-debug"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.exists()


DEMO = "@nexus.example"


def _real_world(learner, other_learner, mentor):
    """A database in use before the demo arrives: a real thread with an answer, a comment,
    a vote, follows, a mentor's pin (a log entry), a project with feedback, a guide
    section a real mentor reviewed, notifications, and an unanswered caching question
    the guide's demo must not close. Every stamp is set to a known moment."""
    from discussions import services as forum_services
    from guides import services as guide_services
    from guides.tests import factories as guide_make
    from moderation import services as moderation
    from projects.tests import factories as showcase

    question = forum.question(learner, title="A real question from before the demo")
    answer = forum.answer(other_learner, question)
    comment = forum.comment(mentor, question=question)
    forum_services.vote_toggle(user=other_learner, post=question)
    moderation.question_pin(actor=mentor, question=question, pinned=True)
    project = showcase.project(learner, title="A real project from before the demo")
    showcase.feedback(other_learner, project)
    section = guide_make.section(mentor, title="A real section from before the demo")
    guide_services.section_review(reviewer=mentor, section=section)
    caching = forum.category(slug="caching", name="Caching")
    unanswered = forum.question(
        learner, title="A real caching question nobody answered", cat=caching
    )
    return question, answer, comment, project, section, unanswered


def _stamps(models_and_rows) -> dict:
    return {(model.__name__, pk): values for model, rows in models_and_rows for pk, *values in rows}


def _everything_stamped():
    """Every timestamp of every row of the apps the seed touches, by row (not the demo
    people's: only rows that existed before are compared)."""
    from discussions.models import Answer, Comment, Vote
    from guides.models import Section, SectionReview
    from moderation.models import LogEntry
    from notifications.models import Notification
    from projects.models import Feedback, Project

    return _stamps(
        [
            (Question, Question.objects.values_list(
                "pk", "created_at", "last_activity_at", "pinned_at", "edited_at")),
            (Answer, Answer.objects.values_list("pk", "created_at")),
            (Comment, Comment.objects.values_list("pk", "created_at")),
            (Revision, Revision.objects.values_list("pk", "created_at")),
            (Follow, Follow.objects.values_list("pk", "created_at")),
            (Vote, Vote.objects.values_list("pk", "created_at")),
            (Project, Project.objects.values_list(
                "pk", "created_at", "published_at", "updated_at")),
            (Feedback, Feedback.objects.values_list("pk", "created_at")),
            (Section, Section.objects.values_list("pk", "last_reviewed_at", "updated_at")),
            (SectionReview, SectionReview.objects.values_list("pk", "created_at")),
            (LogEntry, LogEntry.objects.values_list("pk", "created_at")),
            (Notification, Notification.objects.values_list(
                "pk", "created_at", "updated_at", "emailed_at")),
            (User, User.objects.values_list("pk", "date_joined")),
        ]
    )  # fmt: skip


def test_rows_that_were_there_before_the_seed_keep_their_times(learner, other_learner, mentor):
    """Every app the seed touches (forum, projects, guide, moderation log, notifications,
    accounts): rows that existed before it ran keep every timestamp, and the guide's demo
    closes a demo thread, never a real person's."""
    from guides.models import SectionQuestion

    *_, unanswered = _real_world(learner, other_learner, mentor)
    before = _everything_stamped()
    assert len(before) > 15
    call_command("seed_demo", allow_without_debug=True, stdout=StringIO())
    after = _everything_stamped()
    assert {key: after[key] for key in before} == before
    assert Question.objects.filter(author__email__endswith=DEMO).count() > 10
    assert not SectionQuestion.objects.filter(question=unanswered).exists()
    assert SectionQuestion.objects.filter(kind="answered").exists()  # a demo thread instead


def test_a_second_run_leaves_what_people_did_since_the_first(learner, mentor):
    """After a first seed, real people act on demo threads: a demo person is notified
    of a real reply (not emailed yet), a real mentor closes a demo question in the guide
    (a log entry about a demo person, in the last hour). A second run moves neither,
    and does not mark the notification as emailed."""
    from moderation.models import Action, LogEntry, TargetKind
    from moderation.services.log import record
    from notifications.models import Notification

    call_command("seed_demo", allow_without_debug=True, stdout=StringIO())
    demo_question = Question.objects.filter(author__email__endswith=DEMO).order_by("pk").first()
    # The demo person has read their notifications: the reply makes a new one.
    Notification.objects.filter(recipient=demo_question.author).update(is_read=True)
    forum.answer(learner, demo_question, body="A real reply, after the demo was seeded.")
    note = Notification.objects.filter(
        recipient=demo_question.author, target_key=f"question:{demo_question.pk}"
    ).latest("updated_at")
    assert note.emailed_at is None
    entry = record(
        actor=mentor,
        action=Action.GUIDE_CLOSE,
        target_kind=TargetKind.QUESTION,
        target_id=demo_question.pk,
        target_label=demo_question.title,
        target_user=demo_question.author,
        reason="Answered in the guide.",
    )
    before = _everything_stamped()
    call_command("seed_demo", allow_without_debug=True, stdout=StringIO())
    after = _everything_stamped()
    assert {key: after[key] for key in before} == before
    note.refresh_from_db()
    entry.refresh_from_db()
    assert note.emailed_at is None
    assert LogEntry.objects.get(pk=entry.pk).created_at == before[("LogEntry", entry.pk)][0]
