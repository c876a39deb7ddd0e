"""hub.page_cache: visitors' whole pages from the cache, never stale, never shared tokens."""

import re
import zlib

import pytest
from django.conf import settings
from django.db import transaction
from django.middleware.csrf import _get_new_csrf_string, _unmask_cipher_token
from django.test import Client

from discussions.models import Category
from discussions.services import question_create
from hub import cache, page_cache, sessions

pytestmark = [pytest.mark.cached, pytest.mark.django_db]

TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')
NONCE = re.compile(r'nonce="([^"]+)"')


@pytest.fixture
def topic(db):
    return Category.objects.create(name="Caching", slug="caching")


def ask(author, topic, title: str) -> None:
    question_create(author=author, title=title, body="How do I cache it?", category=topic)


def test_a_visitors_second_view_runs_no_query(client, django_assert_num_queries, topic):
    first = client.get("/questions/")
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = Client().get("/questions/")
    assert again.status_code == 200 and hasattr(again, "from_page_cache")
    assert again.content.count(b"<li") == first.content.count(b"<li")


def test_each_visitor_gets_their_own_nonce_and_a_token_for_their_own_cookie(topic):
    Client().get("/questions/")  # fills the cache
    pages = [Client(enforce_csrf_checks=True) for _ in range(2)]
    seen = []
    for visitor in pages:
        response = visitor.get("/questions/")
        assert hasattr(response, "from_page_cache")
        html = response.content.decode()
        nonce = NONCE.search(html).group(1)
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
        assert "\x00" not in html
        token = TOKEN.search(html).group(1)
        seen.append((nonce, token, visitor.cookies["csrftoken"].value))
        # The token is good for this visitor's cookie: a wrong password, not a CSRF 403.
        posted = visitor.post(
            "/accounts/login/",
            {"login": "nobody@example.com", "password": "wrong"},
            headers={"X-CSRFToken": token},
        )
        assert posted.status_code == 200
    assert seen[0][0] != seen[1][0] and seen[0][1] != seen[1][1] and seen[0][2] != seen[1][2]


def test_a_visitor_with_a_cookie_keeps_it(topic):
    visitor = Client(enforce_csrf_checks=True)
    visitor.get("/questions/")
    cookie = visitor.cookies["csrftoken"].value
    response = visitor.get("/questions/")
    assert hasattr(response, "from_page_cache")
    # The visitor's secret stays (Django re-sends the same cookie to renew its expiry).
    assert response.cookies["csrftoken"].value == cookie
    token = TOKEN.search(response.content.decode()).group(1)
    posted = visitor.post(
        "/accounts/login/",
        {"login": "nobody@example.com", "password": "wrong"},
        headers={"X-CSRFToken": token},
    )
    assert posted.status_code == 200 and visitor.cookies["csrftoken"].value == cookie


def test_a_write_shows_on_the_next_visitors_read(
    learner, topic, django_capture_on_commit_callbacks
):
    assert b"Redis or memcached" not in Client().get("/questions/").content
    with django_capture_on_commit_callbacks(execute=True):
        ask(learner, topic, "Redis or memcached for sessions?")
    assert b"Redis or memcached" in Client().get("/questions/").content


