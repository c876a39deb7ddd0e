"""Moderation's HTML doors where the content is: the flag form with and without
JavaScript, bad input, and mentors' forms in a thread."""

import pytest
from django.test import Client

from moderation.models import Flag, MentorNote
from moderation.tests.world import build

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world():
    return build()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestFlagForm:
    def test_a_page_without_javascript_and_a_fragment_with_it(self, world):
        client = signed_in(world.learner)
        page = client.get(f"/flag/answer/{world.answer.pk}")
        assert page.status_code == 200 and "<html" in page.text
        assert "What is wrong?" in page.text and world.question.title in page.text
        fragment = client.get(f"/flag/answer/{world.answer.pk}", **HTMX)
        assert (
            "<html" not in fragment.text and f'id="flag-answer-{world.answer.pk}"' in fragment.text
        )

    def test_posting_without_javascript_thanks_and_returns_to_the_post(self, world):
        client = signed_in(world.learner)
        response = client.post(f"/flag/comment/{world.comment.pk}", {"reason": "off_topic"})
        assert response.status_code == 302
        assert response.url.endswith(f"#comment-{world.comment.pk}")
        assert Flag.objects.filter(kind="comment", object_id=world.comment.pk).exists()
        again = client.get(f"/flag/comment/{world.comment.pk}")
        assert "You have flagged this comment" in again.text

    def test_bad_input_is_a_form_error_not_a_500(self, world):
        client = signed_in(world.learner)
        response = client.post(f"/flag/answer/{world.answer.pk}", {"reason": "other"}, **HTMX)
        assert response.status_code == 400 and "Say what is wrong" in response.text
        response = client.post(f"/flag/answer/{world.answer.pk}", {"reason": "nonsense"})
        assert response.status_code == 400
        response = client.post(
            f"/flag/question/{world.question.pk}", {"reason": "duplicate", "detail": "no link"}
        )
        assert response.status_code == 400 and "link of the original" in response.text
        assert not Flag.objects.exists()

    def test_other_peoples_hidden_or_unknown_posts_are_404(self, world):
        from moderation import services

        services.content_hide(actor=world.mentor, target=world.answer, reason="Spam")
        client = signed_in(world.learner)
        assert client.get(f"/flag/answer/{world.answer.pk}").status_code == 404
        assert client.get("/flag/answer/999999").status_code == 404
        assert client.get("/flag/user/1").status_code == 404

    def test_flagging_your_own_post_explains_why_not(self, world):
        client = signed_in(world.author)
        response = client.post(f"/flag/answer/{world.answer.pk}", {"reason": "spam"}, follow=True)
        assert "You cannot flag your own post" in response.text
        response = client.post(f"/flag/answer/{world.answer.pk}", {"reason": "spam"}, **HTMX)
        assert response.status_code == 403 and "nexus:toast" in response.headers["HX-Trigger"]


class TestThreadTools:
    def test_mentors_see_the_tools_and_learners_do_not(self, world):
        page = signed_in(world.mentor).get(world.question.get_absolute_url()).text
        assert "Moderate this question" in page and "Mentor notes" in page
        page = signed_in(world.learner).get(world.question.get_absolute_url()).text
        assert "Moderate this question" not in page and "Mentor notes" not in page
        assert "Flag" in page

    def test_lock_without_a_reason_says_so(self, world):
        client = signed_in(world.mentor)
        response = client.post(f"/mod/q/{world.question.pk}/lock", {"reason": " "}, follow=True)
        assert "Give a reason" in response.text
        world.question.refresh_from_db()
        assert world.question.locked_at is None

    def test_unknown_action_and_bad_duplicate_input(self, world):
        client = signed_in(world.mentor)
        assert client.post(f"/mod/q/{world.question.pk}/explode").status_code == 404
        response = client.post(
            f"/mod/q/{world.question.pk}/duplicate", {"original": "not a question"}, follow=True
        )
        assert "original question" in response.text

    def test_an_empty_note_is_an_error_on_the_form(self, world):
        client = signed_in(world.mentor)
        response = client.post(f"/mod/q/{world.question.pk}/notes", {"body": ""}, **HTMX)
        assert response.status_code == 400 and 'aria-invalid="true"' in response.text
        response = client.post(f"/mod/q/{world.question.pk}/notes", {"body": "Mine"}, **HTMX)
        assert response.status_code == 200 and "Mine" in response.text
        assert MentorNote.objects.count() == 1

    def test_ask_a_mentor_button_for_the_asker_after_an_hour(self, world):
        page = signed_in(world.author).get(world.question.get_absolute_url()).text
        assert "Ask a mentor" in page
        signed_in(world.author).post(f"/q/{world.question.pk}/ask-mentor")
        page = signed_in(world.author).get(world.question.get_absolute_url()).text
        assert "Ask a mentor</button>" not in page and "Mentor asked for" in page


def test_mentors_find_hidden_questions_marked_in_lists_and_search(world):
    from moderation import services

    services.content_hide(actor=world.mentor, target=world.question, reason="Spam")
    client = signed_in(world.mentor)
    for url in ("/questions/", "/search/?q=deploy"):
        page = client.get(url).text
        assert world.question.title in page
        assert '<span class="badge badge--warning">Hidden</span>' in page
    for url in ("/questions/", "/search/?q=deploy"):
        assert world.question.title not in signed_in(world.learner).get(url).text
