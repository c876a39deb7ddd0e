from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {"SITE_NAME": settings.NEXUS_SITE_NAME, "GITHUB_LOGIN": settings.GITHUB_LOGIN}


def viewer(request: HttpRequest) -> dict:
    """`viewer_is_mentor` for per-row checks: `user.is_mentor` on an anonymous visitor is a
    failed lookup, and Django pays a dir() for each (80 of them on a 50-answer thread)."""
    user = getattr(request, "user", None)
    return {"viewer_is_mentor": bool(user and user.is_authenticated and user.is_mentor)}
