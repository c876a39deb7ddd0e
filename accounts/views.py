from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts import selectors, services
from accounts.forms import ProfileForm


def profile_view(request: HttpRequest, handle: str) -> HttpResponse:
    profile_user = selectors.user_get_by_handle(handle=handle)
    return render(request, "accounts/profile.html", {"profile_user": profile_user})


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
