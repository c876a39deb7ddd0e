from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from notifications import selectors, services
from notifications.models import EmailMode, Kind

LIST = "notifications/notification_list.html"


@login_required
@require_GET
def notification_list_view(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("show") == "unread"
    page = selectors.notification_page(
        user=request.user, unread_only=unread_only, number=request.GET.get("page", 1)
    )
    return render(request, LIST, {"page": page, "unread_only": unread_only})


@login_required
@require_GET
def notification_latest_view(request: HttpRequest) -> HttpResponse:
    """The bell's dropdown (HTMX): the latest few."""
    latest = selectors.notification_latest(user=request.user)
    return render(request, f"{LIST}#latest", {"notifications": latest})


@login_required
@require_GET
def notification_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification to the exact post, marking it read on the way."""
    notification = selectors.notification_get(user=request.user, pk=pk)
    if notification is None:
        raise Http404("No such notification.")
    services.notification_read(user=request.user, notification=notification)
    if not url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect("notifications:list")
    return redirect(notification.url)


@login_required
@require_POST
def notification_read_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A tab showing what the notification is about read it as it arrived (live.js): the
    person is looking at it, as opening the thread does (decision 0021)."""
    notification = selectors.notification_get(user=request.user, pk=pk)
    if notification is None:
        raise Http404("No such notification.")
    services.notification_read(user=request.user, notification=notification)
    return HttpResponse(status=204)


@login_required
@require_POST
def notification_read_all_view(request: HttpRequest) -> HttpResponse:
    marked = services.notifications_read_all(user=request.user)
    if request.htmx:
        latest = selectors.notification_latest(user=request.user)
        return render(request, f"{LIST}#latest", {"notifications": latest})
    messages.success(request, f"Marked {marked} notification{'s' if marked != 1 else ''} read.")
    return redirect("notifications:list")


@login_required
@require_POST
def mute_view(request: HttpRequest) -> HttpResponse:
    target_key = request.POST.get("target", "")[:60]
    muted = services.mute_set(
        user=request.user, target_key=target_key, muted=request.POST.get("muted") == "1"
    )
    if request.htmx:
        return render(request, f"{LIST}#mute", {"target_key": target_key, "muted": muted})
    messages.success(request, "Thread muted." if muted else "Thread unmuted.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/"
    return redirect(back)


@login_required
def preferences_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        for kind in Kind.values:
            mode = request.POST.get(kind)
            if mode in EmailMode.values:
                services.preference_set(user=request.user, kind=kind, email_mode=mode)
        messages.success(request, "Your notification settings are saved.")
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"preferences": selectors.preferences_for(user=request.user), "modes": EmailMode.choices},
    )
