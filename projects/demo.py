"""Demo data for the project showcase: learners' projects with stars, feedback and reviews.

Content lives in projects/demo_content.py; this module writes it through
projects/services.py and then moves the timestamps back, as discussions/demo.py does.
"""

import random
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.demo import seed_people
from accounts.models import User
from notifications.models import Notification
from projects import demo_content, events, services
from projects.models import Feedback, FeedbackRevision, Project, ProjectRevision, Review, Star

#: Every run (on any database) makes the same showcase.
PROJECTS_SEED = 2027
#: Nothing is placed closer to "now" than this, so nothing reads "just now".
MIN_AGE = timedelta(minutes=75)


def seed_projects(*, accounts: Iterable[User]) -> dict[str, int]:
    """Create the demo showcase (content in projects/demo_content.py) through the services.

    `accounts` are the demo accounts of accounts/demo.py (`ada`, `grace`, `admin-nexus`,
    found by handle); the forum's demo people (discussions/demo_content.py) are looked up
    by email `<handle>@nexus.example` and created here if missing.

    Idempotent: a project whose title exists is skipped with everything under it. Returns
    how many rows of each kind were created (all zeros on a second run). Timestamps are
    moved back over the last ~90 days: publication after creation, feedback and stars
    after publication, each review after its request.
    """
    with transaction.atomic():
        return _Seeder(accounts).run()


