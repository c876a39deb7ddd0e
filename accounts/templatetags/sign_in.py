"""Why the login page was shown: the sign-in-only page a visitor was sent from."""

from django import template
from django.urls import Resolver404, resolve

register = template.Library()

# URL name of a sign-in-only page -> the login page's lead when `next` points there.
REASONS = {
    "discussions:question_ask": "Log in to ask a question.",
    "projects:project_create": "Log in to share a project.",
    "notifications:list": "Log in to see your notifications.",
    "notifications:preferences": "Log in to change your email settings.",
    "accounts:settings": "Log in to change your settings.",
    "accounts:tokens": "Log in to manage your API tokens.",
    "moderation:queue": "Log in to open the mentor queue.",
    "moderation:log": "Log in to read the moderation log.",
    "moderation:saved_replies": "Log in to see your saved replies.",
}


@register.filter
def login_reason(next_url: str | None) -> str:
    """`/ask/` -> "Log in to ask a question."; "" for any other page (or none)."""
    path = (next_url or "").split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/") or path.startswith("//"):
        return ""
    try:
        match = resolve(path)
    except Resolver404:
        return ""
    return REASONS.get(match.view_name, "")
