"""hub.graphql_cache: whole GraphQL query results from the cache, per viewer, never stale,
still charged to the viewer's budget, never for mutations, errors or clock-bound fields."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import services as accounts
from accounts.models import ApiToken
from discussions import services as discussions
from discussions.tests import factories
from hub import cache, graphql_cache, graphql_limits
from hub.tests.gql import gid, run
from hub.tests.outage import free_port
from moderation.services import suspensions

pytestmark = [pytest.mark.cached, pytest.mark.django_db]

THREAD = """query Thread($id: ID!) {
  question(id: $id) {
    title
    bodyHtml
    score
    viewerCanAnswer
    answers { id bodyHtml score author { handle isMentor } comments { bodyHtml } }
  }
}"""
WHO = "{ viewer { isAuthenticated isMentor canWrite user { handle } } }"


def fragment_timeouts(monkeypatch) -> list:
    """The timeout of each hub.cache.fragment call from here on."""
    timeouts: list = []
    real = cache.fragment

    def spy(name, **kwargs):
        timeouts.append(kwargs["timeout"])
        return real(name, **kwargs)

    monkeypatch.setattr(cache, "fragment", spy)
    return timeouts


@pytest.fixture
def thread(learner, mentor):
    question = factories.question(learner, title="How do I cache a GraphQL result?")
    factories.answer(mentor, question, body="Keep the whole result, keyed on the viewer.")
    return question


@pytest.fixture
def lookups(monkeypatch):
    """Each lookup of the result cache in order: True for a hit, False for a miss."""
    seen: list[bool] = []
    real = cache._count

    def counting(name: str, hit: bool) -> None:
        if name == graphql_cache.NAME:
            seen.append(hit)
        real(name, hit)

    monkeypatch.setattr(cache, "_count", counting)
    return seen


def ask(client: Client, query: str, variables: dict | None = None, **headers) -> tuple[dict, int]:
    """(the response body, how many SQL queries it ran)."""
    with CaptureQueriesContext(connection) as queries:
        body = run(client, query, variables, **headers)
    return body, len(queries)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bearer(user, scopes: list[str]) -> dict:
    _, raw = accounts.token_create(
        user=user, name=f"t-{len(scopes)}", scopes=scopes, expires_at=None
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def variables(question) -> dict:
    return {"id": gid("Question", question.pk)}


# --- Hits ------------------------------------------------------------------------------------


def test_a_visitors_second_identical_query_is_a_hit_without_sql(thread, lookups):
    first, ran = ask(Client(), THREAD, variables(thread))
    assert ran > 0 and "errors" not in first
    again, ran_again = ask(Client(), THREAD, variables(thread))
    assert ran_again == 0
    assert lookups == [False, True]
    assert again["data"] == first["data"]
    assert (
        again["extensions"]["cost"]["requestedQueryCost"]
        == (first["extensions"]["cost"]["requestedQueryCost"])
    )


@pytest.mark.parametrize("door", ["session", "token"])
def test_a_persons_hit_runs_only_the_authentication(thread, learner, door, lookups):
    if door == "session":
        client, headers = signed_in(learner), {}
    else:
        client, headers = Client(), bearer(learner, ["read"])
    first, _ = ask(client, THREAD, variables(thread), **headers)
    with CaptureQueriesContext(connection) as queries:
        again = run(client, THREAD, variables(thread), **headers)
    assert lookups == [False, True] and again["data"] == first["data"]
    who = ('"django_session"', '"accounts_user"', '"accounts_apitoken"')
    assert len(queries) <= 2
    assert all(any(table in q["sql"] for table in who) for q in queries.captured_queries)


def test_variables_and_operation_names_are_part_of_the_key(learner, mentor, lookups):
    one = factories.question(learner, title="Which cache backend should I use?")
    two = factories.question(learner, title="Why is my Celery task not running?")
    assert ask(Client(), THREAD, variables(one))[0]["data"]["question"]["title"] == one.title
    assert ask(Client(), THREAD, variables(two))[0]["data"]["question"]["title"] == two.title
    named = "query A { viewer { isAuthenticated } } query B { categories { slug } }"
    body_a = (
        Client()
        .post("/graphql/", {"query": named, "operationName": "A"}, content_type="application/json")
        .json()
    )
    body_b = (
        Client()
        .post("/graphql/", {"query": named, "operationName": "B"}, content_type="application/json")
        .json()
    )
    assert "viewer" in body_a["data"] and "categories" in body_b["data"]
    assert lookups == [False, False, False, False]


# --- Never stale -----------------------------------------------------------------------------


def _answer(thread, learner, mentor):
    discussions.answer_create(author=learner, question=thread, body="Or just the fragments.")


def _edit(thread, learner, mentor):
    discussions.question_edit(
        editor=learner,
        question=thread,
        title="How do I cache a whole GraphQL result?",
        body=thread.body,
        category=thread.category,
    )


def _vote(thread, learner, mentor):
    discussions.vote_toggle(user=learner, post=thread.answers.get())


def _comment(thread, learner, mentor):
    factories.comment(learner, body="Thanks, that works here.", answer=thread.answers.get())


@pytest.mark.parametrize(
    ("write", "shows"),
    [
        (_answer, lambda q: len(q["answers"]) == 2),
        (_edit, lambda q: q["title"] == "How do I cache a whole GraphQL result?"),
        (_vote, lambda q: q["answers"][0]["score"] == 1),
        (_comment, lambda q: "that works" in str(q["answers"][0]["comments"])),
    ],
    ids=["answer-created", "question-edited", "vote", "comment"],
)
@pytest.mark.parametrize("who", ["visitor", "learner", "mentor"])
def test_a_write_shows_on_the_very_next_read(
    thread, learner, mentor, write, shows, who, lookups, django_capture_on_commit_callbacks
):
    client = {"visitor": Client, "learner": lambda: signed_in(learner)}.get(
        who, lambda: signed_in(mentor)
    )()
    before = ask(client, THREAD, variables(thread))[0]["data"]["question"]
    assert ask(client, THREAD, variables(thread))[0]["data"]["question"] == before
    assert lookups == [False, True] and not shows(before)
    with django_capture_on_commit_callbacks(execute=True):
        write(thread, learner, mentor)
    after = ask(client, THREAD, variables(thread))[0]["data"]["question"]
    assert lookups[-1] is False and shows(after)


def test_any_committed_sql_write_clears_it_and_a_rolled_back_one_does_not(
    thread, lookups, django_capture_on_commit_callbacks
):
    ask(Client(), THREAD, variables(thread))
    with django_capture_on_commit_callbacks(execute=False):
        thread.category.save()  # never committed: no bump
    ask(Client(), THREAD, variables(thread))
    with django_capture_on_commit_callbacks(execute=True):
        thread.category.save()
    ask(Client(), THREAD, variables(thread))
    assert lookups == [False, True, False]


# --- Per viewer ------------------------------------------------------------------------------


def test_nobody_gets_another_viewers_result(learner, mentor, other_learner, lookups):
    doors = {
        "visitor": (Client(), {}),
        "learner": (signed_in(learner), {}),
        "other": (signed_in(other_learner), {}),
        "mentor": (signed_in(mentor), {}),
        "learner-read": (Client(), bearer(learner, ["read"])),
        "learner-write": (Client(), bearer(learner, ["read", "write"])),
        "mentor-read": (Client(), bearer(mentor, ["read"])),
    }
    seen = {}
    for _ in range(2):
        for name, (client, headers) in doors.items():
            seen.setdefault(name, []).append(ask(client, WHO, **headers)[0]["data"]["viewer"])
    assert lookups == [False] * len(doors) + [True] * len(doors)
    for name, (first, second) in seen.items():
        assert first == second, name
    assert seen["visitor"][0]["user"] is None
    assert seen["learner"][0]["user"]["handle"] == learner.handle
    assert seen["other"][0]["user"]["handle"] == other_learner.handle
    assert seen["mentor"][0]["isMentor"] and not seen["learner"][0]["isMentor"]
    assert seen["mentor-read"][0]["user"]["handle"] == mentor.handle


def test_the_viewer_key(learner, mentor, rf):
    token, _ = accounts.token_create(
        user=mentor, name="m", scopes=["write", "read"], expires_at=None
    )
    anonymous = SimpleNamespace(user=None, request=rf.get("/"))
    assert graphql_cache.viewer_key(anonymous) == ("a", None)
    assert graphql_cache.viewer_key(SimpleNamespace(user=learner, request=rf.get("/"))) == (
        f"u{learner.pk}",
        None,
    )
    request = rf.get("/")
    request.api_token = token
    assert graphql_cache.viewer_key(SimpleNamespace(user=mentor, request=request)) == (
        f"t{token.pk}:read,write",
        None,
    )


def test_a_hidden_answer_stays_with_who_may_see_it(
    thread, learner, mentor, other_learner, django_capture_on_commit_callbacks
):
    from moderation.services import content

    answer = thread.answers.get()
    with django_capture_on_commit_callbacks(execute=True):
        content.content_hide(actor=mentor, target=answer, reason="Checking it.")

    def answers(client: Client) -> list:
        return ask(client, THREAD, variables(thread))[0]["data"]["question"]["answers"]

    for _ in range(2):
        assert len(answers(signed_in(mentor))) == 1
        assert answers(Client()) == []
        assert answers(signed_in(other_learner)) == []


# --- Never kept -----------------------------------------------------------------------------


def test_mutations_are_never_kept(thread, learner, lookups):
    client = signed_in(learner)
    answer_id = gid("Answer", thread.answers.get().pk)
    vote = "mutation($id: ID!) { toggleUpvote(input: {id: $id}) { upvoted errors { code } } }"
    first = run(client, vote, {"id": answer_id})
    second = run(client, vote, {"id": answer_id})
    assert first["data"]["toggleUpvote"]["upvoted"] is True
    assert second["data"]["toggleUpvote"]["upvoted"] is False
    assert lookups == []
    assert graphql_cache.verdict(graphql_cache_schema(), vote, None, 2000) == "a mutation"


def graphql_cache_schema():
    from hub.graphql import schema

    return schema


def test_results_with_errors_are_never_kept(thread, lookups):
    partial = "{ viewer { isAuthenticated } moderationLog(first: 500) { totalCount } }"
    for _ in range(2):
        body, _ = ask(Client(), partial)
        assert body["errors"] and body["data"]["viewer"]["isAuthenticated"] is False
    broken = "{ viewer { nope } }"
    assert run(Client(), broken)["errors"] and run(Client(), broken)["errors"]
    # Looked up (and missed) each time, never stored; a refused document is looked up too
    # (its verdict is the document's shape, not its validity) and never kept.
    assert True not in lookups and len(lookups) == 4


def test_a_get_is_never_answered_from_it(thread, lookups):
    ask(Client(), WHO)
    response = Client().get("/graphql/", {"query": WHO})
    assert response.status_code in (400, 405) or "errors" in response.json()
    assert lookups == [False]


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("{ guides { sections { title mayBeOutOfDate } } }", "GuideSection.mayBeOutOfDate"),
        (
            "query { guides { ...G } } fragment G on Guide { sections { ...S } }"
            " fragment S on GuideSection { mayBeOutOfDate }",
            "GuideSection.mayBeOutOfDate",
        ),
        (
            "{ moderationQueue { guide { due { title } } } }",
            "GuideQueue.due",
        ),
        (
            '{ node(id: "V2ViaG9va0RlbGl2ZXJ5OjE=") { ... on WebhookDelivery { mayRedeliver } } }',
            "WebhookDelivery.mayRedeliver",
        ),
    ],
    ids=["field", "fragments", "guide-due", "through-an-interface"],
)
def test_documents_that_select_clock_bound_fields_are_never_kept(mentor, query, reason, lookups):
    client = signed_in(mentor)
    for _ in range(2):
        body = run(client, query)
        assert "errors" not in body, body
    assert lookups == []
    verdict = graphql_cache.verdict(graphql_cache_schema(), query, None, 2000)
    assert verdict is not None and verdict.startswith(reason)


def test_every_uncached_field_is_found_in_the_schema():
    _, marked = graphql_cache._schema_facts(graphql_cache_schema())
    assert {f"{t}.{f}" for t, f in marked} >= {
        "GuideSection.mayBeOutOfDate",
        "GuideQueue.due",
        "WebhookDelivery.mayRedeliver",
    }


# --- The budget and the token's scope on a hit ------------------------------------------------


def test_a_hit_still_spends_the_budget_and_is_refused_when_it_is_spent(
    thread, settings, monkeypatch, lookups
):
    monkeypatch.setattr(graphql_limits, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))
    first = run(Client(), THREAD, variables(thread))
    cost = first["extensions"]["cost"]["requestedQueryCost"]
    settings.GRAPHQL_COST_BUDGET_PER_MINUTE = 3 * cost
    hit = run(Client(), THREAD, variables(thread))
    assert hit["data"] == first["data"]
    throttle = hit["extensions"]["cost"]["throttleStatus"]
    assert throttle["currentlyAvailable"] == cost  # the miss and this hit each spent `cost`
    run(Client(), THREAD, variables(thread))  # spends the rest
    refused = run(Client(), THREAD, variables(thread))
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "QUERY_COST_LIMIT"
    assert refused["extensions"]["cost"]["refused"] is True
    assert lookups == [False, True, True, True]
    # Over the per-query maximum: refused on a hit too.
    settings.GRAPHQL_COST_BUDGET_PER_MINUTE = 10**9
    settings.GRAPHQL_MAX_COST = cost - 1
    over = run(Client(), THREAD, variables(thread))
    assert over["data"] is None and "maximum" in over["errors"][0]["message"]


def test_a_hit_checks_the_tokens_read_scope(thread, learner, monkeypatch, lookups):
    headers = bearer(learner, ["read"])
    first = run(Client(), THREAD, variables(thread), **headers)
    assert first["data"]["question"]
    from hub import graphql as hub_graphql

    monkeypatch.setattr(hub_graphql, "token_allows", lambda token, scope: False)
    refused = run(Client(), THREAD, variables(thread), **headers)
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert lookups == [False]


def test_a_token_without_read_is_refused_even_when_its_owner_has_a_kept_result(
    thread, learner, lookups
):
    run(signed_in(learner), THREAD, variables(thread))
    token, raw = accounts.token_create(user=learner, name="w", scopes=["read"], expires_at=None)
    ApiToken.objects.filter(pk=token.pk).update(scopes=["write"])
    refused = run(Client(), THREAD, variables(thread), HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


# --- Suspension --------------------------------------------------------------------------------


def test_a_suspension_shows_at_once_and_its_end_by_the_clock_too(
    thread, learner, mentor, monkeypatch, lookups, django_capture_on_commit_callbacks
):
    client = signed_in(learner)
    assert ask(client, WHO)[0]["data"]["viewer"]["canWrite"] is True
    until = timezone.now() + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        suspensions.user_suspend(actor=mentor, user=learner, until=until, reason="Cool down.")
    assert ask(client, WHO)[0]["data"]["viewer"]["canWrite"] is False
    timeouts = fragment_timeouts(monkeypatch)
    assert ask(client, WHO)[0]["data"]["viewer"]["canWrite"] is False  # a hit
    assert lookups == [False, False, True]
    assert 0 < timeouts[-1] <= graphql_cache.SECONDS
    # Two hours later, with no write: the suspension is over, and so is its key.
    later = SimpleNamespace(now=lambda: until + timedelta(seconds=1))
    from accounts import models as account_models

    monkeypatch.setattr(account_models, "timezone", later)
    assert ask(client, WHO)[0]["data"]["viewer"]["canWrite"] is True
    assert lookups[-1] is False


def test_a_suspensions_entry_expires_when_it_ends(learner, mentor, monkeypatch):
    until = timezone.now() + timedelta(seconds=40)
    suspensions.user_suspend(actor=mentor, user=learner, until=until, reason="Cool down.")
    timeouts = fragment_timeouts(monkeypatch)
    run(signed_in(learner), WHO)
    assert timeouts and timeouts[-1] <= 40


# --- Off, and outages ----------------------------------------------------------------------------


def test_nexus_cache_false_turns_it_off(thread, settings, lookups):
    settings.NEXUS_CACHE = False
    ask(Client(), THREAD, variables(thread))
    _, ran = ask(Client(), THREAD, variables(thread))
    assert ran > 0 and lookups == []


def test_a_cache_outage_still_answers(thread, lookups):
    closed = {
        "default": {
            "BACKEND": "hub.redis_cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    with override_settings(CACHES=closed):
        for _ in range(3):
            body, ran = ask(Client(), THREAD, variables(thread))
            assert "errors" not in body and body["data"]["question"]["title"] == thread.title
            assert ran > 0
            assert body["extensions"]["cost"]["requestedQueryCost"] > 0
        assert cache.available() is False  # hub.cache leaves it alone for a while


def test_lifting_a_suspension_shows_at_once(
    learner, mentor, lookups, django_capture_on_commit_callbacks
):
    client = signed_in(learner)
    with django_capture_on_commit_callbacks(execute=True):
        suspensions.user_suspend(
            actor=mentor, user=learner, until=timezone.now() + timedelta(days=1), reason="Wait."
        )
    assert ask(client, WHO)[0]["data"]["viewer"]["canWrite"] is False
    assert ask(client, WHO)[0]["data"]["viewer"]["canWrite"] is False
    with django_capture_on_commit_callbacks(execute=True):
        suspensions.suspension_lift(actor=mentor, user=learner)
    assert ask(client, WHO)[0]["data"]["viewer"]["canWrite"] is True
    assert lookups == [False, True, False]


def test_account_changes_show_at_once(
    learner, admin_user, lookups, django_capture_on_commit_callbacks
):
    client = signed_in(learner)
    headers = bearer(learner, ["read"])
    assert ask(client, WHO)[0]["data"]["viewer"]["isMentor"] is False
    assert ask(Client(), WHO, **headers)[0]["data"]["viewer"]["isMentor"] is False
    with django_capture_on_commit_callbacks(execute=True):
        accounts.user_role_set(actor=admin_user, user=learner, role="mentor")
    assert ask(client, WHO)[0]["data"]["viewer"]["isMentor"] is True
    assert ask(Client(), WHO, **headers)[0]["data"]["viewer"]["isMentor"] is True
    with django_capture_on_commit_callbacks(execute=True):
        accounts.user_sign_out_everywhere(actor=learner, user=learner)
    assert ask(client, WHO)[0]["data"]["viewer"]["user"] is None  # the session ended
    response = Client().post(
        "/graphql/", {"query": WHO}, content_type="application/json", **headers
    )
    assert response.status_code == 401  # its tokens were revoked


def test_the_budget_counter_is_one_minutes_and_expires(thread, monkeypatch):
    from django.core.cache import cache as django_cache

    monkeypatch.setattr(graphql_limits, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))
    for _ in range(2):  # a miss, then a hit
        cost = run(Client(), THREAD, variables(thread))["extensions"]["cost"]
    key = graphql_limits._budget_key(None, SimpleNamespace(META={"REMOTE_ADDR": "127.0.0.1"}))
    assert django_cache.get(key) == 2 * cost["requestedQueryCost"]
    client_of = getattr(getattr(django_cache, "_cache", None), "get_client", None)
    if client_of is not None:  # Redis: the counter was made with its expiry
        full = django_cache.make_and_validate_key(key)
        assert 0 < client_of(full).ttl(full) <= 61
