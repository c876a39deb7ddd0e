"""GraphQL's `siteSearch`: the search page's own search (hub.search.search_page over the
apps' providers), so the same kinds, ranking, visibility and escaped snippets; a query
count that does not grow with the hits or with what is asked of them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discussions import services as forum
from discussions.tests import factories as make
from guides.tests import factories as guide
from hub import search
from hub.graphql import SearchKind
from hub.tests.gql import data
from hub.tests.test_search_page import _content, _project

pytestmark = pytest.mark.django_db

SEARCH = """query($q: String!, $kind: SearchKind, $page: Int! = 1) {
  siteSearch(query: $q, kind: $kind, page: $page) {
    query notices totalCount page hasNextPage
    kinds { kind label totalCount hits {
      kind label title url snippet where
      item {
        __typename
        ... on Question { id title author { handle } answers { author { handle } } tags { name } }
        ... on Project { id title author { handle } feedback { author { handle } } }
        ... on GuideSection { id title guide { title } mayBeOutOfDate ledHere { kind } }
      }
    } }
  }
}"""


@pytest.fixture
def lots(settings):
    settings.NEXUS_POSTING_LIMITS = {
        "question": {"hour": 10_000, "new": 10_000},
        "reply": {"hour": 10_000, "new": 10_000},
    }


def _search(client, q, **variables):
    return data(client, SEARCH, {"q": q, **variables})["siteSearch"]


def _titles(found) -> dict[str, list[str]]:
    return {k["kind"]: [h["title"] for h in k["hits"]] for k in found["kinds"] if k["hits"]}


def test_the_kinds_are_the_providers():
    assert {kind.value for kind in SearchKind} == {p.kind for p in search.providers()}


def test_every_kind_as_the_page_shows_it(client, learner, mentor, lots):
    _content(6, learner, mentor)
    found = _search(client, "zeppelin")
    assert [(k["kind"], k["label"], k["totalCount"], len(k["hits"])) for k in found["kinds"]] == [
        ("QUESTIONS", "Questions", 6, 5),
        ("PROJECTS", "Projects", 6, 3),
        ("GUIDE", "Guide", 6, 3),
    ]
    assert found["totalCount"] == 18 and found["hasNextPage"] is False
    question, project, section = (k["hits"][0] for k in found["kinds"])
    assert question["item"]["__typename"] == "Question" and question["label"] == "Question"
    assert question["item"]["answers"][0]["author"]["handle"] == mentor.handle
    assert project["item"]["__typename"] == "Project"
    assert section["item"]["__typename"] == "GuideSection"
    assert section["label"] == "Guide · Django" and section["url"].startswith("/guide/")
    assert section["item"]["guide"]["title"] == "Django"
    assert all("<mark>" in hit["snippet"] for k in found["kinds"] for hit in k["hits"])


def test_one_kind_pages_as_the_page_does(client, learner, lots):
    for i in range(23):
        make.question(learner, title=f"Zeppelin question number {i}", body="Hm.")
    first = _search(client, "zeppelin", kind="QUESTIONS")
    assert len(first["kinds"][0]["hits"]) == 20 and first["hasNextPage"] is True
    assert [k["hits"] for k in first["kinds"][1:]] == [[], []]  # only counted
    second = _search(client, "zeppelin", kind="QUESTIONS", page=2)
    assert len(second["kinds"][0]["hits"]) == 3 and second["hasNextPage"] is False
    past = _search(client, "zeppelin", kind="QUESTIONS", page=3)
    assert past["notices"] == ["There are only 2 pages of questions: page 3 is past the end."]


def test_an_answer_match_says_where(client, learner, mentor):
    question = make.question(learner, title="Workers stop overnight", body="Hm.")
    make.answer(mentor, question, body="Set the broker heartbeat for zeppelins.")
    [hit] = _search(client, "zeppelins")["kinds"][0]["hits"]
    assert hit["where"] == "In an answer" and "<mark>" in hit["snippet"]


def test_user_text_is_escaped_in_snippets(client, learner):
    make.question(
        learner,
        title="Script <script>alert(1)</script> in my title",
        body="The body has <img src=x onerror=alert(1)> and zeppelin.",
    )
    [hit] = _search(client, "zeppelin")["kinds"][0]["hits"]
    assert "<img" not in hit["snippet"] and "&lt;img" in hit["snippet"]
    assert "<mark>zeppelin</mark>" in hit["snippet"]


def test_bad_input_gets_the_pages_notices(client):
    found = _search(client, "!!! ???")
    assert found["kinds"] == [] and "nothing to search for" in found["notices"][0]
    assert "Control characters" in _search(client, "celery\x00")["notices"][0]


def test_visibility_is_the_pages(client, learner, other_learner, mentor):
    question = make.question(learner, title="Hidden zeppelin question", body="Hm.")
    forum.post_hidden_set(post=question, hidden=True, reason="spam")
    _project(learner, "Draft zeppelin project", publish=False)
    seen = {}
    for who in (None, other_learner, mentor, learner):
        client.logout()
        if who:
            client.force_login(who)
        seen[who] = _titles(_search(client, "zeppelin"))
    assert seen[None] == seen[other_learner] == {}
    assert seen[mentor] == {"QUESTIONS": ["Hidden zeppelin question"]}
    assert seen[learner] == {
        "QUESTIONS": ["Hidden zeppelin question"],
        "PROJECTS": ["Draft zeppelin project"],
    }


def test_the_query_count_does_not_grow_with_the_hits(client, learner, mentor, lots):
    client.force_login(mentor)
    _content(2, learner, mentor)
    guide.section(mentor, title="Zeppelins, again", body="More zeppelins.")
    with CaptureQueriesContext(connection) as small:
        few = _search(client, "zeppelin")
    _content(12, learner, mentor)
    with CaptureQueriesContext(connection) as large:
        many = _search(client, "zeppelin")
    assert [len(k["hits"]) for k in few["kinds"]] == [2, 2, 3]
    assert [len(k["hits"]) for k in many["kinds"]] == [5, 3, 3]
    assert len(small) == len(large), [q["sql"] for q in large.captured_queries]
