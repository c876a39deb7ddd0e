"""hub.page_cache's WSGI fast path (hub/wsgi.py): a kept page is served before Django's
handler, with the same response the middleware's hit gives, and everything else is left to
Django's handler."""

import logging
import re
import zlib
from http.cookies import SimpleCookie

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_SECRET_LENGTH,
    CSRF_TOKEN_LENGTH,
    _unmask_cipher_token,
)
from django.test import Client, RequestFactory

from discussions.models import Category
from discussions.services import question_create
from hub import metrics, page_cache
from hub import wsgi as hub_wsgi
from hub.tests.test_page_cache import NONCE, TOKEN, signed_in

pytestmark = [pytest.mark.cached, pytest.mark.django_db]

BROWSER = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br, zstd"}


@pytest.fixture
def topic(db):
    return Category.objects.create(name="Caching", slug="caching")


class Served:
    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def __getitem__(self, name: str) -> str:
        return next(value for key, value in self.headers if key.lower() == name.lower())

    def __contains__(self, name: str) -> bool:
        return any(key.lower() == name.lower() for key, _ in self.headers)

    def text(self) -> str:
        if "Content-Encoding" in self:
            assert self["Content-Encoding"] == "deflate"
            return zlib.decompress(self.body).decode()
        return self.body.decode()

    def cookie(self) -> SimpleCookie:
        jar = SimpleCookie()
        for key, value in self.headers:
            if key == "Set-Cookie":
                jar.load(value)
        return jar


@pytest.fixture
def wsgi(settings):
    """hub.wsgi's application around Django's handler, counting the requests that reach
    the handler (the fast path's misses and refusals). As Django's test client does, the
    handler's signals leave the test's database connection open."""
    reached: list[str] = []
    handlers: list[WSGIHandler] = []  # made on first use, after the test's settings
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    def django_handler(environ, start_response):
        reached.append(environ["PATH_INFO"])
        if not handlers:
            handlers.append(WSGIHandler())
        return handlers[0](environ, start_response)

    application = page_cache.wsgi(django_handler)
    factory = RequestFactory()

    def get(path: str, method: str = "get", **headers) -> Served:
        environ = getattr(factory, method)(path, **headers).environ
        started: list = []
        body = application(environ, lambda status, listed: started.append((status, listed)))
        try:
            content = b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
        return Served(started[0][0], started[0][1], content)

    get.reached = reached
    yield get
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_a_kept_page_is_served_before_djangos_handler_as_the_middleware_serves_it(
    wsgi, topic, django_assert_num_queries
):
    Client().get("/questions/")  # kept by the middleware
    through_middleware = Client().get("/questions/", headers={"Accept-Encoding": "deflate"})
    assert hasattr(through_middleware, "from_page_cache")
    with django_assert_num_queries(0):
        fast = wsgi("/questions/", **BROWSER)
    assert wsgi.reached == [] and fast.status == "200 OK"
    assert sorted(k for k, _ in fast.headers) == sorted(
        [*through_middleware.headers.keys(), "Set-Cookie"]
    )
    for same in ("Vary", "Cache-Control", "ETag", "X-Frame-Options", "Content-Type"):
        assert fast[same] == through_middleware[same]
    assert int(fast["Content-Length"]) == len(fast.body)
    html = fast.text()
    nonce = NONCE.search(html).group(1)
    assert f"'nonce-{nonce}'" in fast["Content-Security-Policy"]
    assert nonce != NONCE.search(zlib.decompress(through_middleware.content).decode()).group(1)
    # A new visitor's cookie, set exactly as Django's CSRF middleware sets it.
    made = fast.cookie()[settings.CSRF_COOKIE_NAME]
    django = through_middleware.cookies[settings.CSRF_COOKIE_NAME]
    for attribute in ("path", "samesite", "max-age", "secure", "httponly", "domain"):
        assert str(made[attribute]) == str(django[attribute])
    assert len(made.value) == CSRF_SECRET_LENGTH
    # The page's token is good for that cookie: a wrong password, not a CSRF 403.
    token = TOKEN.search(html).group(1)
    assert _unmask_cipher_token(token) == made.value
    visitor = Client(enforce_csrf_checks=True)
    visitor.cookies[settings.CSRF_COOKIE_NAME] = made.value
    posted = visitor.post(
        "/accounts/login/",
        {"login": "nobody@example.com", "password": "wrong"},
        headers={"X-CSRFToken": token},
    )
    assert posted.status_code == 200


def test_a_visitor_with_a_cookie_gets_a_token_for_it(wsgi, topic):
    wsgi("/questions/")  # Django's handler keeps it
    cookie = "a" * CSRF_SECRET_LENGTH
    fast = wsgi("/questions/", HTTP_COOKIE=f"{settings.CSRF_COOKIE_NAME}={cookie}")
    assert wsgi.reached == ["/questions/"]
    assert "Content-Encoding" not in fast  # the client did not list deflate
    assert _unmask_cipher_token(TOKEN.search(fast.text()).group(1)) == cookie
    assert fast.cookie()[settings.CSRF_COOKIE_NAME].value == cookie  # renewed, as Django does


def test_a_write_shows_on_the_next_read(wsgi, topic, learner, django_capture_on_commit_callbacks):
    wsgi("/questions/")
    wsgi("/questions/")
    assert wsgi.reached == ["/questions/"]
    with django_capture_on_commit_callbacks(execute=True):
        question_create(author=learner, title="A brand new question", body="x", category=topic)
    fresh = wsgi("/questions/")
    assert wsgi.reached == ["/questions/", "/questions/"]
    assert "A brand new question" in fresh.text()


