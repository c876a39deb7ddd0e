"""/ops/: background work for admins. Thin: selectors to read, one service to retry."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hub.doors import refusals_shown
from ops import permissions, selectors, services


@never_cache
@login_required
def ops_view(request: HttpRequest) -> HttpResponse:
    if not permissions.can_operate(request.user):
        raise PermissionDenied("The operations page is for admins.")
    context = {
        "queues": selectors.queue_depths(),
        "workers": selectors.workers_recent(),
        "by_state": selectors.runs_by_state(),
        "problems": selectors.problem_runs(),
        "schedule": selectors.beat_schedule(),
        "parked": selectors.parked_count(),
    }
    return render(request, "ops/ops.html", context)


@require_POST
@login_required
@refusals_shown
def taskrun_retry_view(request: HttpRequest, run_id: int) -> HttpResponse:
    run = services.taskrun_retry(actor=request.user, run_id=run_id)
    if request.htmx:
        return render(request, "ops/ops.html#run", {"run": run})
    return redirect("ops:index")


@never_cache
def worker_readyz_view(request: HttpRequest) -> HttpResponse:
    """Readiness of the worker role: the broker answers and a worker beat recently."""
    checks = {
        "broker": "ok" if selectors.broker_reachable() else "unreachable",
        "worker_heartbeat": "ok" if selectors.workers_alive() else "no heartbeat in 30 s",
    }
    failed = sorted(name for name, value in checks.items() if value != "ok")
    body = {"status": "unavailable" if failed else "ok", "checks": checks}
    if failed:
        body["failed"] = failed
    return JsonResponse(body, status=503 if failed else 200)
