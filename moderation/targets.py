"""What moderation can point at, behind one small interface.

A flag, a case or a log entry names its target as a (kind, id) pair; `target_get` turns
the pair back into a `Target` that knows the object, its author, a label and a link for
people, and which service of its own app hides and unhides it (moderation never writes
a content app's rows). Everything kind-specific in moderation lives here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import TextField

from accounts.permissions import may_see_hidden
from discussions import services as forum_services
from discussions.models import Answer, Comment, Question
from moderation.models import TargetKind
from projects import services as project_services
from projects.models import Feedback, Project, State
from projects.permissions import can_view as can_view_project

LABEL_MAX = 200


@dataclass
class Target:
    kind: str
    obj: Any

    @property
    def pk(self) -> int:
        return self.obj.pk

    @property
    def author_id(self) -> int:
        return self.obj.author_id

    @property
    def author(self) -> Any:
        return self.obj.author

    @property
    def question(self) -> Question | None:
        """The thread this target belongs to, for forum posts."""
        if self.kind == TargetKind.QUESTION:
            return self.obj
        if self.kind == TargetKind.ANSWER:
            return self.obj.question
        if self.kind == TargetKind.COMMENT:
            return self.obj.question or self.obj.answer.question
        return None

    @property
    def project(self) -> Project | None:
        if self.kind == TargetKind.PROJECT:
            return self.obj
        if self.kind == TargetKind.FEEDBACK:
            return self.obj.project
        return None

    @property
    def noun(self) -> str:
        return TargetKind(self.kind).label.lower()

    @property
    def label(self) -> str:
        """`Answer on “Why is my queryset slow?”`: what a mentor or the author recognises."""
        if self.kind in (TargetKind.QUESTION, TargetKind.PROJECT):
            text = self.obj.title
        else:
            parent = self.question or self.project
            text = f"{TargetKind(self.kind).label} on “{parent.title}”"
        return text[:LABEL_MAX]

    @property
    def url(self) -> str:
        if self.kind == TargetKind.COMMENT:
            return f"{self.question.get_absolute_url()}#comment-{self.obj.pk}"
        return self.obj.get_absolute_url()

    @property
    def is_hidden(self) -> bool:
        if self.kind == TargetKind.PROJECT:
            return self.obj.state == State.HIDDEN
        return self.obj.hidden_at is not None

    @property
    def hidden_reason(self) -> str:
        return self.obj.hidden_reason

    @property
    def is_gone(self) -> bool:
        """Deleted by its author (or a draft again): nothing left to moderate."""
        if self.kind == TargetKind.PROJECT:
            return self.obj.state == State.DRAFT
        return self.obj.is_deleted

    def hidden_set(self, *, hidden: bool, actor: Any, reason: str = "") -> None:
        """Hide or show it again through its own app's service (which owns the row, its
        counters and its page's open tabs)."""
        if self.kind == TargetKind.PROJECT:
            project_services.project_hidden_set(
                project=self.obj, hidden=hidden, by=actor, reason=reason
            )
        elif self.kind == TargetKind.FEEDBACK:
            project_services.feedback_hidden_set(feedback=self.obj, hidden=hidden, reason=reason)
        else:
            forum_services.post_hidden_set(post=self.obj, hidden=hidden, reason=reason)

    def hidden_reason_set(self, reason: str) -> None:
        if self.kind == TargetKind.PROJECT:
            project_services.project_hidden_reason_set(project=self.obj, reason=reason)
        elif self.kind == TargetKind.FEEDBACK:
            project_services.feedback_hidden_reason_set(feedback=self.obj, reason=reason)
        else:
            forum_services.post_hidden_reason_set(post=self.obj, reason=reason)


_LOADERS = {
    TargetKind.QUESTION: lambda: Question.objects.select_related("author", "category"),
    TargetKind.ANSWER: lambda: Answer.objects.select_related("author", "question"),
    TargetKind.COMMENT: lambda: Comment.objects.select_related(
        "author", "question", "answer", "answer__question"
    ),
    TargetKind.PROJECT: lambda: Project.objects.select_related("author"),
    TargetKind.FEEDBACK: lambda: Feedback.objects.select_related("author", "project"),
}


def target_get(kind: str, pk: int) -> Target | None:
    """The target, or None for an unknown kind or id (deleted rows included: callers
    decide what a deleted target means)."""
    loader = _LOADERS.get(kind)
    if loader is None:
        return None
    obj = loader().filter(pk=pk).first()
    return Target(kind, obj) if obj is not None else None


def targets_get_many(kind: str, pks: list[int], *, without_text: bool = False) -> list[Target]:
    """Several targets of one kind in one query (the queue's rows). `without_text` leaves
    the bodies out: a queue row shows a post's label, link and state, never its words."""
    loader = _LOADERS.get(kind)
    if loader is None or not pks:
        return []
    rows = loader().filter(pk__in=pks)
    if without_text:
        rows = rows.defer(
            *(f.name for f in rows.model._meta.concrete_fields if isinstance(f, TextField))
        )
    return [Target(kind, obj) for obj in rows]


def target_of(obj: Any) -> Target:
    for kind, model in (
        (TargetKind.QUESTION, Question),
        (TargetKind.ANSWER, Answer),
        (TargetKind.COMMENT, Comment),
        (TargetKind.PROJECT, Project),
        (TargetKind.FEEDBACK, Feedback),
    ):
        if isinstance(obj, model):
            return Target(kind, obj)
    raise TypeError(f"{type(obj).__name__} cannot be moderated.")


def visible_to(user: Any, target: Target) -> bool:
    """Whether `user` can see the target at all (through its own app's rules) — nobody
    flags or acts on what they cannot open."""
    if target.is_gone:
        return False
    question, project = target.question, target.project
    if question is not None:
        if question.is_deleted:
            return False
        thread_parts = [question]
        if target.kind == TargetKind.COMMENT and target.obj.answer_id:
            thread_parts.append(target.obj.answer)
        if target.kind == TargetKind.ANSWER:
            thread_parts.append(target.obj)
        if target.kind == TargetKind.COMMENT:
            thread_parts.append(target.obj)
        return all(
            not part.is_deleted and (part.hidden_at is None or may_see_hidden(user, part))
            for part in thread_parts
        )
    if not can_view_project(user, project):
        return False
    if target.kind == TargetKind.FEEDBACK:
        return target.obj.hidden_at is None or may_see_hidden(user, target.obj)
    return True