def test_conditional_requests_are_answered_304_before_the_handler(wsgi, topic):
    wsgi("/questions/")
    hit = wsgi("/questions/")
    again = wsgi("/questions/", HTTP_IF_NONE_MATCH=hit["ETag"])
    assert again.status == "304 Not Modified" and again.body == b""
    assert wsgi.reached == ["/questions/"]


def test_a_persons_copy_is_served_before_the_handler_and_not_after_sign_out(
    wsgi, learner, topic, django_capture_on_commit_callbacks
):
    person = signed_in(learner)
    cookies = "; ".join(f"{k}={v.value}" for k, v in person.cookies.items())
    wsgi("/questions/", HTTP_COOKIE=cookies)
    fast = wsgi("/questions/", HTTP_COOKIE=cookies, **BROWSER)
    assert wsgi.reached == ["/questions/"]
    assert f'data-user-id="{learner.pk}"'.encode() in fast.text().encode()
    assert "Set-Cookie" not in fast and fast["Cache-Control"] == "private, no-cache"
    with django_capture_on_commit_callbacks(execute=True):
        person.logout()
    wsgi("/questions/", HTTP_COOKIE=cookies)
    assert wsgi.reached == ["/questions/", "/questions/"]


@pytest.mark.parametrize(
    ("path", "method", "headers"),
    [
        ("/questions/", "post", {}),
        ("/questions/", "head", {}),
        ("/questions/", "get", {"HTTP_HX_REQUEST": "true"}),
        ("/questions/", "get", {"HTTP_HOST": "evil.example"}),
        ("/api/v1/questions", "get", {}),
        ("/accounts/login/", "get", {}),  # never kept (never_cache)
    ],
)
def test_everything_else_goes_to_djangos_handler(wsgi, topic, path, method, headers):
    for _ in range(2):
        served = wsgi(path, method=method, **headers)
    assert wsgi.reached == [path, path]
    if "HTTP_HOST" in headers:
        assert served.status.startswith("400")


def test_plain_http_under_ssl_redirect_goes_to_djangos_handler(topic, settings, wsgi):
    settings.SECURE_SSL_REDIRECT = True
    Client().get("/questions/", secure=True)  # kept
    served = wsgi("/questions/")
    assert served.status.startswith("301") and wsgi.reached == ["/questions/"]
    assert wsgi("/questions/", secure=True).status == "200 OK"
    assert wsgi.reached == ["/questions/"]


def test_a_failure_in_the_fast_path_is_logged_and_served_by_django(
    wsgi, topic, monkeypatch, caplog
):
    wsgi("/questions/")

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(page_cache, "_wsgi_hit", broken)
    with caplog.at_level(logging.ERROR, logger="hub.page_cache"):
        served = wsgi("/questions/")
    assert served.status == "200 OK" and wsgi.reached == ["/questions/", "/questions/"]
    assert "fast path failed" in caplog.text


def test_a_hit_is_measured_and_its_sample_written_after_the_body(
    wsgi, topic, settings, monkeypatch
):
    wsgi("/questions/")
    settings.NEXUS_METRICS_HEADERS = True
    settings.NEXUS_METRICS_SAMPLE = 1.0
    written: list[dict] = []
    monkeypatch.setattr(metrics, "record", lambda **sample: written.append(sample))
    environ = RequestFactory().get("/questions/").environ
    started: list = []
    body = hub_wsgi.application(environ, lambda status, listed: started.append(listed))
    headers = dict(started[0])
    assert headers["X-Nexus-Queries"] == "0" and headers["X-Nexus-Cache"] == "1/1"
    assert written == []  # not before the server has sent the body
    body.close()
    assert [(s["route"], s["queries"]) for s in written] == [("/questions/", 0)]
    assert written[0]["stats"] == {"page": [1, 0]}


def test_without_the_cache_everything_goes_to_djangos_handler(wsgi, topic, settings):
    settings.NEXUS_CACHE = False
    wsgi("/questions/")
    wsgi("/questions/")
    assert wsgi.reached == ["/questions/", "/questions/"]


# --- A visitor's CSRF token, drawn from os.urandom ----------------------------------------


def test_the_token_is_djangos_format_for_the_visitors_secret():
    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = secret = "b" * CSRF_SECRET_LENGTH
    tokens = {page_cache._token(request) for _ in range(200)}
    assert len(tokens) == 200 and request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    for token in tokens:
        assert len(token) == CSRF_TOKEN_LENGTH and set(token) <= set(CSRF_ALLOWED_CHARS)
        assert _unmask_cipher_token(token) == secret


def test_a_visitor_without_a_secret_gets_a_new_one():
    request = RequestFactory().get("/")
    token = page_cache._token(request)
    secret = request.META["CSRF_COOKIE"]
    assert re.fullmatch(f"[{re.escape(CSRF_ALLOWED_CHARS)}]{{{CSRF_SECRET_LENGTH}}}", secret)
    assert _unmask_cipher_token(token) == secret


def test_every_character_is_equally_likely():
    # Each kept byte value stands for one character, and each character for as many byte
    # values as any other; the bytes that would favour some characters are dropped.
    kept = page_cache._TO_CHAR[: page_cache._UNBIASED]
    counts = {kept.count(bytes([ord(c)])) for c in CSRF_ALLOWED_CHARS}
    assert counts == {page_cache._UNBIASED // len(CSRF_ALLOWED_CHARS)}
    assert bytes(range(page_cache._UNBIASED, 256)) == page_cache._DROP
    drawn = page_cache._random_string(62_000)
    assert len(drawn) == 62_000 and set(drawn) == set(CSRF_ALLOWED_CHARS)
