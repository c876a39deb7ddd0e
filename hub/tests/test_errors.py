"""hub.errors.refusals_shown: a refused action sends the browser back where it came from,
but only to this site (issue 12: deleting the open-redirect guard failed no test)."""

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse
from django_htmx.middleware import HtmxDetails

from hub.errors import refusals_shown


@refusals_shown
def refusing_view(request):
    raise PermissionDenied("Not you.")


def refused(**headers: str):
    request = RequestFactory().post("/somewhere", headers=headers)
    request.htmx = HtmxDetails(request)
    request._messages = CookieStorage(request)
    return refusing_view(request)


@pytest.mark.parametrize(
    "hostile",
    [
        "https://evil.example/phish",
        "http://testserver.evil.example/q/1/",
        "http://testserver@evil.example/",
        "//evil.example/q/1/",
        "/\\evil.example/",
        "javascript:alert(1)",
    ],
)
@pytest.mark.parametrize("header", ["Referer", "HX-Current-URL"])
def test_a_hostile_way_back_is_refused(header, hostile):
    response = refused(**{header: hostile})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_the_way_back_on_this_site_is_kept():
    response = refused(Referer="http://testserver/q/42/some-question/?sort=top")
    assert response.status_code == 302
    assert response["Location"] == "http://testserver/q/42/some-question/?sort=top"


def test_no_way_back_goes_home():
    assert refused()["Location"] == reverse("home")


def test_over_htmx_the_refusal_is_a_toast_not_a_redirect():
    response = refused(**{"HX-Request": "true", "HX-Current-URL": "https://evil.example/"})
    assert response.status_code == 403 and "Location" not in response
    assert "nexus:toast" in response["HX-Trigger"]
