"""The demo showcase: idempotent, every state present, counters that match the rows."""

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from accounts.demo import seed_accounts
from projects import demo_content
from projects.demo import seed_projects
from projects.models import Feedback, Project, Review, ReviewState, Star, State, Verdict

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    accounts = [user for user, _ in seed_accounts()]
    created = seed_projects(accounts=accounts)
    return accounts, created


def test_second_run_creates_nothing(seeded):
    accounts, created = seeded
    assert created["projects"] == len(demo_content.PROJECTS) >= 15
    rows = (Project.objects.count(), Star.objects.count(), Feedback.objects.count())
    again = seed_projects(accounts=accounts)
    assert set(again.values()) == {0}
    assert (Project.objects.count(), Star.objects.count(), Feedback.objects.count()) == rows


def test_every_state_is_present(seeded):
    states = set(Project.objects.values_list("state", flat=True))
    assert states == set(State.values)
    hidden = Project.objects.get(state=State.HIDDEN)
    assert hidden.hidden_reason and hidden.hidden_by.is_mentor
    assert Project.objects.filter(state=State.DRAFT, author__handle="ada").exists()
    assert Project.objects.filter(feedback_wanted=True).exclude(feedback_note="").exists()
    assert Project.objects.filter(state=State.PUBLISHED, author__handle="ada").exists()


def test_every_review_state_is_present(seeded):
    published = Project.objects.filter(state=State.PUBLISHED)
    assert set(published.values_list("review_state", flat=True)) == set(ReviewState.values)
    assert published.filter(review_state=ReviewState.IN_REVIEW, reviewer__handle="grace").exists()
    verdicts = set(Review.objects.exclude(completed_at=None).values_list("verdict", flat=True))
    assert verdicts == set(Verdict.values)
    # Needs work, then asked again: waiting with an earlier review behind it.
    rerequested = published.filter(
        review_state=ReviewState.REQUESTED, last_reviewed_at__isnull=False
    )
    assert rerequested.exists()
    for project in rerequested:
        assert project.review_requested_at > project.last_reviewed_at
        assert project.reviews.get().verdict == Verdict.NEEDS_WORK
    # The mentors' queue has old requests.
    old = timezone.now() - timezone.timedelta(days=7)
    assert published.filter(review_state=ReviewState.REQUESTED, review_requested_at__lt=old)


def test_counters_match_rows(seeded):
    projects = Project.objects.annotate(
        stars_n=Count("stars", distinct=True),
        feedback_n=Count("feedback", filter=Q(feedback__is_deleted=False), distinct=True),
    )
    for project in projects:
        assert project.star_count == project.stars_n, project.title
        assert project.feedback_count == project.feedback_n, project.title
    assert Star.objects.count() > 20
    assert Feedback.objects.filter(parent__isnull=False).exists()


def test_timeline_is_consistent(seeded):
    now = timezone.now()
    for project in Project.objects.all():
        assert project.created_at < now - timezone.timedelta(hours=1)
        if project.published_at:
            assert project.created_at <= project.published_at == project.listed_at
            assert project.published_at >= now - timezone.timedelta(days=91)
            for feedback in project.feedback.all():
                assert feedback.created_at >= project.published_at
                if feedback.parent_id:
                    assert feedback.created_at >= feedback.parent.created_at
            for star in project.stars.all():
                assert star.created_at >= project.published_at
        if project.review_requested_at:
            assert project.review_requested_at >= project.published_at
        for review in project.reviews.all():
            assert review.created_at >= project.published_at
            if review.completed_at:
                assert review.completed_at >= review.created_at
        if project.claimed_at:
            assert project.claimed_at >= project.review_requested_at
        if project.hidden_at:
            assert project.hidden_at >= project.published_at


def test_after_the_demo_forum_uses_its_people():
    """The order of `seed_demo`: the forum creates the people, the showcase reuses them."""
    from discussions.demo import seed_categories, seed_forum

    accounts = [user for user, _ in seed_accounts()]
    seed_categories()
    seed_forum(accounts=accounts)
    created = seed_projects(accounts=accounts)
    assert created["people"] == 0
    assert created["projects"] == len(demo_content.PROJECTS)
