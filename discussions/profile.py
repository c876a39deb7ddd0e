"""The forum's part of a profile (accounts.extensions): questions, answers, their counts
and the topics a person helps in. Registered in DiscussionsConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from accounts.extensions import ProfileExtras, ProfileStat, ProfileTab
from discussions import selectors

TEMPLATE = "discussions/profile_activity.html"


def profile_extras(request: HttpRequest, user: Any) -> ProfileExtras:
    """Three queries (the counts, the topics) plus one for the open tab's page."""
    viewer = request.user
    counts = selectors.activity_counts(viewer=viewer, user=user)
    context = {"profile_user": user, "request": request}

    def questions(cursor: str | None) -> str:
        page = selectors.questions_by_user(viewer=viewer, user=user, cursor=cursor)
        return render_to_string(
            f"{TEMPLATE}#questions", {**context, "page": page, "cursor": cursor}
        )

    def answers(cursor: str | None) -> str:
        page = selectors.answers_by_user(viewer=viewer, user=user, cursor=cursor)
        return render_to_string(f"{TEMPLATE}#answers", {**context, "page": page, "cursor": cursor})

    topics = selectors.help_topics(viewer=viewer, user=user)
    return ProfileExtras(
        stats=[
            ProfileStat("question", counts.questions, tab="questions", order=10),
            ProfileStat("answer", counts.answers, tab="answers", order=20),
            ProfileStat("accepted", counts.accepted, tab="answers", order=30),
        ],
        tabs=[
            ProfileTab("questions", "Questions", counts.questions, questions, order=10),
            ProfileTab("answers", "Answers", counts.answers, answers, order=20),
        ],
        aside=render_to_string(f"{TEMPLATE}#topics", {**context, "topics": topics}),
    )
