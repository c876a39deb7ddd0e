from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {"SITE_NAME": settings.NEXUS_SITE_NAME, "GITHUB_LOGIN": settings.GITHUB_LOGIN}
