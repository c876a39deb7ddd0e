"""The settings pages of webhooks: list and add, one webhook with its delivery log (edit,
rotate the secret, delete, redeliver). Every page is the owner's: anyone else gets 404.
A secret shows once, on the response that made it, never cached."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from hub import doors
from webhooks import selectors, services
from webhooks.forms import WebhookForm
from webhooks.models import Webhook


def _webhook(request: HttpRequest, webhook_id: int) -> Webhook:
    webhook = selectors.webhook_get_for_owner(owner=request.user, pk=webhook_id)
    if webhook is None:
        raise Http404("No such webhook.")
    return webhook


def _never_cached(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


@login_required
def webhook_list_view(request: HttpRequest) -> HttpResponse:
    form = WebhookForm(request.POST or None)
    secret = None
    created = None
    status = 200
    if request.method == "POST" and form.is_valid():
        with doors.refusals(form, denied=True) as outcome:
            created, secret = services.webhook_create(owner=request.user, **form.cleaned_data)
        if outcome.ok:
            status = 201
            form = WebhookForm()
    if form.errors:
        status = 400
    context = {
        "form": form,
        "webhooks": selectors.webhooks_for_owner(owner=request.user),
        "new_secret": secret,
        "created": created,
    }
    return _never_cached(render(request, "webhooks/webhook_list.html", context, status=status))


def _detail(
    request: HttpRequest, webhook: Webhook, form: WebhookForm, *, secret: str | None = None,
    status: int = 200,
) -> HttpResponse:  # fmt: skip
    context = {
        "webhook": webhook,
        "form": form,
        "deliveries": selectors.deliveries_for_webhook(webhook=webhook),
        "new_secret": secret,
    }
    return _never_cached(render(request, "webhooks/webhook_detail.html", context, status=status))


def _initial(webhook: Webhook) -> dict:
    return {
        "url": webhook.url,
        "description": webhook.description,
        "events": webhook.events,
        "active": webhook.active,
    }


@login_required
def webhook_detail_view(request: HttpRequest, webhook_id: int) -> HttpResponse:
    webhook = _webhook(request, webhook_id)
    if request.method != "POST":
        return _detail(request, webhook, WebhookForm(initial=_initial(webhook)))
    form = WebhookForm(request.POST)
    if form.is_valid():
        with doors.refusals(form, denied=True) as outcome:
            services.webhook_update(actor=request.user, webhook=webhook, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, "The webhook is saved.")
            return redirect("webhooks:detail", webhook_id=webhook.pk)
    webhook.refresh_from_db()
    return _detail(request, webhook, form, status=400)


@require_POST
@login_required
def webhook_secret_rotate_view(request: HttpRequest, webhook_id: int) -> HttpResponse:
    webhook = _webhook(request, webhook_id)
    secret = services.webhook_secret_rotate(actor=request.user, webhook=webhook)
    return _detail(request, webhook, WebhookForm(initial=_initial(webhook)), secret=secret)


@require_POST
@login_required
def webhook_delete_view(request: HttpRequest, webhook_id: int) -> HttpResponse:
    webhook = _webhook(request, webhook_id)
    services.webhook_delete(actor=request.user, webhook=webhook)
    messages.success(request, f"The webhook to {webhook.url} is deleted.")
    return redirect("webhooks:list")


@require_POST
@login_required
def delivery_redeliver_view(
    request: HttpRequest, webhook_id: int, delivery_id: int
) -> HttpResponse:
    delivery = selectors.delivery_get_for_owner(
        owner=request.user, pk=delivery_id, webhook_id=webhook_id
    )
    if delivery is None:
        raise Http404("No such delivery.")
    seen = request.POST.get("attempts", "")
    with doors.refusals(request) as outcome:
        queued = services.delivery_redeliver(
            actor=request.user,
            delivery=delivery,
            seen_attempts=int(seen) if seen.isdigit() else None,
        )
    if outcome.ok:
        if queued:
            messages.success(request, "Redelivery queued: the log shows how it went.")
        else:
            messages.info(request, "That delivery is already on its way again.")
    return redirect("webhooks:detail", webhook_id=webhook_id)
