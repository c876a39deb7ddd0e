"""What discussions caches (hub.cache) is never stale: each write is visible on the very
next read, through the page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discussions import services

pytestmark = [pytest.mark.django_db, pytest.mark.cached]


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


def test_topics_sidebar_is_cached_and_a_rename_shows_at_once(
    client, django_capture_on_commit_callbacks
):
    services.category_ensure(slug="redis", name="Redis")
    _, cold = queries(client, "/questions/")
    response, warm = queries(client, "/questions/")
    assert warm < cold
    assert "Redis" in response.text

    with django_capture_on_commit_callbacks(execute=True):
        services.category_ensure(slug="redis", name="Redis caching")
    response, _ = queries(client, "/questions/?category=redis")
    assert "Redis caching" in response.text
