"""The forum through GraphQL: the same visibility as the pages, nested lists in a fixed
number of queries, keyset connections."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discussions import services
from discussions.tests import factories as forum
from hub.tests.gql import data, gid, node, run
from moderation import services as moderation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roomy_limits(settings):
    settings.NEXUS_POSTING_LIMITS = {
        "question": {"hour": 10_000, "new": 10_000},
        "reply": {"hour": 10_000, "new": 10_000},
    }


THREAD = """
query($id: ID!) {
  question(id: $id) {
    id title isAnswered viewerCanAnswer viewerCanAccept viewerHasUpvoted
    author { handle name }
    acceptedAnswer { id }
    answers { id body isAccepted author { handle } comments { body author { handle } } }
    comments { body }
    tags { name }
  }
}
"""

NESTED = """
query($first: Int!) {
  questions(first: $first, sort: NEWEST) {
    edges { cursor node {
      id title category { slug } tags { name } author { handle bio }
      acceptedAnswer { id } viewerHasUpvoted viewerIsFollowing
      comments { body author { handle } }
      answers { body author { handle } viewerHasUpvoted comments { body author { handle } } }
    } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


def _thread(asker, answerer):
    q = forum.question(asker)
    a = forum.answer(answerer, q)
    services.comment_create(author=asker, answer=a, body="Thanks, that worked.")
    services.comment_create(author=answerer, question=q, body="Which Django version?")
    return q, a


def test_question_with_answers_comments_and_viewer_flags(client, learner, other_learner):
    q, a = _thread(learner, other_learner)
    services.answer_accept(actor=learner, answer=a)
    client.force_login(learner)
    got = data(client, THREAD, {"id": gid("Question", q.pk)})["question"]
    assert got["title"] == q.title
    assert got["isAnswered"] is True
    assert got["viewerCanAccept"] is True
    assert got["viewerHasUpvoted"] is False
    assert got["acceptedAnswer"]["id"] == gid("Answer", a.pk)
    assert got["answers"][0]["isAccepted"] is True
    assert got["answers"][0]["comments"][0]["body"] == "Thanks, that worked."
    assert [c["body"] for c in got["comments"]] == ["Which Django version?"]
    assert sorted(t["name"] for t in got["tags"]) == ["django", "orm"]


def test_user_never_exposes_email(client, learner):
    q = forum.question(learner)
    query = "query($id: ID!) { node(id: $id) { ... on Question { author { email } } } }"
    body = run(client, query, {"id": gid("Question", q.pk)})
    assert "errors" in body and "email" in body["errors"][0]["message"]


def test_hidden_answer_is_null_everywhere_for_others(client, learner, other_learner, mentor):
    q, a = _thread(learner, other_learner)
    services.answer_accept(actor=learner, answer=a)
    moderation.content_hide(actor=mentor, target=a, reason="Spam")
    for who in (None, learner):
        client.logout()
        if who:
            client.force_login(who)
        got = data(client, THREAD, {"id": gid("Question", q.pk)})["question"]
        assert got["answers"] == []
        assert got["acceptedAnswer"] is None
        node = data(client, '{{ node(id: "{}") {{ id }} }}'.format(gid("Answer", a.pk)))
        assert node["node"] is None
    # Its author and mentors still see it (marked), as on the page.
    for who in (other_learner, mentor):
        client.force_login(who)
        got = data(client, THREAD, {"id": gid("Question", q.pk)})["question"]
        assert [x["id"] for x in got["answers"]] == [gid("Answer", a.pk)]


ACCEPTED_ALONE = """query($id: ID!) { question(id: $id) { acceptedAnswer { id } } }"""

# acceptedAnswer beside answers, through an alias and a fragment: no query of its own.
ACCEPTED_BESIDE = """
query($id: ID!) {
  thread: question(id: $id) { ...Accepted answers { id } }
}
fragment Accepted on Question { best: acceptedAnswer { id body } }
"""


def test_accepted_answer_alone_is_null_when_hidden_from_the_viewer(
    client, learner, other_learner, mentor
):
    q, a = _thread(learner, other_learner)
    services.answer_accept(actor=learner, answer=a)
    variables = {"id": gid("Question", q.pk)}
    client.force_login(learner)
    assert data(client, ACCEPTED_ALONE, variables)["question"]["acceptedAnswer"] == {
        "id": gid("Answer", a.pk)
    }
    moderation.content_hide(actor=mentor, target=a, reason="Spam")
    assert data(client, ACCEPTED_ALONE, variables)["question"]["acceptedAnswer"] is None
    for who in (other_learner, mentor):  # its author and mentors still see it
        client.force_login(who)
        got = data(client, ACCEPTED_ALONE, variables)["question"]["acceptedAnswer"]
        assert got == {"id": gid("Answer", a.pk)}


def test_accepted_answer_beside_the_answers_reuses_their_query(client, learner, other_learner):
    q, a = _thread(learner, other_learner)
    other = forum.answer(learner, q)
    services.answer_accept(actor=learner, answer=a)
    variables = {"id": gid("Question", q.pk)}
    client.force_login(learner)
    answers_only = "query($id: ID!) { thread: question(id: $id) { answers { id } } }"
    with CaptureQueriesContext(connection) as without:
        data(client, answers_only, variables)
    with CaptureQueriesContext(connection) as beside:
        got = data(client, ACCEPTED_BESIDE, variables)["thread"]
    assert got["best"] == {"id": gid("Answer", a.pk), "body": a.body}
    assert [x["id"] for x in got["answers"]] == [gid("Answer", a.pk), gid("Answer", other.pk)]
    assert len(beside) == len(without), [x["sql"] for x in beside.captured_queries]
    with CaptureQueriesContext(connection) as alone:
        data(client, ACCEPTED_ALONE, variables)
    assert len(alone) == len(without)  # alone, it loads the accepted answer only


def test_question_by_id_loads_its_tags_only_when_asked(client, learner):
    q = forum.question(learner)
    variables = {"id": gid("Question", q.pk)}
    with CaptureQueriesContext(connection) as plain:
        assert data(client, "query($id: ID!) { question(id: $id) { title } }", variables)
    with CaptureQueriesContext(connection) as tagged:
        got = data(client, "query($id: ID!) { question(id: $id) { tags { name } } }", variables)
    assert sorted(t["name"] for t in got["question"]["tags"]) == ["django", "orm"]
    assert len(tagged) == len(plain) + 1, [x["sql"] for x in plain.captured_queries]


def test_hidden_question_is_null_by_id_and_gone_from_lists(client, learner, other_learner, mentor):
    q = forum.question(learner)
    moderation.content_hide(actor=mentor, target=q, reason="Off topic")
    client.force_login(other_learner)
    assert data(client, THREAD, {"id": gid("Question", q.pk)})["question"] is None
    assert node(client, gid("Question", q.pk)) is None
    listed = data(client, NESTED, {"first": 10})["questions"]["edges"]
    assert listed == []
    client.force_login(learner)
    assert data(client, THREAD, {"id": gid("Question", q.pk)})["question"]["id"]


def test_wrong_type_or_garbage_ids_are_null(client, learner):
    q = forum.question(learner)
    assert data(client, THREAD, {"id": gid("Answer", q.pk)})["question"] is None
    assert data(client, '{ node(id: "bm9wZTo0Mg==") { id } }')["node"] is None
    body = run(client, '{ node(id: "%%%") { id } }')
    assert body["data"] in (None, {"node": None})


def test_nested_list_query_count_is_constant(client, learner, other_learner, mentor):
    def grow(n):
        for _ in range(n):
            q, a = _thread(learner, other_learner)
            services.answer_create(author=mentor, question=q, body="Also check the docs.")
            services.answer_accept(actor=learner, answer=a)

    client.force_login(mentor)
    grow(2)
    with CaptureQueriesContext(connection) as small:
        first = data(client, NESTED, {"first": 50})
    grow(6)
    with CaptureQueriesContext(connection) as large:
        second = data(client, NESTED, {"first": 50})
    assert len(first["questions"]["edges"]) == 2
    assert len(second["questions"]["edges"]) == 8
    assert len(second["questions"]["edges"][0]["node"]["answers"]) == 2
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
    # session + user, questions, tags, accepted, voted, follows, question comments,
    # answers, answer votes, answer comments
    assert len(large) <= 11


def test_connection_pages_forward_and_backward(client, learner):
    made = [forum.question(learner) for _ in range(5)]
    newest_first = [gid("Question", q.pk) for q in reversed(made)]
    query = """query($first: Int, $after: String, $last: Int, $before: String) {
      questions(first: $first, after: $after, last: $last, before: $before, sort: NEWEST) {
        edges { node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""
    page1 = data(client, query, {"first": 2})["questions"]
    assert [e["node"]["id"] for e in page1["edges"]] == newest_first[:2]
    assert page1["pageInfo"]["hasNextPage"] is True
    page2 = data(client, query, {"first": 2, "after": page1["pageInfo"]["endCursor"]})["questions"]
    assert [e["node"]["id"] for e in page2["edges"]] == newest_first[2:4]
    assert page2["pageInfo"]["hasPreviousPage"] is True
    tail = data(client, query, {"last": 2})["questions"]
    assert [e["node"]["id"] for e in tail["edges"]] == newest_first[3:]
    assert tail["pageInfo"]["hasPreviousPage"] is True
    back = data(client, query, {"last": 2, "before": page2["pageInfo"]["startCursor"]})
    assert [e["node"]["id"] for e in back["questions"]["edges"]] == newest_first[:2]


@pytest.mark.parametrize(
    "args, message",
    [
        ("", "exactly one of `first` or `last`"),
        ("(first: 2, last: 2)", "exactly one of `first` or `last`"),
        ("(first: 101)", "between 1 and 100"),
        ("(last: 0)", "between 1 and 100"),
    ],
)
def test_first_or_last_is_required_and_capped(client, args, message):
    body = run(client, f"{{ questions{args} {{ edges {{ node {{ id }} }} }} }}")
    assert message in body["errors"][0]["message"]


def test_filters_search_and_categories(client, learner, other_learner):
    python = forum.category("python", "Python")
    q1 = forum.question(learner, title="Why does my Celery worker never start?", cat=python)
    q2 = forum.question(learner, title="How do I paginate a Django queryset by keyset?")
    forum.answer(other_learner, q2)
    got = data(
        client, '{ questions(first: 10, filter: {category: "python"}) { edges { node { id } } } }'
    )
    assert [e["node"]["id"] for e in got["questions"]["edges"]] == [gid("Question", q1.pk)]
    got = data(
        client, "{ questions(first: 10, filter: {show: UNANSWERED}) { edges { node { id } } } }"
    )
    assert [e["node"]["id"] for e in got["questions"]["edges"]] == [gid("Question", q1.pk)]
    got = data(
        client, '{ questions(first: 10, search: "celery worker") { edges { node { id } } } }'
    )
    assert [e["node"]["id"] for e in got["questions"]["edges"]] == [gid("Question", q1.pk)]
    got = data(client, '{ search(query: "keyset", first: 5) { question { id } snippet } }')
    assert [h["question"]["id"] for h in got["search"]] == [gid("Question", q2.pk)]
    got = data(client, "{ categories { slug } }")
    assert {"python", "django"} <= {c["slug"] for c in got["categories"]}
    got = data(
        client, '{ questions(first: 5, filter: {category: "nope"}) { edges { node { id } } } }'
    )
    assert got["questions"]["edges"] == []


def test_anonymous_viewer_flags(client, learner):
    q = forum.question(learner)
    got = data(client, THREAD, {"id": gid("Question", q.pk)})["question"]
    assert got["viewerCanAnswer"] is False
    assert got["viewerHasUpvoted"] is False
    assert AnonymousUser().is_authenticated is False
