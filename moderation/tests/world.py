"""A small forum with one of each thing moderation touches, and the six kinds of actor.

`author` wrote every post (question, answer, comment, project, feedback); `learner`,
`suspended`, `mentor` and `admin` are the others who may try to act on them. Accounts to
act on (`victim`, `mentor2`, `admin2`, `suspended_victim`) are nobody's actors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.models import Role, User
from accounts.tests.factories import UserFactory
from discussions.models import Answer, Category, Comment, Question
from discussions.tests import factories as forum
from projects.models import Feedback, Project
from projects.tests import factories as showcase

ACTORS = ("anonymous", "learner", "author", "suspended", "mentor", "admin")
ANYONE_SIGNED_IN = frozenset({"learner", "author", "mentor", "admin"})
MENTORS = frozenset({"mentor", "admin"})


@dataclass
class World:
    author: User
    learner: User
    suspended: User
    mentor: User
    admin: User
    victim: User
    mentor2: User
    admin2: User
    suspended_victim: User
    category: Category
    other_category: Category
    question: Question
    original: Question
    answer: Answer
    comment: Comment
    project: Project
    feedback: Feedback

    def actor(self, name: str) -> Any:
        return AnonymousUser() if name == "anonymous" else getattr(self, name)

    def fresh(self, obj: Any) -> Any:
        obj.refresh_from_db()
        return obj


def suspend(user: User, days: int = 3, reason: str = "Spam links") -> User:
    User.objects.filter(pk=user.pk).update(
        suspended_until=timezone.now() + timedelta(days=days), suspension_reason=reason
    )
    user.refresh_from_db()
    return user


def build() -> World:
    def person(handle: str, role: str = Role.LEARNER) -> User:
        return UserFactory(handle=handle, role=role)

    author = person("the-author")
    learner = person("a-learner")
    mentor = person("a-mentor", Role.MENTOR)
    admin = person("an-admin", Role.ADMIN)
    other_mentor = person("mentor-two", Role.MENTOR)
    category = forum.category()
    other_category = forum.category(slug="python", name="Python")
    original = forum.question(learner, title="How do Django migrations depend on each other?")
    question = forum.question(author, title="Why does my Django migration fail on deploy?")
    # An hour and more ago, so "ask a mentor" is open to its author.
    Question.objects.filter(pk=question.pk).update(created_at=timezone.now() - timedelta(hours=2))
    question.refresh_from_db()
    answer = forum.answer(author, question, body="Check the migration order in `showmigrations`.")
    comment = forum.comment(author, body="Which Django version is this?", question=question)
    project = showcase.project(author)
    feedback = showcase.feedback(author, project, body="Notes on my own API design.")
    # Suspended last: nothing above may be refused for them.
    suspended = suspend(person("a-suspended"))
    return World(
        author=author,
        learner=learner,
        suspended=suspended,
        mentor=mentor,
        admin=admin,
        victim=person("victim"),
        mentor2=other_mentor,
        admin2=person("admin-two", Role.ADMIN),
        suspended_victim=suspend(person("suspended-victim")),
        category=category,
        other_category=other_category,
        question=question,
        original=original,
        answer=answer,
        comment=comment,
        project=project,
        feedback=feedback,
    )
