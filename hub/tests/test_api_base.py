"""What every API response carries: ETags and 304s, cache headers, Vary."""

import pytest

from accounts import services as account_services
from discussions.tests import factories as make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roomy_posting_limits(settings):
    """These tests post more than a new account may in an hour (tested elsewhere)."""
    settings.NEXUS_POSTING_LIMITS = {"question": {"hour": 100, "new": 100},
                                     "reply": {"hour": 100, "new": 100}}  # fmt: skip


def test_etag_and_if_none_match(client, learner):
    make.question(learner)
    first = client.get("/api/v1/questions")
    etag = first["ETag"]
    assert etag.startswith('"') and len(etag) > 10
    again = client.get("/api/v1/questions", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    assert (
        client.get("/api/v1/questions", headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    )
    make.question(learner)
    changed = client.get("/api/v1/questions", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_detail_has_an_etag_too(client, learner):
    question = make.question(learner)
    response = client.get(f"/api/v1/questions/{question.pk}")
    assert (
        client.get(
            f"/api/v1/questions/{question.pk}", headers={"If-None-Match": response["ETag"]}
        ).status_code
        == 304
    )


def test_cache_control_and_vary(client, learner):
    anonymous = client.get("/api/v1/questions")
    assert anonymous["Cache-Control"] == "public, no-cache"
    assert "Authorization" in anonymous["Vary"] and "Cookie" in anonymous["Vary"]
    _, raw = account_services.token_create(user=learner, name="x", scopes=(), expires_at=None)
    mine = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert mine["Cache-Control"] == "private, no-cache"
    assert "Authorization" in mine["Vary"]


def test_errors_carry_no_etag(client):
    response = client.get("/api/v1/questions/999999")
    assert response.status_code == 404 and "ETag" not in response


@pytest.mark.urls("hub.tests.deprecated_urls")
def test_a_deprecated_route_says_so_until_its_sunset(client):
    response = client.get("/api/v1/_test/old-thing")
    assert response.status_code == 200
    assert response["Deprecation"] == "@1796083200"  # 2026-12-01T00:00:00Z (RFC 9745)
    assert response["Sunset"] == "Thu, 01 Jul 2027 00:00:00 GMT"  # RFC 8594
    assert response["Link"] == (
        '<http://testserver/api/v1/docs/#changelog>; rel="deprecation"; type="text/html"'
    )
    current = client.get("/api/v1/questions")
    assert "Deprecation" not in current and "Sunset" not in current


def test_less_than_six_months_notice_is_refused():
    from datetime import UTC, datetime

    from hub.api.base import Deprecation

    with pytest.raises(ValueError, match="six months"):
        Deprecation(
            since=datetime(2026, 12, 1, tzinfo=UTC), sunset=datetime(2027, 3, 1, tzinfo=UTC)
        )


def test_no_door_repeats_the_refusal_mapping():
    """Each app's api.py uses hub/api/base.py's helpers (found, known, require,
    SignedInApi, MentorApi, url_pattern) instead of its own copy of them."""
    from pathlib import Path

    from django.conf import settings

    repeated = {
        "raise Http404": "found(...)",
        "raise ValidationError({": "known(...)",
        "raise PermissionDenied(": "require(...)",
        "permission_classes = [IsAuthenticated": "SignedInApi / MentorApi",
        "987654321": "url_pattern(...)",
    }
    base = Path(settings.BASE_DIR)
    found = [
        f"{path.relative_to(base)}: {needle} (use {helper})"
        for path in sorted(base.glob("*/api.py"))
        for needle, helper in repeated.items()
        if needle in path.read_text()
    ]
    assert found == []


def test_signed_in_views_answer_401_to_anonymous_reads(client):
    response = client.get("/api/v1/notifications")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
