"""What webhooks does when the content apps announce a write (hub.hooks): they never
import webhooks; `connect()` subscribes these in WebhooksConfig.ready().

    discussions.answer_created   answer.created   to the question's author
    projects.feedback_created    feedback.created to the project's author
    projects.review_submitted    review.submitted to the project's author

Each runs in the announcing write's transaction and records deliveries for the owner's
webhooks only (their own things). A payload holds what the owner sees on the page: the
public handle and name of whoever wrote, never an email address.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from hub import hooks
from webhooks.models import Event
from webhooks.services import deliveries_record


def connect() -> None:
    hooks.connect("discussions.answer_created", answer_created)
    hooks.connect("projects.feedback_created", feedback_created)
    hooks.connect("projects.review_submitted", review_submitted)


def _absolute(path: str) -> str:
    return settings.NEXUS_BASE_URL.rstrip("/") + path


def _person(user: Any) -> dict[str, Any]:
    return {"handle": user.handle, "name": user.display_name or user.handle}


def _project(project: Any) -> dict[str, Any]:
    return {"id": project.pk, "title": project.title, "url": _absolute(project.get_absolute_url())}


def answer_created(*, answer: Any, question: Any) -> None:
    payload = {
        "question": {
            "id": question.pk,
            "title": question.title,
            "url": _absolute(question.get_absolute_url()),
        },
        "answer": {
            "id": answer.pk,
            "url": _absolute(answer.get_absolute_url()),
            "body": answer.body,
            "author": _person(answer.author),
            "by_mentor": answer.by_mentor,
            "created_at": answer.created_at.isoformat(),
        },
    }
    deliveries_record(owner=question.author, event=Event.ANSWER_CREATED, payload=payload)


def feedback_created(*, feedback: Any, project: Any) -> None:
    payload = {
        "project": _project(project),
        "feedback": {
            "id": feedback.pk,
            "url": _absolute(feedback.get_absolute_url()),
            "body": feedback.body,
            "author": _person(feedback.author),
            "by_mentor": feedback.by_mentor,
            "reply_to": feedback.parent_id,
            "created_at": feedback.created_at.isoformat(),
        },
    }
    deliveries_record(owner=project.author, event=Event.FEEDBACK_CREATED, payload=payload)


def review_submitted(*, review: Any, project: Any) -> None:
    payload = {
        "project": _project(project),
        "review": {
            "id": review.pk,
            "url": _absolute(f"{project.get_absolute_url()}#review-{review.pk}"),
            "verdict": review.verdict,
            "reviewer": _person(review.reviewer),
            **{name: getattr(review, name) for name in review.TEXT_FIELDS},
            "completed_at": review.completed_at.isoformat(),
        },
    }
    deliveries_record(owner=project.author, event=Event.REVIEW_SUBMITTED, payload=payload)
