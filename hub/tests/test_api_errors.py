"""The API's one exception handler: every refusal as RFC 9457 problem+json."""

import pytest
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.test import APIRequestFactory

from hub.api.errors import PROBLEMS, problem_exception_handler
from hub.errors import Conflict, RateLimited


def handle(exc):
    request = APIRequestFactory().get("/api/v1/questions")
    response = problem_exception_handler(exc, {"request": request})
    assert response is not None
    assert response.content_type == "application/problem+json"
    body = response.data
    assert set(body) >= {"type", "title", "status", "detail"}
    assert body["status"] == response.status_code
    assert body["type"] == f"http://testserver/api/v1/problems/{_slug(response.status_code)}"
    return response, body


def _slug(status):
    return next(p.slug for p in PROBLEMS.values() if p.status == status)


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (ValidationError({"title": "Too short."}), 400),
        (drf.ValidationError({"body": ["Required."]}), 400),
        (drf.ParseError(), 400),
        (drf.NotAuthenticated(), 401),
        (drf.AuthenticationFailed(), 401),
        (PermissionDenied("Only the author can."), 403),
        (drf.PermissionDenied(), 403),
        (Http404(), 404),
        (drf.NotFound(), 404),
        (drf.MethodNotAllowed("PUT"), 405),
        (Conflict("This question is locked."), 409),
        (RequestDataTooBig(), 413),
        (drf.UnsupportedMediaType("text/plain"), 415),
        (RateLimited("You have posted 10 questions."), 429),
        (drf.Throttled(wait=12.2), 429),
    ],
)
def test_each_kind_has_its_status(exc, status):
    response, _ = handle(exc)
    assert response.status_code == status


def test_field_errors_from_a_service():
    _, body = handle(ValidationError({"title": ["Too short."], "tags": ["At most 5."]}))
    assert body["errors"] == {"title": ["Too short."], "tags": ["At most 5."]}
    assert body["title"] == "Invalid input"


def test_a_message_without_a_field_is_non_field():
    _, body = handle(ValidationError("A handle needs at least 3 characters."))
    assert body["errors"] == {"non_field_errors": ["A handle needs at least 3 characters."]}


def test_nested_serializer_errors_are_flattened_to_strings():
    _, body = handle(drf.ValidationError({"links": [{"url": ["Enter a valid URL."]}]}))
    assert body["errors"] == {"links": ["url: Enter a valid URL."]}


def test_refusal_detail_is_the_services_message():
    _, body = handle(PermissionDenied("Only the author can ask for a review."))
    assert body["detail"] == "Only the author can ask for a review."
    assert "errors" not in body


def test_retry_after_on_429():
    response, _ = handle(drf.Throttled(wait=12.2))
    assert response["Retry-After"] == "13"
    response, _ = handle(RateLimited("slow down", retry_after=60))
    assert response["Retry-After"] == "60"


def test_a_bug_is_left_to_be_a_500():
    request = APIRequestFactory().get("/")
    assert problem_exception_handler(KeyError("x"), {"request": request}) is None


@pytest.mark.django_db
class TestRoutes:
    def test_unknown_api_route_is_a_problem_not_the_html_page(self, client):
        response = client.get("/api/v1/no-such-thing")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["detail"] == "No such API route."

    def test_problem_types_are_documented_at_their_uri(self, client):
        body = client.get("/api/v1/problems/conflict").json()
        assert body["status"] == 409 and "locked question" in body["description"]
        assert client.get("/api/v1/problems/nope").status_code == 404

    def test_root_links_resources(self, client):
        body = client.get("/api/v1/").json()
        assert body["me"] == "http://testserver/api/v1/me"

    def test_docs_are_served_from_our_static_files(self, client):
        for url in ("/api/v1/docs/", "/api/v1/redoc/"):
            response = client.get(url)
            assert response.status_code == 200, url
            text = response.text
            assert "/static/drf_spectacular_sidecar/" in text
            assert "https://" not in text and "http://" not in text.replace("http://testserver", "")
        swagger = client.get("/api/v1/docs/").text
        assert "<script>" not in swagger  # the init script is a file (strict CSP)
        script = client.get("/api/v1/docs/?script=")
        assert script.status_code == 200 and "/api/v1/schema/" in script.text

    def test_schema_is_openapi_3_1(self, client):
        response = client.get("/api/v1/schema/", headers={"Accept": "application/json"})
        assert response.status_code == 200
        assert response.json()["openapi"].startswith("3.1")

    def test_footer_links_to_the_api_docs(self, client):
        assert 'href="/api/v1/docs/"' in client.get("/").text


@pytest.mark.django_db
@pytest.mark.urls("hub.tests.deprecated_urls")
def test_an_unhandled_error_under_the_api_is_a_problem_document():
    from django.test import Client

    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/_test/broken")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "http://testserver/api/v1/problems/server-error"
    assert body["status"] == 500 and body["title"] == "Server error"
    assert "a bug" not in response.content.decode()  # nothing of the error leaks
    assert client.get("/api/v1/problems/server-error").json()["status"] == 500
    # A page's bug is still the friendly HTML page.
    assert "application/problem+json" not in client.get("/").get("Content-Type", "")
