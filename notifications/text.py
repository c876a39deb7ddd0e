"""The words of a notification, shared by the bell, the list, toasts and emails."""

from typing import Any

PHRASES = {
    "answer_on_question": ("answered your question", "new answers on your question"),
    "comment_on_post": ("commented on your post", "new comments on your post"),
    "answer_on_followed": (
        "answered a question you follow",
        "new answers on a question you follow",
    ),
    "question_in_watched": ("asked a question where you watch", "new questions where you watch"),
    "mention": ("mentioned you", "mentions of you"),
    "answer_accepted": ("accepted your answer", "accepted your answer"),
    "vote_milestone": ("", ""),
    "project_feedback": ("gave feedback on your project", "new feedback on your project"),
    "feedback_reply": ("replied to your feedback", "new replies to your feedback"),
    "project_review": ("reviewed your project", "new reviews of your project"),
    "moderation": ("moderated your post", "moderation actions on your content"),
}


def notification_message(n: Any) -> str:
    """`Grace answered your question` / `5 new answers on your question`."""
    if n.kind == "vote_milestone":
        return f"Your post reached {n.count} up-vote{'s' if n.count != 1 else ''}"
    single, plural = PHRASES.get(n.kind, ("did something", "new activity"))
    if n.count > 1:
        return f"{n.count} {plural}"
    who = n.actor.display_name or n.actor.handle if n.actor else "Someone"
    return f"{who} {single}"
