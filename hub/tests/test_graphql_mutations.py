"""Mutations through GraphQL: each calls its service, refusals come back as typed errors
with field paths (one mapping for the whole schema), mass assignment is impossible, and
personal access tokens authenticate with the same scopes as REST."""

import pytest
from django.test import Client

from accounts import services as accounts
from discussions.models import Answer, Question
from discussions.tests import factories as forum
from hub.tests.gql import data, gid, post, run
from moderation import services as moderation
from moderation.models import Flag
from notifications.models import Notification
from projects.tests import factories as showcase

pytestmark = pytest.mark.django_db

ASK = """mutation($input: AskQuestionInput!) {
  askQuestion(input: $input) {
    question { id title author { handle } } errors { message field code } } }"""
ANSWER = """mutation($input: PostAnswerInput!) {
  postAnswer(input: $input) { answer { id body } errors { message field code } } }"""
ACCEPT = """mutation($id: ID!) {
  acceptAnswer(input: {id: $id}) { question { isAnswered } errors { message code } } }"""


@pytest.fixture(autouse=True)
def _roomy_limits(settings):
    settings.NEXUS_POSTING_LIMITS = {
        "question": {"hour": 10_000, "new": 10_000},
        "reply": {"hour": 10_000, "new": 10_000},
    }


def _ask_input(**extra):
    forum.category()
    return {
        "title": "How do I squash Django migrations safely?",
        "body": "I have 200 migrations.",
        "category": "django",
        "tags": ["django", "migrations"],
        **extra,
    }


def test_ask_calls_the_service(client, learner):
    client.force_login(learner)
    got = data(client, ASK, {"input": _ask_input()})["askQuestion"]
    assert got["errors"] == []
    assert got["question"]["author"]["handle"] == learner.handle
    q = Question.objects.get()
    assert sorted(q.tags.values_list("name", flat=True)) == ["django", "migrations"]


def test_validation_errors_have_field_paths(client, learner):
    client.force_login(learner)
    got = data(client, ASK, {"input": _ask_input(title="Too short")})["askQuestion"]
    assert got["question"] is None
    [error] = got["errors"]
    assert error["field"] == ["input", "title"]
    assert "15" in error["message"]
    got = data(client, ASK, {"input": _ask_input(category="nope")})["askQuestion"]
    assert got["errors"] == [
        {"message": "No such category.", "field": ["input", "category"], "code": "invalid"}
    ]
    assert not Question.objects.exists()


def test_mass_assignment_is_refused(client, learner):
    client.force_login(learner)
    body = run(client, ASK, {"input": _ask_input(score=1000, authorId=gid("User", 1))})
    assert "errors" in body and body.get("data") is None
    assert "score" in body["errors"][0]["message"]
    assert not Question.objects.exists()


def test_anonymous_and_suspended_are_refused_with_no_side_effect(client, learner):
    body = data(client, ASK, {"input": _ask_input()})["askQuestion"]
    assert body["errors"][0]["code"] == "forbidden"
    from moderation.tests.world import suspend

    suspend(learner)
    client.force_login(learner)
    body = data(client, ASK, {"input": _ask_input()})["askQuestion"]
    assert body["errors"][0]["code"] == "forbidden"
    assert "suspended" in body["errors"][0]["message"]
    assert not Question.objects.exists()


def test_answer_accept_and_refusals(client, learner, other_learner, mentor):
    q = forum.question(learner)
    client.force_login(other_learner)
    got = data(
        client,
        ANSWER,
        {"input": {"questionId": gid("Question", q.pk), "body": "Use squashmigrations."}},
    )
    assert got["postAnswer"]["errors"] == []
    answer_id = got["postAnswer"]["answer"]["id"]
    # Only the asker (or a mentor) accepts.
    refused = data(client, ACCEPT, {"id": answer_id})["acceptAnswer"]
    assert refused["errors"][0]["code"] == "forbidden" and refused["question"] is None
    client.force_login(learner)
    assert data(client, ACCEPT, {"id": answer_id})["acceptAnswer"]["question"]["isAnswered"]


def test_answering_a_hidden_question_is_not_found(client, learner, other_learner, mentor):
    q = forum.question(learner)
    moderation.content_hide(actor=mentor, target=q, reason="Spam")
    client.force_login(other_learner)
    got = data(client, ANSWER, {"input": {"questionId": gid("Question", q.pk), "body": "Hi"}})
    assert got["postAnswer"]["errors"] == [
        {"message": "No such question.", "field": ["input", "questionId"], "code": "not_found"}
    ]
    assert not Answer.objects.exists()


