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
