"""Demo data for discussions: the program's topics as categories, and a living forum."""

import random
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.demo import seed_people
from accounts.models import User
from discussions import demo_content, services
from discussions.models import (
    Answer,
    Category,
    Comment,
    Follow,
    Mention,
    PostKind,
    Question,
    Revision,
    Vote,
)
from discussions.services import category_ensure

CATEGORIES = [
    ("python", "Python", "The language itself: syntax, typing, packaging, the standard library."),
    (
        "django",
        "Django",
        "Models, views, templates, the ORM, admin, settings and the request cycle.",
    ),
    ("rest-apis", "REST APIs", "Django REST Framework, serializers, auth, pagination, API design."),
    ("graphql", "GraphQL", "Schemas, resolvers, strawberry, N+1 and dataloaders."),
    ("docker", "Docker", "Images, Dockerfiles, Compose, volumes and networking."),
    ("ci-cd", "CI/CD", "GitHub Actions, tests in CI, deployments and release pipelines."),
    ("databases", "Databases", "PostgreSQL, schema design, indexes, migrations and query plans."),
    ("async-tasks", "Async tasks (Celery/RabbitMQ)", "Celery workers, RabbitMQ, retries, beat."),
    ("caching", "Caching (Redis)", "Redis, Django's cache framework, invalidation, rate limits."),
    ("career", "Career & general", "Interviews, portfolios, learning plans and everything else."),
]


def seed_categories() -> list[Category]:
    return [
        category_ensure(slug=slug, name=name, description=description, position=index)
        for index, (slug, name, description) in enumerate(CATEGORIES)
    ]


# --- A living forum ------------------------------------------------------------------------

#: Votes, the timeline and the spacing of replies come from this seed: every run (on any
#: database) makes the same forum.
FORUM_SEED = 2026
#: Nothing is placed closer to "now" than this, so the demo's own posts never count against
#: anyone's posting rate limit (the services count the posts of the last hour).
MIN_AGE = timedelta(minutes=75)


def seed_forum(*, accounts: Iterable[User]) -> dict[str, int]:
    """Fill the forum with demo people, questions, answers, comments, accepted answers and
    votes (content in discussions/demo_content.py), all written through the services.

    `accounts` are the demo accounts of accounts/demo.py (`ada`, `grace`, `admin-nexus`,
    found by handle); the extra people are created here, with unusable passwords.

    Idempotent: people are looked up by email, questions by title; a question that exists
    is skipped with everything under it. Returns how many rows of each kind were created
    (all zeros on a second run).

    After each write, the post's timestamps (and those of its revision, mentions, follows
    and votes) are moved back in time, so the forum has a history over the last two months:
    questions spread over ~60 days, answers after their question, comments after their post.
    That also keeps every author's posts-in-the-last-hour count at zero.
    """
    with transaction.atomic():
        return _Seeder(accounts).run()


class _Seeder:
    def __init__(self, accounts: Iterable[User]) -> None:
        self.rng = random.Random(FORUM_SEED)  # noqa: S311 - demo data, not security
        self.now = timezone.now()
        self.people = {user.handle: user for user in accounts}
        self.created = dict.fromkeys(
            ("people", "questions", "answers", "comments", "accepted", "votes"), 0
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

    def backdate(self, post: Question | Answer | Comment, kind: str, moment: datetime) -> None:
        type(post).objects.filter(pk=post.pk).update(created_at=moment)
        post.created_at = moment
        Revision.objects.filter(kind=kind, post_id=post.pk).update(created_at=moment)
        Mention.objects.filter(kind=kind, post_id=post.pk).update(created_at=moment)

    # -- content --

    def run(self) -> dict[str, int]:
        categories = Category.objects.in_bulk(field_name="slug")
        if any(q.category not in categories for q in demo_content.QUESTIONS):
            categories = {c.slug: c for c in seed_categories()}
        existing = set(
            Question.objects.filter(
                title__in=[q.title for q in demo_content.QUESTIONS]
            ).values_list("title", flat=True)
        )
        todo = [q for q in demo_content.QUESTIONS if q.title not in existing]
        self.ensure_people()
        for item in todo:
            self.question(item, categories[item.category])
        return self.created

    def question(self, item: demo_content.DemoQuestion, category: Category) -> None:
        asker = self.person(item.author)
        asked_at = self.clamp(self.now - timedelta(days=item.days_ago))
        question = services.question_create(
            author=asker, title=item.title, body=item.body, category=category, tags=item.tags
        )
        self.backdate(question, PostKind.QUESTION, asked_at)
        Follow.objects.filter(question=question).update(created_at=asked_at)
        self.created["questions"] += 1
        moments = [asked_at]

        for comment in item.comments:
            moments.append(self.comment(comment, self.later(asked_at, 0.2, 8), question=question))

        answered_at = asked_at
        answers: list[tuple[Answer, datetime]] = []
        for answer_item in item.answers:
            answered_at = self.later(answered_at, 0.5, 20)
            answer = services.answer_create(
                author=self.person(answer_item.author), question=question, body=answer_item.body
            )
            self.backdate(answer, PostKind.ANSWER, answered_at)
            Follow.objects.filter(question=question, user=answer.author).update(
                created_at=answered_at
            )
            self.created["answers"] += 1
            moments.append(answered_at)
            answers.append((answer, answered_at))
            commented_at = answered_at
            for comment in answer_item.comments:
                commented_at = self.later(commented_at, 0.2, 10)
                moments.append(self.comment(comment, commented_at, answer=answer))
            if answer_item.accepted:
                services.answer_accept(actor=asker, answer=answer)
                self.created["accepted"] += 1

        Question.objects.filter(pk=question.pk).update(last_activity_at=max(moments))
        self.votes(question, asked_at, boost=2 if any(a.accepted for a in item.answers) else 0)
        for (answer, answered_at), answer_item in zip(answers, item.answers, strict=True):
            boost = (3 if answer_item.accepted else 0) + (1 if answer.by_mentor else 0)
            self.votes(answer, answered_at, boost=boost)

    def comment(
        self,
        item: demo_content.DemoComment,
        moment: datetime,
        *,
        question: Question | None = None,
        answer: Answer | None = None,
    ) -> datetime:
        comment = services.comment_create(
            author=self.person(item.author), body=item.body, question=question, answer=answer
        )
        self.backdate(comment, PostKind.COMMENT, moment)
        self.created["comments"] += 1
        return moment

    def votes(self, post: Question | Answer, posted_at: datetime, *, boost: int) -> None:
        voters = sorted(
            (u for u in self.people.values() if u.pk != post.author_id), key=lambda u: u.handle
        )
        count = min(len(voters), self.rng.randint(0, 3) + boost)
        field = "question" if isinstance(post, Question) else "answer"
        for voter in self.rng.sample(voters, count):
            services.vote_toggle(user=voter, post=post)
            Vote.objects.filter(user=voter, **{field: post}).update(
                created_at=self.later(posted_at, 0.5, 72)
            )
            self.created["votes"] += 1