def test_a_saved_row_bumps_after_commit_and_not_when_rolled_back(
    learner, topic, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        topic.save()
        transaction.set_rollback(True)
    assert callbacks == []
    before = cache.versions([("pages", "")])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        topic.save()
    assert callbacks and cache.versions([("pages", "")]) != before
    # A session row (a sign-in) shows on no visitor's page.
    with django_capture_on_commit_callbacks() as callbacks:
        Client().force_login(learner)
    # The account's last_login bumps the pages; the session's own writes bump only it.
    assert callbacks.count(page_cache._bump_pages) == 1
    assert page_cache._bump_sessions not in callbacks


def test_pages_that_say_never_cache_are_not_kept(topic):
    Client().get("/accounts/login/")
    assert not hasattr(Client().get("/accounts/login/"), "from_page_cache")


def test_signed_in_people_fragments_and_sessions_are_never_served_from_it(client, learner, topic):
    Client().get("/questions/")  # a visitor's copy is cached
    client.force_login(learner)
    signed_in = client.get("/questions/")
    assert f'data-user-id="{learner.pk}"'.encode() in signed_in.content
    assert not hasattr(signed_in, "from_page_cache")
    fragment = Client().get("/questions/", headers={"HX-Request": "true"})
    assert fragment["Cache-Control"] == "no-store"
    assert not hasattr(fragment, "from_page_cache")
    someone = Client()
    someone.cookies["sessionid"] = "someone"
    with_session = someone.get("/questions/")
    assert not hasattr(with_session, "from_page_cache")
    assert hasattr(Client().get("/questions/"), "from_page_cache")


def test_the_versions_bump_pages_too(topic, learner):
    Client().get("/questions/")
    before = cache.versions([("pages", "")])
    cache.version_bump("question", 1)
    assert cache.versions([("pages", "")]) != before


def test_off_when_seconds_is_zero(settings, topic, django_assert_max_num_queries):
    settings.NEXUS_PAGE_CACHE_SECONDS = 0
    Client().get("/questions/")
    with django_assert_max_num_queries(50) as captured:
        Client().get("/questions/")
    assert len(captured) > 0


def test_queryset_updates_and_bulk_writes_bump_too(topic, django_capture_on_commit_callbacks):
    for write in (
        lambda: Category.objects.filter(pk=topic.pk).update(name="Caches"),
        lambda: Category.objects.bulk_create([Category(name="Queues", slug="queues")]),
        lambda: Category.objects.filter(slug="queues").delete(),
    ):
        before = cache.versions([("pages", "")])
        with django_capture_on_commit_callbacks(execute=True):
            write()
        assert cache.versions([("pages", "")]) != before


def test_a_hit_carries_the_pages_etag_and_answers_304(topic):
    rendered = Client().get("/questions/")
    hit = Client().get("/questions/")
    assert hasattr(hit, "from_page_cache") and hit["ETag"] == rendered["ETag"]
    again = Client().get("/questions/", headers={"If-None-Match": hit["ETag"]})
    assert again.status_code == 304


# --- Signed-in people's own copies -------------------------------------------------------


def signed_in(user) -> Client:
    """A browser signed in as `user`, with the CSRF cookie the sign-in page set."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies[settings.CSRF_COOKIE_NAME] = _get_new_csrf_string()
    return client


def test_a_persons_second_view_is_their_own_copy_for_one_query(
    learner, topic, django_assert_num_queries
):
    person = signed_in(learner)
    first = person.get("/questions/")
    assert not hasattr(first, "from_page_cache")
    with django_assert_num_queries(0):  # not even their session (hub.sessions' version)
        again = person.get("/questions/")
    assert hasattr(again, "from_page_cache")
    assert f'data-user-id="{learner.pk}"'.encode() in again.content
    assert again["Cache-Control"] == "private, no-cache" and "ETag" not in again
    assert "Cookie" in again["Vary"] and again["X-Frame-Options"] == "DENY"
    nonce = NONCE.search(again.content.decode()).group(1)
    assert nonce != NONCE.search(first.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in again["Content-Security-Policy"]
    # Its CSRF token is good for their cookie: the vote goes through.
    token = TOKEN.search(again.content.decode()).group(1)
    posted = person.post("/questions/", headers={"X-CSRFToken": token})
    assert posted.status_code != 403


def test_nobody_gets_anothers_copy(learner, mentor, topic):
    for user in (learner, mentor, learner, mentor):
        page = signed_in(user).get("/questions/")
        assert f'data-user-id="{user.pk}"'.encode() in page.content
    visitor = Client().get("/questions/")
    assert b"data-user-id=" not in visitor.content or b'data-user-id=""' in visitor.content


def test_a_write_shows_on_a_persons_next_read(
    learner, mentor, topic, django_capture_on_commit_callbacks
):
    person = signed_in(learner)
    person.get("/questions/")
    assert hasattr(person.get("/questions/"), "from_page_cache")
    with django_capture_on_commit_callbacks(execute=True):
        ask(mentor, topic, "Redis or memcached for sessions?")
    fresh = person.get("/questions/")
    assert not hasattr(fresh, "from_page_cache") and b"Redis or memcached" in fresh.content


def test_a_changed_session_is_another_copy_and_an_ended_one_none(
    learner, topic, django_capture_on_commit_callbacks
):
    person = signed_in(learner)
    person.get("/questions/")
    assert hasattr(person.get("/questions/"), "from_page_cache")
    session = person.session
    session["something"] = "else"
    with django_capture_on_commit_callbacks(execute=True):
        session.save()
    assert not hasattr(person.get("/questions/"), "from_page_cache")
    assert hasattr(person.get("/questions/"), "from_page_cache")
    with django_capture_on_commit_callbacks(execute=True):
        session.delete()  # signed out: the same cookie is nobody's now
    after = person.get("/questions/")
    assert not hasattr(after, "from_page_cache")
    assert f'data-user-id="{learner.pk}"'.encode() not in after.content


def test_a_page_that_shows_a_flash_message_is_not_kept(learner, topic):
    person = Client()
    person.force_login(learner)
    posted = person.post(
        "/ask/",
        {"title": "How do I warm a cache on deploy?", "body": "Before traffic comes.",
         "category": topic.pk},
    )  # fmt: skip
    assert posted.status_code == 302
    shown = person.get(posted["Location"])
    assert b"Your question is posted" in shown.content
    again = person.get(posted["Location"])
    assert b"Your question is posted" not in again.content


def test_a_role_change_shows_at_once(learner, topic, django_capture_on_commit_callbacks):
    person = signed_in(learner)
    person.get("/questions/")
    assert hasattr(person.get("/questions/"), "from_page_cache")
    with django_capture_on_commit_callbacks(execute=True):
        learner.role = "mentor"
        learner.save(update_fields=["role"])
    assert not hasattr(person.get("/questions/"), "from_page_cache")


def test_signed_in_copies_can_be_turned_off(settings, learner, topic):
    settings.NEXUS_PAGE_CACHE_SIGNED_IN = False
    person = signed_in(learner)
    person.get("/questions/")
    assert not hasattr(person.get("/questions/"), "from_page_cache")
    Client().get("/questions/")
    assert hasattr(Client().get("/questions/"), "from_page_cache")


def test_a_hit_never_skips_a_redirect_or_a_refusal_the_stack_would_make(settings, topic):
    Client().get("/questions/")
    assert hasattr(Client().get("/questions/"), "from_page_cache")
    assert Client().get("/questions/", HTTP_HOST="evil.example").status_code == 400
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/questions/").status_code == 301


def test_a_visitors_copy_carries_last_modified_once_its_second_has_come(
    monkeypatch, topic, learner, django_capture_on_commit_callbacks
):
    import time as real_time
    from types import SimpleNamespace

    from hub import page_cache

    # The copy is made five seconds "ago": the first request's clock is behind.
    behind = [True]
    monkeypatch.setattr(
        page_cache,
        "time",
        SimpleNamespace(time=lambda: real_time.time() - (5 if behind[0] else 0)),
    )
    fresh = Client().get("/questions/")
    behind[0] = False
    assert "Last-Modified" not in fresh  # a render: its second has not come
    hit = Client().get("/questions/")
    assert hasattr(hit, "from_page_cache") and "Last-Modified" in hit
    since = {"If-Modified-Since": hit["Last-Modified"]}
    not_modified = Client().get("/questions/", headers=since)
    assert not_modified.status_code == 304
    assert not_modified["Last-Modified"] == hit["Last-Modified"] and not_modified["ETag"]
    # The ETag decides when the client sends one.
    other = Client().get("/questions/", headers={**since, "If-None-Match": '"other"'})
    assert other.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        ask(learner, topic, "Redis or memcached for sessions?")
    changed = Client().get("/questions/", headers=since)
    assert changed.status_code == 200 and b"Redis or memcached" in changed.content


# --- Compressed copies (hub/spliced_deflate.py) ------------------------------------------

BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}


def decoded(response) -> str:
    assert response["Content-Encoding"] == "deflate"
    assert int(response["Content-Length"]) == len(response.content)
    return zlib.decompress(response.content).decode()


def test_a_visitors_hit_is_sent_compressed_with_their_own_nonce_and_token(topic):
    plain = Client().get("/questions/")  # fills the cache
    assert "Content-Encoding" not in plain and "Accept-Encoding" in plain["Vary"]
    visitor = Client(enforce_csrf_checks=True)
    hit = visitor.get("/questions/", headers=BROWSER)
    assert hasattr(hit, "from_page_cache") and "Accept-Encoding" in hit["Vary"]
    html = decoded(hit)
    assert len(hit.content) * 2 < len(html)
    nonce = NONCE.search(html).group(1)
    assert f"'nonce-{nonce}'" in hit["Content-Security-Policy"]
    assert nonce != NONCE.search(plain.content.decode()).group(1)
    # The same page as a client that does not take deflate gets, but for the two values.
    identity = Client().get("/questions/", headers={"Accept-Encoding": "gzip;q=1, deflate;q=0"})
    assert hasattr(identity, "from_page_cache") and "Content-Encoding" not in identity
    assert NONCE.sub("", TOKEN.sub("", html)) == NONCE.sub(
        "", TOKEN.sub("", identity.content.decode())
    )
    token = TOKEN.search(html).group(1)
    posted = visitor.post(
        "/accounts/login/",
        {"login": "nobody@example.com", "password": "wrong"},
        headers={"X-CSRFToken": token},
    )
    assert posted.status_code == 200  # a wrong password, not a CSRF 403


def test_a_visitors_compressed_hit_answers_if_none_match(topic):
    Client().get("/questions/")
    hit = Client().get("/questions/", headers=BROWSER)
    again = Client().get("/questions/", headers={**BROWSER, "If-None-Match": hit["ETag"]})
    assert again.status_code == 304 and not again.content


def test_a_persons_hit_is_sent_compressed_with_the_token_of_their_cookie(learner, topic):
    person = signed_in(learner)
    first = person.get("/questions/", headers=BROWSER)
    assert not hasattr(first, "from_page_cache")
    hit = person.get("/questions/", headers=BROWSER)
    assert hasattr(hit, "from_page_cache")
    html = decoded(hit)
    assert f'data-user-id="{learner.pk}"' in html
    nonce = NONCE.search(html).group(1)
    assert f"'nonce-{nonce}'" in hit["Content-Security-Policy"]
    assert nonce != NONCE.search(first.content.decode()).group(1)
    token = TOKEN.search(html).group(1)
    assert person.post("/questions/", headers={"X-CSRFToken": token}).status_code != 403


def test_a_person_without_a_csrf_cookie_or_with_a_new_one_is_not_kept(learner, topic):
    person = Client()
    person.force_login(learner)
    assert settings.CSRF_COOKIE_NAME not in person.cookies
    person.get("/questions/")  # renders, and sets their cookie
    assert settings.CSRF_COOKIE_NAME in person.cookies
    person.get("/questions/")  # kept under that cookie
    assert hasattr(person.get("/questions/"), "from_page_cache")
    # Another secret (a sign-in elsewhere rotated it): another copy, made for it.
    person.cookies[settings.CSRF_COOKIE_NAME] = _get_new_csrf_string()
    again = person.get("/questions/")
    assert not hasattr(again, "from_page_cache")
    token = TOKEN.search(person.get("/questions/").content.decode()).group(1)
    secret = person.cookies[settings.CSRF_COOKIE_NAME].value
    assert _unmask_cipher_token(token) == secret


# --- Sessions known unchanged without a query (hub.sessions) ------------------------------


def test_a_session_written_behind_the_stores_back_retires_every_persons_copy(
    learner, mentor, topic, django_capture_on_commit_callbacks
):
    from django.contrib.sessions.models import Session

    people = [signed_in(learner), signed_in(mentor)]
    for person in people:
        person.get("/questions/")
        assert hasattr(person.get("/questions/"), "from_page_cache")
    # A queryset delete (the admin, a script) names no one session: all are retired.
    with django_capture_on_commit_callbacks(execute=True):
        Session.objects.filter(session_key=people[0].session.session_key).delete()
    gone = people[0].get("/questions/")
    assert not hasattr(gone, "from_page_cache")
    assert f'data-user-id="{learner.pk}"'.encode() not in gone.content
    assert not hasattr(people[1].get("/questions/"), "from_page_cache")
    assert hasattr(people[1].get("/questions/"), "from_page_cache")


def test_an_expired_session_is_not_served_its_copy(learner, topic, monkeypatch):
    person = signed_in(learner)
    person.get("/questions/")
    assert hasattr(person.get("/questions/"), "from_page_cache")
    # The copy knows when the session expires: past that, the request passes through.
    later = page_cache.time.time() + settings.SESSION_COOKIE_AGE + 60
    monkeypatch.setattr(page_cache.time, "time", lambda: later)
    # (The database's clock is not moved: the render still finds the session.)
    assert not hasattr(person.get("/questions/"), "from_page_cache")


def test_each_session_has_its_own_version():
    one, other = sessions.dep("a" * 32), sessions.dep("b" * 32)
    assert one != other and "a" * 32 not in one[1]
    before = cache.versions([one, other, sessions.ALL])
    cache.version_bump(*one, pages=False)
    after = cache.versions([one, other, sessions.ALL])
    assert after[0] != before[0] and after[1:] == before[1:]
