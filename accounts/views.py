from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from accounts import extensions, selectors, services
from accounts.forms import ProfileForm, TokenForm
from hub import doors


def profile_view(request: HttpRequest, handle: str) -> HttpResponse:
    """The person, their counts and one tab of their activity (?tab=answers&after=...),
    composed from the apps that registered a part (accounts.extensions)."""
    profile_user = selectors.user_get_by_handle(handle=handle)
    page = extensions.profile_page(
        request=request,
        user=profile_user,
        tab=request.GET.get("tab"),
        cursor=request.GET.get("after") or None,
    )
    context = {"profile_user": profile_user, "page": page}
    if request.htmx and request.htmx.target == "profile-activity":
        return render(request, "accounts/profile.html#activity", context)
    return render(request, "accounts/profile.html", context)


@require_POST
@login_required
def sign_out_everywhere_view(request: HttpRequest) -> HttpResponse:
    revoked = services.user_sign_out_everywhere(actor=request.user, user=request.user)
    logout(request)
    tokens = f" and {revoked} API token(s) revoked" if revoked else ""
    messages.success(request, f"You are signed out everywhere{tokens}.")
    return redirect("account_login")


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        services.user_profile_update(actor=user, user=user, **form.cleaned_data)
        messages.success(request, "Your profile is saved.")
        return redirect("accounts:settings")
    if request.method == "POST":
        # The form's instance carries the rejected values; the page must show the saved ones.
        user.refresh_from_db()
    return render(
        request, "accounts/settings.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def tokens_view(request: HttpRequest) -> HttpResponse:
    """Personal access tokens: make one (its secret shown once, on this response only),
    see them with their last use, revoke."""
    user = request.user
    form = TokenForm(request.POST or None, user=user)
    raw = None
    status = 200
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_in"]
        expires_at = timezone.now() + timedelta(days=int(days)) if days else None
        with doors.refusals(form, denied=True) as outcome:
            _token, raw = services.token_create(
                user=user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=expires_at,
            )
        if outcome.ok:
            status = 201
            form = TokenForm(user=user)
    if form.errors:
        status = 400
    response = render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": selectors.tokens_for_user(user=user), "new_token": raw},
        status=status,
    )
    add_never_cache_headers(response)  # the secret must not stay in any cache
    return response


@require_POST
@login_required
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(selectors.tokens_for_user(user=request.user), pk=token_id)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, f"The token “{token.name}” is revoked: it no longer works.")
    return redirect("accounts:tokens")