def test_upvote_comment_follow(client, learner, other_learner):
    q = forum.question(learner)
    client.force_login(other_learner)
    vote = "mutation($id: ID!) { toggleUpvote(input: {id: $id}) { upvoted errors { code } } }"
    assert data(client, vote, {"id": gid("Question", q.pk)})["toggleUpvote"]["upvoted"] is True
    assert data(client, vote, {"id": gid("Question", q.pk)})["toggleUpvote"]["upvoted"] is False
    client.force_login(learner)
    own = data(client, vote, {"id": gid("Question", q.pk)})["toggleUpvote"]
    assert own["errors"][0]["code"] == "forbidden"
    comment = """mutation($id: ID!) { postComment(input: {postId: $id, body: "Which version?"}) {
      comment { body } errors { code } } }"""
    got = data(client, comment, {"id": gid("Question", q.pk)})["postComment"]
    assert got["comment"]["body"] == "Which version?"


def test_notification_read_is_the_owners_alone(client, learner, other_learner):
    forum.answer(other_learner, forum.question(learner))
    n = Notification.objects.get(recipient=learner)
    read = """mutation($id: ID!) {
      markNotificationRead(input: {id: $id}) { unreadCount errors { code } } }"""
    client.force_login(other_learner)
    got = data(client, read, {"id": gid("Notification", n.pk)})["markNotificationRead"]
    assert got["errors"][0]["code"] == "not_found"
    n.refresh_from_db()
    assert n.is_read is False
    client.force_login(learner)
    got = data(client, read, {"id": gid("Notification", n.pk)})["markNotificationRead"]
    assert got == {"unreadCount": 0, "errors": []}


def test_projects_share_star_feedback(client, learner, other_learner):
    client.force_login(learner)
    share = """mutation { shareProject(input: {title: "Lending library API", pitch: "Books.",
      repositoryUrl: "https://github.com/someone/library", publish: true, tags: ["django"]}) {
      project { id state tags } errors { message field } } }"""
    got = data(client, share)["shareProject"]
    assert got["errors"] == [] and got["project"]["state"] == "published"
    project_id = got["project"]["id"]
    star = "mutation($id: ID!) { toggleStar(input: {id: $id}) { starred errors { code } } }"
    assert data(client, star, {"id": project_id})["toggleStar"]["errors"][0]["code"] == "forbidden"
    client.force_login(other_learner)
    assert data(client, star, {"id": project_id})["toggleStar"]["starred"] is True
    feedback = """mutation($id: ID!) { postFeedback(input: {projectId: $id, body: "Add tests."}) {
      feedback { body author { handle } } errors { code } } }"""
    got = data(client, feedback, {"id": project_id})["postFeedback"]
    assert got["feedback"]["author"]["handle"] == other_learner.handle
    bad_url = share.replace("https://github.com/someone/library", "javascript:alert(1)")
    got = data(client, bad_url)["shareProject"]
    assert got["errors"][0]["field"] == ["input", "repositoryUrl"]


def test_flag(client, learner, other_learner):
    q = forum.question(learner)
    client.force_login(other_learner)
    flag = """mutation($id: ID!) {
      flag(input: {id: $id, reason: SPAM}) { flagged errors { code message } } }"""
    assert data(client, flag, {"id": gid("Question", q.pk)})["flag"] == {
        "flagged": True,
        "errors": [],
    }
    again = data(client, flag, {"id": gid("Question", q.pk)})["flag"]
    assert again["flagged"] is False and "already" in again["errors"][0]["message"]
    assert Flag.objects.count() == 1
    draft = showcase.project(learner, publish=False)
    assert (
        data(client, flag, {"id": gid("Project", draft.pk)})["flag"]["errors"][0]["code"]
        == "not_found"
    )


# --- Tokens ----------------------------------------------------------------------------------


def _token(user, scopes):
    _, raw = accounts.token_create(user=user, name="graphql", scopes=scopes, expires_at=None)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_read_token_queries_but_cannot_write(learner):
    client = Client(enforce_csrf_checks=True)  # no cookie: a bearer needs no CSRF token
    headers = _token(learner, ["read"])
    got = data(client, "{ viewer { user { handle } } }", **headers)
    assert got["viewer"]["user"]["handle"] == learner.handle
    body = run(client, ASK, {"input": _ask_input()}, **headers)
    assert body["data"] is None and "`write`" in body["errors"][0]["message"]
    assert not Question.objects.exists()


def test_write_token_writes_as_its_owner(learner, other_learner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(other_learner)  # a session beside a bearer is ignored
    got = data(client, ASK, {"input": _ask_input()}, **_token(learner, ["read", "write"]))
    assert got["askQuestion"]["question"]["author"]["handle"] == learner.handle


def test_bad_tokens_are_401(client):
    for header in ("Bearer nxs_nope", "Bearer", "Basic abc"):
        response = post(client, "{ viewer { isAuthenticated } }", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401
        assert response.json()["errors"][0]["message"]


def test_session_mutation_without_csrf_is_refused(learner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    response = post(client, ASK, {"input": _ask_input()})
    assert response.status_code == 403
    assert not Question.objects.exists()
