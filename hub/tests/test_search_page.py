"""The site search page (/search/): every kind in one page, one kind's pages, the header's
box, bad input, and a query count that does not grow with the results."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discussions import services as forum
from discussions.tests import factories as make
from guides.tests import factories as guide
from projects import services as projects

pytestmark = pytest.mark.django_db


def _project(author, title, publish=True):
    return projects.project_create(
        author=author,
        title=title,
        pitch="Made in the spring cohort.",
        description="Uses zeppelins.",
        repository_url=f"https://github.com/someone/{title.lower().replace(' ', '-')}",
        tags="django",
        publish=publish,
    )


@pytest.fixture
def lots(settings):
    settings.NEXUS_POSTING_LIMITS = {
        "question": {"hour": 10_000, "new": 10_000},
        "reply": {"hour": 10_000, "new": 10_000},
    }


def _content(n, learner, mentor):
    for i in range(n):
        question = make.question(
            learner, title=f"Zeppelin question number {i}", body="Hm.", tags="celery zeppelin"
        )
        make.answer(mentor, question, body="Zeppelins float.")
        _project(learner, f"Zeppelin project {i}")
        guide.section(mentor, title=f"Zeppelins, part {i}", body="All about zeppelins.")


def test_every_kind_in_one_page_with_more_links(client, learner, mentor, lots):
    _content(6, learner, mentor)
    page = client.get("/search/", {"q": "zeppelin"}).text
    assert "Zeppelin question number" in page and "Zeppelin project" in page
    assert "Guide · Django" in page
    assert page.count('class="search-result"') == 5 + 3 + 3
    assert "All 6 questions →" in page and "All 6 projects →" in page
    assert 'href="/search/?q=zeppelin&amp;kind=questions"' in page
    assert "<mark>" in page


def test_one_kind_pages_through_its_results(client, learner, mentor, lots):
    for i in range(23):
        make.question(learner, title=f"Zeppelin question number {i}", body="Hm.")
    first = client.get("/search/", {"q": "zeppelin", "kind": "questions"}).text
    assert first.count('class="search-result"') == 20
    assert "23 found" in first and "kind=questions&amp;page=2" in first
    second = client.get("/search/", {"q": "zeppelin", "kind": "questions", "page": 2}).text
    assert second.count('class="search-result"') == 3
    assert "page=1" in second and "page=3" not in second


def test_empty_state_tips_and_nothing_found(client, learner):
    make.question(learner, title="Celery loses tasks on deploy", body="Hm.")
    tips = client.get("/search/").text
    assert "Quote an exact phrase" in tips and "tag:" in tips
    page = client.get("/search/", {"q": "zebra"}).text
    assert "Nothing matches “zebra”" in page and "Ask a question" in page


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("celery\x00 tasks", "Control characters"),
        ("\x00", "Control characters"),
        ("x" * 5000, "limited to 200 characters"),
        ("celery " * 400, "limited to 200 characters"),
        ("!!! ??? ...", "nothing to search for"),
        ("-celery", "nothing to search for"),
    ],
)
def test_bad_input_gets_a_clear_message_never_an_error(client, learner, q, message):
    make.question(learner, title="Celery loses tasks on deploy", body="Hm.")
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    assert message in response.text


def test_odd_parameters_are_no_error(client, learner):
    make.question(learner, title="Celery loses tasks on deploy", body="Hm.")
    for params in (
        {"q": "celery", "page": "x"},
        {"q": "celery", "page": "-3"},
        {"q": "celery", "kind": "questions", "page": "100000"},
        {"q": "celery", "kind": "nope"},
        {"q": '"unclosed phrase'},
        {"q": "tag:"},
    ):
        assert client.get("/search/", params).status_code == 200, params
    assert "stop at page 25" in client.get("/search/", {"q": "celery", "page": 999}).text
    past = client.get("/search/", {"q": "celery", "kind": "questions", "page": 3}).text
    assert "There is only 1 page of questions: page 3 is past the end." in past
    assert "no such kind" in client.get("/search/", {"q": "celery", "kind": "nope"}).text


def test_user_text_is_escaped_in_results(client, learner):
    make.question(
        learner,
        title="Script <script>alert(1)</script> in my title",
        body="The body has <img src=x onerror=alert(1)> and zeppelin.",
    )
    page = client.get("/search/", {"q": "zeppelin"}).text
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "<mark>zeppelin</mark>" in page


def test_hidden_and_unpublished_content_stays_out_for_others(
    client, learner, other_learner, mentor
):
    question = make.question(learner, title="Hidden zeppelin question", body="Hm.")
    forum.post_hidden_set(post=question, hidden=True, reason="spam")
    _project(learner, "Draft zeppelin project", publish=False)
    for viewer in (None, other_learner):
        if viewer:
            client.force_login(viewer)
        page = client.get("/search/", {"q": "zeppelin"}).text
        assert "Hidden zeppelin question" not in page and "Draft zeppelin project" not in page
        assert "Nothing matches" in page
    client.force_login(mentor)
    page = client.get("/search/", {"q": "zeppelin"}).text
    assert "Hidden zeppelin question" in page and "Draft zeppelin project" not in page
    client.force_login(learner)
    page = client.get("/search/", {"q": "zeppelin"}).text
    assert "Hidden zeppelin question" in page and "Draft zeppelin project" in page


def _queries(client, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/search/", params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{"q": "zeppelin"}, {"q": "zeppelin", "kind": "questions"}])
def test_the_query_count_does_not_grow_with_results(client, learner, mentor, lots, params):
    client.force_login(mentor)
    _content(2, learner, mentor)
    small = _queries(client, params)
    _content(12, learner, mentor)
    large = _queries(client, params)
    assert small == large


@pytest.mark.cached
@pytest.mark.parametrize("params", [{"q": "zeppelin"}, {"q": "zeppelin", "kind": "questions"}])
def test_a_signed_in_search_with_cached_ids_sees_each_write_and_stays_constant(
    client, learner, mentor, lots, params, django_capture_on_commit_callbacks, settings
):
    """The questions' ranked ids are cached (keyed on the version writes bump): the next
    search after a write computes afresh, and neither path grows with the results."""
    settings.NEXUS_PAGE_CACHE_SIGNED_IN = False  # the view's own path, not a kept page
    client.force_login(learner)
    with django_capture_on_commit_callbacks(execute=True):
        _content(2, learner, mentor)
    small = _queries(client, params)
    hit = _queries(client, params)
    with django_capture_on_commit_callbacks(execute=True):
        _content(24, learner, mentor)
        make.question(mentor, title="The newest zeppelin of all", body="A zeppelin.")
    assert "The newest zeppelin of all" in client.get("/search/", params).text
    assert hit < small == _queries_after_bump(client, params)
    assert _queries(client, params) == hit


def _queries_after_bump(client, params):
    from hub import cache

    cache.version_bump("questions")
    return _queries(client, params)


def test_the_header_has_a_search_box_that_works_without_javascript(client, learner):
    page = client.get("/").text
    assert '<form class="header-search" method="get" action="/search/" role="search"' in page
    assert '<label class="visually-hidden" for="header-search-q">' in page
    assert 'id="header-search-q" type="search" name="q"' in page
    assert 'class="btn btn--icon header-search-link" href="/search/"' in page  # narrow screens
    make.question(learner, title="Celery loses tasks on deploy", body="Hm.")
    assert "Celery loses tasks on deploy" in client.get("/search/?q=celery").text


def test_the_old_name_still_reverses():
    from django.urls import reverse

    assert reverse("discussions:search") == reverse("search") == "/search/"


def test_a_capped_total_reads_as_a_floor(client, learner, lots, monkeypatch):
    """Past discussions' SEARCH_COUNT_MAX matches the questions' count stops: "1,000+"."""
    from discussions import selectors

    monkeypatch.setattr(selectors, "SEARCH_COUNT_MAX", 6)
    for i in range(8):
        make.question(learner, title=f"Zeppelin question number {i}", body="Hm.")
    everything = client.get("/search/", {"q": "zeppelin"}).text
    assert 'Questions <span class="search-kinds__count">6+</span>' in everything
    assert 'All <span class="search-kinds__count">6+</span>' in everything
    assert "5 of 6+" in everything and "All 6+ questions →" in everything
    one_kind = client.get("/search/", {"q": "zeppelin", "kind": "questions"}).text
    assert "6+ found" in one_kind
    assert one_kind.count('class="search-result"') == 8  # only the count stops
