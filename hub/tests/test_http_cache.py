"""HTTP caching per kind of response (hub/http_cache.py) and the sampled metrics
(hub/metrics.py) with their admin page."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from discussions.models import Question
from discussions.tests import factories as make
from hub import metrics
from hub.http_cache import HttpCacheMiddleware

pytestmark = pytest.mark.django_db


def vary(response):
    return {v.strip().lower() for v in response.get("Vary", "").split(",")}


def test_anonymous_pages_revalidate_with_an_etag_and_get_304(client, learner):
    make.question(learner, title="Is ETag revalidation worth it?")
    # "3 days ago" does not change between two requests the way "5 seconds ago" does.
    Question.objects.update(
        created_at=timezone.now() - timedelta(days=3),
        last_activity_at=timezone.now() - timedelta(days=3),
    )
    first = client.get("/questions/")
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('W/"')
    assert first["Cache-Control"].startswith("no-cache")
    assert {"cookie", "hx-request"} <= vary(first)

    again = client.get("/questions/", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    # The browser keeps the policy stored with its copy (whose nonce its scripts carry).
    assert "Content-Security-Policy" not in again

    make.question(learner, title="A new question changes the page")
    changed = client.get("/questions/", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_signed_in_pages_are_private_and_fragments_never_stored(client, learner):
    client.force_login(learner)
    page = client.get("/questions/")
    assert page["Cache-Control"] == "private, no-cache"
    assert "ETag" not in page
    assert {"cookie", "hx-request"} <= vary(page)
    fragment = client.get("/questions/", headers={"HX-Request": "true"})
    assert fragment["Cache-Control"] == "no-store"
    client.logout()
    anonymous_fragment = client.get("/questions/", headers={"HX-Request": "true"})
    assert anonymous_fragment["Cache-Control"] == "no-store"
    assert "ETag" not in anonymous_fragment


def test_the_api_keeps_its_own_headers():
    """/api/ sets ETag and Cache-Control itself; this middleware leaves it alone."""
    api = HttpResponse('{"ok": true}', content_type="application/json")
    api["Cache-Control"] = "private, max-age=0"
    middleware = HttpCacheMiddleware(lambda request: api)
    response = middleware(RequestFactory().get("/api/v1/questions/"))
    assert response["Cache-Control"] == "private, max-age=0"
    assert "ETag" not in response and "Vary" not in response


def test_metrics_headers_count_queries_and_cache_lookups(client, settings):
    settings.NEXUS_METRICS_HEADERS = True
    response = client.get("/questions/")
    assert int(response["X-Nexus-Queries"]) > 0
    hits, lookups = (int(n) for n in response["X-Nexus-Cache"].split("/"))
    assert 0 <= hits <= lookups
    assert float(response["X-Nexus-Ms"]) > 0


@pytest.mark.cached
@pytest.mark.skipif(not settings.REDIS_URL, reason="the figures are kept in Redis")
def test_sampled_requests_show_on_the_admins_page(client, settings, learner, admin_user):
    settings.NEXUS_METRICS_SAMPLE = 1.0
    for _ in range(3):
        response = client.get("/questions/")
        # The sample is written when the server closes the response, after sending it
        # (close() itself would also end the test's database connection).
        for closer in response._resource_closers:
            closer()
    summary = metrics.summary(minutes=5)
    assert summary.available
    route = next(r for r in summary.routes if r.route == "/questions/")
    assert route.samples >= 3 and route.p95_ms >= route.p50_ms > 0
    # The first view fills the categories' fragment and the whole page; the others are
    # served whole (hub.page_cache), still counted under their route.
    assert any(c.name == "categories" for c in summary.caches)
    assert any(c.name == "page" and c.hits >= 2 for c in summary.caches)

    client.force_login(learner)
    assert client.get("/metrics/").status_code == 403
    client.force_login(admin_user)
    page = client.get("/metrics/")
    assert page.status_code == 200
    assert "<code>/questions/</code>" in page.text
