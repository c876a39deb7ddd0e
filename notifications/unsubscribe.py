"""One-click unsubscribe: a signed link in every email turns one kind (or all) off.

The token is the authority, so the page needs no login and the POST no CSRF token (mail
clients send the RFC 8058 one-click POST with only `List-Unsubscribe=One-Click` in the
body). GET only shows a confirmation: link scanners and previews fetch URLs, and must not
unsubscribe anyone.
"""

from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.models import User
from notifications import services
from notifications.models import EmailMode, Kind

SALT = "notifications.unsubscribe"
ALL = "all"


class BadToken(ValueError):
    """The link was altered, truncated, or names something that does not exist."""


def make_token(user_id: int, kind_or_all: str) -> str:
    """`7.answer_on_question:<signature>`: short, URL-safe, never expires."""
    if kind_or_all != ALL and kind_or_all not in Kind.values:
        raise ValueError(f"Unknown notification kind {kind_or_all!r}")
    return signing.Signer(salt=SALT).sign(f"{user_id}.{kind_or_all}")


def read_token(token: str) -> tuple[int, str | None]:
    """(user_id, kind), kind None for "every kind"; BadToken if it is not one of ours."""
    try:
        value = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature as error:
        raise BadToken(str(error)) from error
    user_part, _, kind = value.partition(".")
    if not user_part.isdigit() or (kind != ALL and kind not in Kind.values):
        raise BadToken("Malformed token")
    return int(user_part), None if kind == ALL else kind


def masked_email(address: str) -> str:
    """`l***@example.com`: enough to recognise, not to harvest from a forwarded link."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user_id, kind = read_token(token)
        user = User.objects.get(pk=user_id)
    except (BadToken, User.DoesNotExist):
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    done = request.method == "POST"
    if done:
        with transaction.atomic():
            for each in [kind] if kind else Kind.values:
                services.preference_set(user=user, kind=each, email_mode=EmailMode.OFF)
    context = {
        "done": done,
        "kind_label": Kind(kind).label if kind else None,
        "email": masked_email(user.email),
    }
    return render(request, "notifications/unsubscribe.html", context)
