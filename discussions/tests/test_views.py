"""Pages and in-place actions: the full page, the HTMX fragment, and the plain post."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from discussions import services
from discussions.models import Answer, Question
from discussions.tests import factories as make

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def thread(learner, other_learner, mentor):
    q = make.question(learner, title="How do I stop my Celery task running twice?")
    a = make.answer(other_learner, q, body="Use `acks_late` and make the task idempotent.")
    make.comment(mentor, question=q, body="Which broker?")
    make.comment(learner, answer=a, body="Thanks!")
    return q, a


class TestQuestionList:
    def test_lists_questions_with_filters(self, client, learner, thread):
        q, _ = thread
        response = client.get(reverse("discussions:question_list"))
        assert response.status_code == 200
        assert q.title in response.text and "<strong>1</strong> answer<" in response.text

        unanswered = client.get(reverse("discussions:question_list"), {"show": "unanswered"})
        assert q.title not in unanswered.text
        assert "Every question here has an answer" in unanswered.text

        needs_mentor = client.get(reverse("discussions:question_list"), {"show": "needs_mentor"})
        assert q.title in needs_mentor.text

        by_tag = client.get(reverse("discussions:question_list"), {"tag": "orm"})
        assert q.title in by_tag.text
        make.category("python", "Python")
        by_category = client.get(reverse("discussions:question_list"), {"category": "python"})
        assert q.title not in by_category.text
        assert client.get("/questions/?category=nope").status_code == 404

    def test_mine_and_followed_need_a_viewer(self, client, learner, other_learner, thread):
        q, _ = thread
        assert q.title not in client.get("/questions/?show=mine").text
        client.force_login(other_learner)
        assert q.title not in client.get("/questions/?show=mine").text
        assert q.title in client.get("/questions/?show=followed").text  # answered -> follows

    def test_keyset_pagination_load_more(self, client, learner, other_learner, settings):
        settings.NEXUS_POSTING_LIMITS = {
            "question": {"hour": 100, "new": 100},
            "reply": {"hour": 100, "new": 100},
        }
        titles = [make.question(learner).title for _ in range(25)]
        first = client.get("/questions/?sort=newest")
        page = first.context["page"]
        assert len(page.questions) == 20 and page.next_cursor
        assert titles[-1] in first.text and titles[0] not in first.text

        more = client.get(f"/questions/?sort=newest&after={page.next_cursor}", **HTMX)
        assert more.status_code == 200
        assert "<html" not in more.text  # a fragment: rows only
        assert titles[0] in more.text and titles[-1] not in more.text
        assert 'id="load-more"' not in more.text  # the last page

        plain = client.get(f"/questions/?sort=newest&after={page.next_cursor}")
        assert "<html" in plain.text and titles[0] in plain.text  # works without JavaScript

    def test_a_broken_cursor_is_the_first_page(self, client, thread):
        response = client.get("/questions/?after=not-a-cursor!!")
        assert response.status_code == 200

    def test_empty_state(self, client, db):
        response = client.get("/questions/")
        assert "No questions here yet" in response.text


class TestQuestionPage:
    def test_shows_the_thread(self, client, thread):
        q, _ = thread
        response = client.get(q.get_absolute_url())
        assert response.status_code == 200
        text = response.text
        for part in (q.title, "acks_late", "Which broker?", "Thanks!", "1 answer"):
            assert part in text
        assert 'class="code-block"' in text

    def test_wrong_slug_redirects(self, client, thread):
        q, _ = thread
        response = client.get(f"/q/{q.pk}/wrong-slug/")
        assert response.status_code == 302 and response["Location"] == q.get_absolute_url()

    def test_deleted_question_is_404(self, client, learner):
        q = make.question(learner)
        services.question_delete(actor=learner, question=q)
        assert client.get(q.get_absolute_url()).status_code == 404

    def test_controls_follow_permissions(self, client, thread, learner, other_learner):
        q, a = thread
        client.force_login(other_learner)
        text = client.get(q.get_absolute_url()).text
        # The answers are the same HTML for everyone (cached once per thread version):
        # their controls carry who may use them, and the page's script reveals those.
        accept = reverse("discussions:answer_accept", args=[a.pk])
        assert f'action="{accept}" hidden data-show-for="asker mentor"' in text
        assert f'data-show-for="author:{other_learner.pk} mentor"' in text
        assert reverse("discussions:question_edit", args=[q.pk]) not in text
        assert reverse("discussions:answer_edit", args=[a.pk]) in text
        client.force_login(learner)
        text = client.get(q.get_absolute_url()).text
        assert reverse("discussions:answer_accept", args=[a.pk]) in text
        assert reverse("discussions:question_edit", args=[q.pk]) in text


class TestActions:
    def test_vote_htmx_returns_the_control(self, client, thread, other_learner):
        q, _ = thread
        client.force_login(other_learner)
        response = client.post(reverse("discussions:question_vote", args=[q.pk]), **HTMX)
        assert response.status_code == 200
        assert f'id="vote-question-{q.pk}"' in response.text and "<html" not in response.text
        assert 'aria-pressed="true"' in response.text
        q.refresh_from_db()
        assert q.score == 1

    def test_vote_without_htmx_redirects(self, client, thread, other_learner):
        q, _ = thread
        client.force_login(other_learner)
        response = client.post(reverse("discussions:question_vote", args=[q.pk]))
        assert response.status_code == 302 and response["Location"] == q.get_absolute_url()

    def test_self_vote_refused_clearly(self, client, thread, learner):
        q, _ = thread
        client.force_login(learner)
        response = client.post(reverse("discussions:question_vote", args=[q.pk]), **HTMX)
        assert response.status_code == 403
        assert "own post" in response.text
        assert "nexus:toast" in response["HX-Trigger"]
        plain = client.post(reverse("discussions:question_vote", args=[q.pk]), follow=True)
        assert "You cannot vote on your own post." in plain.text

    def test_vote_needs_login(self, client, thread):
        q, _ = thread
        response = client.post(reverse("discussions:question_vote", args=[q.pk]))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_answer_htmx_and_plain(self, client, thread, mentor):
        q, _ = thread
        client.force_login(mentor)
        url = reverse("discussions:answer_create", args=[q.pk])
        response = client.post(url, {"body": "Set `task_acks_late = True`."}, **HTMX)
        assert response.status_code == 200
        assert 'id="answers"' in response.text and "task_acks_late" in response.text
        assert "<html" not in response.text
        response = client.post(url, {"body": "And a second, plain answer."})
        answer = Answer.objects.latest("pk")
        assert response.status_code == 302
        assert response["Location"] == answer.get_absolute_url()

    def test_empty_answer_is_a_form_error(self, client, thread, mentor):
        q, _ = thread
        client.force_login(mentor)
        url = reverse("discussions:answer_create", args=[q.pk])
        response = client.post(url, {"body": ""}, **HTMX)
        assert response.status_code == 200 and response["HX-Retarget"] == "#answer-form"
        assert "This field is required." in response.text
        plain = client.post(url, {"body": ""})
        assert plain.status_code == 400 and "This field is required." in plain.text

    def test_accept_htmx_reorders(self, client, thread, learner, mentor):
        q, _ = thread
        second = make.answer(mentor, q, body="Mentor says hi")
        client.force_login(learner)
        response = client.post(reverse("discussions:answer_accept", args=[second.pk]), **HTMX)
        assert response.status_code == 200
        assert response.text.index("Mentor says hi") < response.text.index("acks_late")
        assert "Unaccept" in response.text
        q.refresh_from_db()
        assert q.accepted_answer == second
        client.post(reverse("discussions:answer_accept", args=[second.pk]))
        q.refresh_from_db()
        assert q.accepted_answer is None

    def test_accept_refused_for_others(self, client, thread, other_learner):
        _, a = thread
        client.force_login(other_learner)
        response = client.post(reverse("discussions:answer_accept", args=[a.pk]), **HTMX)
        assert response.status_code == 403

    def test_comment_htmx_and_plain(self, client, thread, other_learner):
        q, a = thread
        client.force_login(other_learner)
        url = reverse("discussions:comment_create", args=["answer", a.pk])
        response = client.post(url, {"body": "Also see the docs"}, **HTMX)
        assert response.status_code == 200
        assert (
            f'id="comments-answer-{a.pk}"' in response.text and "Also see the docs" in response.text
        )
        url = reverse("discussions:comment_create", args=["question", q.pk])
        response = client.post(url, {"body": "Plain comment"})
        assert response.status_code == 302 and "#comment-" in response["Location"]
        too_long = client.post(url, {"body": "x" * 601}, **HTMX)
        assert too_long.status_code == 200 and "600" in too_long.text
        assert 'aria-invalid="true"' in too_long.text

    def test_comment_form_loads_on_demand(self, client, thread, other_learner):
        _, a = thread
        url = reverse("discussions:comment_create", args=["answer", a.pk])
        assert client.get(url).status_code == 302  # log in first
        client.force_login(other_learner)
        fragment = client.get(url, **HTMX)
        assert "<html" not in fragment.text and "<textarea" in fragment.text
        assert f'hx-target="#comments-answer-{a.pk}"' in fragment.text
        page = client.get(url)
        assert "<html" in page.text and "Add a comment" in page.text

    def test_follow(self, client, thread, mentor):
        q, _ = thread
        client.force_login(mentor)
        url = reverse("discussions:question_follow", args=[q.pk])
        response = client.post(url, {"follow": "1"}, **HTMX)
        assert "Following" in response.text
        response = client.post(url, {"follow": "0"})
        assert response.status_code == 302

    def test_edit_answer_in_place_and_as_a_page(self, client, thread, other_learner):
        _, a = thread
        client.force_login(other_learner)
        url = reverse("discussions:answer_edit", args=[a.pk])
        form = client.get(url, **HTMX)
        assert "<html" not in form.text and "textarea" in form.text
        page = client.get(url)
        assert "<html" in page.text
        response = client.post(url, {"body": "Edited in place"}, **HTMX)
        assert f'id="answer-{a.pk}"' in response.text and "Edited in place" in response.text
        response = client.post(url, {"body": "Edited by a plain post"})
        assert response.status_code == 302
        history = client.get(reverse("discussions:revisions", args=["answer", a.pk]))
        assert "Revision 3" in history.text and "Edited by a plain post" in history.text

    def test_edit_question_in_place(self, client, thread, learner):
        q, _ = thread
        client.force_login(learner)
        url = reverse("discussions:question_edit", args=[q.pk])
        form = client.get(url, **HTMX)
        assert "<html" not in form.text and 'id="question-form"' in form.text
        bad = client.post(url, {"title": "short", "category": q.category_id, "body": "x"}, **HTMX)
        assert "at least 15 characters" in bad.text and "<html" not in bad.text
        data = {"title": q.title, "category": q.category_id, "tags": "celery", "body": "New"}
        done = client.post(url, data, **HTMX)
        assert done["HX-Refresh"] == "true"
        q.refresh_from_db()
        assert q.body == "New"

    def test_edit_refused_for_others(self, client, thread, other_learner):
        q, _ = thread
        client.force_login(other_learner)
        response = client.get(reverse("discussions:question_edit", args=[q.pk]))
        assert response.status_code == 302  # back, with the reason as a message

    def test_delete_answer_and_comment(self, client, thread, other_learner, learner):
        _, a = thread
        client.force_login(other_learner)
        response = client.post(reverse("discussions:answer_delete", args=[a.pk]), **HTMX)
        assert response.status_code == 200 and response.text == ""
        client.force_login(learner)
        comment = a.comments.get()
        response = client.post(reverse("discussions:comment_delete", args=[comment.pk]))
        assert response.status_code in (302, 404)

    def test_delete_question_htmx_redirects_the_client(self, client, learner):
        q = make.question(learner)
        client.force_login(learner)
        response = client.post(reverse("discussions:question_delete", args=[q.pk]), **HTMX)
        assert response["HX-Redirect"] == "/"


class TestAsk:
    def test_ask_builds_sections_from_the_guided_parts(self, client, learner, db):
        category = make.category()
        client.force_login(learner)
        response = client.post(
            reverse("discussions:question_ask"),
            {
                "title": "Why does my Docker container exit immediately?",
                "category": category.pk,
                "tags": "docker, compose",
                "body": "My web container stops right away.",
                "tried": "docker compose logs",
                "error": "Traceback (most recent call last):\n  boom",
                "versions": "Docker 27",
                "repository": "https://github.com/ada/app",
            },
        )
        q = Question.objects.get()
        assert response.status_code == 302 and response["Location"] == q.get_absolute_url()
        assert "### What I tried" in q.body and "```text\nTraceback" in q.body
        assert "<https://github.com/ada/app>" in q.body

    @pytest.mark.parametrize(
        "url",
        ["http://localhost:8000/", "//evil.example/x", "https://evil.example\\@github.com/"],
    )
    def test_the_repository_link_goes_through_the_link_rule(self, client, learner, db, url):
        category = make.category()
        client.force_login(learner)
        response = client.post(
            reverse("discussions:question_ask"),
            {
                "title": "Why does my Docker container exit immediately?",
                "category": category.pk,
                "body": "My web container stops right away.",
                "repository": url,
            },
        )
        assert response.status_code == 400
        assert response.context["form"].errors.get("repository")
        assert not Question.objects.exists()

    def test_bad_input_keeps_what_was_typed(self, client, learner, db):
        make.category()
        client.force_login(learner)
        response = client.post(
            reverse("discussions:question_ask"),
            {"title": "short", "category": "", "tags": "a/b", "body": "My long body text"},
        )
        assert response.status_code == 400
        assert "Ensure this value has at least 15 characters" in response.text
        assert "My long body text" in response.text
        assert not Question.objects.exists()

    def test_rate_limit_is_a_form_error(self, client, learner, db):
        category = make.category()
        for _ in range(3):
            make.question(learner)
        client.force_login(learner)
        response = client.post(
            reverse("discussions:question_ask"),
            {
                "title": "One more question about Django settings",
                "category": category.pk,
                "body": "x",
            },
        )
        assert response.status_code == 400 and "Please wait" in response.text

    def test_suspended_cannot_open_the_ask_page(self, client, learner):
        from datetime import timedelta

        from django.utils import timezone

        learner.suspended_until = timezone.now() + timedelta(days=1)
        learner.save()
        client.force_login(learner)
        response = client.get(reverse("discussions:question_ask"), follow=True)
        assert "suspended" in response.text


class TestPreview:
    """The editor's live preview renders up to 20,000 characters a call: for people signed
    in, within a per-account rate (issue 12: anonymous visitors could make it render for
    free, as often as they liked)."""

    def test_preview_uses_the_safe_renderer(self, client, learner):
        client.force_login(learner)
        response = client.post(
            reverse("discussions:preview"), {"body": "**hi** <script>alert(1)</script>"}
        )
        assert response.status_code == 200
        assert "<strong>hi</strong>" in response.text and "<script>" not in response.text

    def test_anonymous_visitors_get_no_preview(self, client):
        response = client.post(reverse("discussions:preview"), {"body": "**" + "x" * 19_990})
        assert response.status_code == 401
        assert "<strong>" not in response.text and "Sign in" in response.text

    def test_previews_are_rate_limited_per_account(self, client, learner, other_learner, settings):
        settings.ACCOUNT_RATE_LIMITS = {
            **settings.ACCOUNT_RATE_LIMITS,
            "markdown_preview": "2/m/user",
        }
        client.force_login(learner)
        url = reverse("discussions:preview")
        assert [client.post(url, {"body": "*a*"}).status_code for _ in range(3)] == [200, 200, 429]
        limited = client.post(url, {"body": "*a*"})
        assert "<em>" not in limited.text and "minute" in limited.text
        client.force_login(other_learner)  # another account has its own count
        assert client.post(url, {"body": "*a*"}).status_code == 200

    def test_the_editor_offers_the_preview_only_to_people_signed_in(self, rf, learner):
        from django.contrib.auth.models import AnonymousUser
        from django.template.loader import render_to_string

        from discussions.forms import AnswerForm

        field = AnswerForm()["body"]
        template = "discussions/includes/markdown_field.html"
        signed_in = render_to_string(template, {"field": field, "user": learner})
        anonymous = render_to_string(template, {"field": field, "user": AnonymousUser()})
        preview = reverse("discussions:preview")
        assert preview in signed_in and "<summary>Preview</summary>" in signed_in
        assert preview not in anonymous and "Preview" not in anonymous
        assert 'name="body"' in anonymous  # the editor itself is still there


class TestHelpers:
    def test_similar_questions(self, client, thread):
        q, _ = thread
        response = client.get(
            reverse("discussions:question_similar"), {"title": "celery task twice"}
        )
        assert q.title in response.text

    def test_tag_and_handle_suggestions(self, client, thread, mentor):
        assert "orm" in client.get(reverse("discussions:tag_suggest"), {"tags": "django, or"}).text
        response = client.get(reverse("discussions:handle_suggest"), {"q": "@ment"})
        assert f"@{mentor.handle}" in response.text

    def test_search(self, client, thread):
        q, _ = thread
        response = client.get(reverse("discussions:search"), {"q": "celery"})
        assert q.title in response.text
        response = client.get(reverse("discussions:search"), {"q": "zebra"})
        assert "Nothing matches" in response.text


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


class TestQueryCounts:
    """Pages run the same number of queries whatever their length."""

    def _questions(self, n, authors, settings):
        settings.NEXUS_POSTING_LIMITS = {
            "question": {"hour": 10_000, "new": 10_000},
            "reply": {"hour": 10_000, "new": 10_000},
        }
        for i in range(n):
            make.question(authors[i % len(authors)], tags="django orm celery")

    def test_question_list(self, client, learner, other_learner, mentor, settings):
        client.force_login(mentor)
        self._questions(5, [learner, other_learner], settings)
        small = count_queries(client, "/questions/")
        self._questions(45, [learner, other_learner, mentor], settings)
        large = count_queries(client, "/questions/")
        assert small == large

    def test_question_page(self, client, learner, other_learner, mentor, settings):
        self._questions(1, [learner], settings)
        q = Question.objects.get()
        client.force_login(learner)
        a = make.answer(other_learner, q)
        make.comment(mentor, answer=a)
        make.comment(mentor, question=q)
        small = count_queries(client, q.get_absolute_url())
        for i in range(100):
            author = [other_learner, mentor][i % 2]
            answer = make.answer(author, q, body=f"Answer {i} for @{learner.handle}")
            make.comment(learner, answer=answer, body=f"Comment {i}")
            make.comment(author, question=q, body=f"Question comment {i}")
            services.vote_toggle(user=learner, post=answer)
        large = count_queries(client, q.get_absolute_url())
        assert small == large
