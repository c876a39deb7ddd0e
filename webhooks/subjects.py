"""What each event is about, and whether its webhook's owner may still see it: checked
before every attempt, so a hidden or deleted answer or feedback is not sent (nor resent)."""

from __future__ import annotations

from typing import Any

from discussions.models import Answer
from projects.models import Feedback, Review
from webhooks.models import Event


def visible(event: str, payload: dict[str, Any], owner: Any) -> bool:
    if event == Event.ANSWER_CREATED:
        answer_id = payload.get("answer", {}).get("id")
        return (
            Answer.objects.visible_to(owner)
            .filter(pk=answer_id, question__author=owner, question__is_deleted=False)
            .exists()
        )
    if event == Event.FEEDBACK_CREATED:
        feedback_id = payload.get("feedback", {}).get("id")
        return (
            Feedback.objects.visible_to(owner)
            .filter(pk=feedback_id, project__author=owner, is_deleted=False)
            .exists()
        )
    if event == Event.REVIEW_SUBMITTED:
        review_id = payload.get("review", {}).get("id")
        return Review.objects.filter(
            pk=review_id, project__author=owner, completed_at__isnull=False
        ).exists()
    return False