class _Seeder:
    def __init__(self, accounts: Iterable[User]) -> None:
        self.rng = random.Random(PROJECTS_SEED)  # noqa: S311 - demo data, not security
        self.now = timezone.now()
        # Notifications newer than this are the ones this run writes (and may backdate).
        self.first_note = (
            Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        )
        self.people = {user.handle: user for user in accounts}
        self.created = dict.fromkeys(
            ("people", "projects", "stars", "feedback", "reviews", "hidden"), 0
        )

    # -- people --

    def ensure_people(self) -> None:
        people, created = seed_people(now=self.now, rng=self.rng)
        self.people.update(people)
        self.created["people"] += created

    def person(self, handle: str) -> User:
        try:
            return self.people[handle]
        except KeyError:
            raise ValueError(f"Demo content names @{handle}, who is not a demo account.") from None

    # -- time --

    def clamp(self, moment: datetime) -> datetime:
        return min(moment, self.now - MIN_AGE)

    def later(self, moment: datetime, low_hours: float, high_hours: float) -> datetime:
        return self.clamp(moment + timedelta(hours=self.rng.uniform(low_hours, high_hours)))

    # -- content --

    def run(self) -> dict[str, int]:
        existing = set(
            Project.objects.filter(title__in=[p.title for p in demo_content.PROJECTS]).values_list(
                "title", flat=True
            )
        )
        self.ensure_people()
        for item in demo_content.PROJECTS:
            if item.title not in existing:
                self.project(item)
        return self.created

    def project(self, item: demo_content.DemoProject) -> None:
        author = self.person(item.author)
        created_at = self.clamp(
            self.now - timedelta(days=item.days_ago, hours=self.rng.uniform(0, 6))
        )
        project = services.project_create(
            author=author,
            title=item.title,
            pitch=item.pitch,
            description=item.description,
            repository_url=item.repository_url,
            demo_url=item.demo_url,
            docs_url=item.docs_url,
            tags=item.tags,
            cohort=author.cohort,
            track=author.track,
            feedback_wanted=bool(item.feedback_note),
            feedback_note=item.feedback_note,
            publish=not item.draft,
        )
        self.created["projects"] += 1
        ProjectRevision.objects.filter(project=project).update(created_at=created_at)
        times = {"created_at": created_at, "updated_at": created_at, "listed_at": created_at}
        # Notification keys of this project, with the time of their latest event.
        self.notes: dict[str, datetime] = {}
        if item.draft:
            Project.objects.filter(pk=project.pk).update(**times)
            return

        published_at = self.later(created_at, 0.5, 48)
        times.update(published_at=published_at, listed_at=published_at, updated_at=published_at)
        self.latest_star = published_at
        self.stars(project, published_at, item.stars)
        for feedback_item in item.feedback:
            self.feedback(project, feedback_item, published_at)

        cursor = self.later(published_at, 6, 48)
        for review_item in item.reviews:
            requested_at = cursor
            claimed_at = self.later(requested_at, 4, 60)
            completed_at = self.later(claimed_at, 1, 24)
            project = services.review_request(actor=author, project=project)
            mentor = self.person(review_item.reviewer)
            review = services.review_claim(mentor=mentor, project=project)
            review = services.review_submit(
                mentor=mentor,
                project=project,
                verdict=review_item.verdict,
                works=review_item.works,
                improve=review_item.improve,
                notes_api_design=review_item.notes_api_design,
                notes_data_model=review_item.notes_data_model,
                notes_tests=review_item.notes_tests,
                notes_deployment=review_item.notes_deployment,
            )
            Review.objects.filter(pk=review.pk).update(
                created_at=claimed_at, completed_at=completed_at
            )
            self.created["reviews"] += 1
            self.note(events.project_topic(project.pk), completed_at)
            times.update(
                review_requested_at=requested_at,
                last_reviewed_at=completed_at,
                updated_at=completed_at,
            )
            cursor = self.later(completed_at, 24, 120)

        if item.open_review is not None:
            requested_at = self.clamp(
                max(cursor, self.now - timedelta(days=item.open_review.requested_days_ago))
            )
            project = services.review_request(actor=author, project=project)
            times.update(review_requested_at=requested_at, updated_at=requested_at)
            if item.open_review.claimed_by:
                claimed_at = self.later(requested_at, 2, 40)
                review = services.review_claim(
                    mentor=self.person(item.open_review.claimed_by), project=project
                )
                Review.objects.filter(pk=review.pk).update(created_at=claimed_at)
                times.update(claimed_at=claimed_at)
                self.created["reviews"] += 1

        if item.hidden_by:
            latest = max([times["updated_at"], self.latest_star, *self.notes.values()])
            hidden_at = self.later(latest, 2, 30)
            # Hidden through our own service; moderation's demo (seed_moderation) writes
            # the log entry and the author's notice, dated then (projects never imports it).
            services.project_hidden_set(
                project=project,
                hidden=True,
                by=self.person(item.hidden_by),
                reason=item.hidden_reason,
            )
            times.update(hidden_at=hidden_at, updated_at=hidden_at)
            self.created["hidden"] += 1

        Project.objects.filter(pk=project.pk).update(**times)
        for key, moment in self.notes.items():
            Notification.objects.filter(
                pk__gt=self.first_note, target_key=key, recipient__email__endswith="@nexus.example"
            ).update(created_at=moment, updated_at=moment)

    def note(self, key: str, moment: datetime) -> None:
        self.notes[key] = max(moment, self.notes.get(key, moment))

    def stars(self, project: Project, published_at: datetime, count: int) -> None:
        givers = sorted(
            (u for u in self.people.values() if u.pk != project.author_id),
            key=lambda u: u.handle,
        )
        for giver in self.rng.sample(givers, min(count, len(givers))):
            services.star_toggle(user=giver, project=project)
            starred_at = self.later(published_at, 1, 24 * 14)
            Star.objects.filter(user=giver, project=project).update(created_at=starred_at)
            self.latest_star = max(self.latest_star, starred_at)
            self.created["stars"] += 1

    def feedback(
        self, project: Project, item: demo_content.DemoFeedback, published_at: datetime
    ) -> None:
        moment = self.clamp(
            published_at + timedelta(days=item.days_after, hours=self.rng.uniform(0, 8))
        )
        parent = self._feedback_write(project, item.author, item.body, moment)
        for reply in item.replies:
            moment = self.later(moment, 0.5, 30)
            self._feedback_write(project, reply.author, reply.body, moment, parent=parent)
            self.note(f"project-feedback:{parent.pk}", moment)

    def _feedback_write(
        self,
        project: Project,
        handle: str,
        body: str,
        moment: datetime,
        parent: Feedback | None = None,
    ) -> Feedback:
        feedback = services.feedback_create(
            author=self.person(handle), project=project, body=body, parent=parent
        )
        Feedback.objects.filter(pk=feedback.pk).update(created_at=moment)
        FeedbackRevision.objects.filter(feedback=feedback).update(created_at=moment)
        self.created["feedback"] += 1
        self.note(events.project_topic(project.pk), moment)
        return feedback
