"""The showcase's pages and actions through the Django client."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hub.tests.test_links import HOSTILE as HOSTILE_URLS
from projects import services
from projects.models import Project, ReviewState, State
from projects.tests import factories as make

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_gallery_filters_and_empty_state(client, learner, other_learner):
    shown = make.project(learner, title="Bookshelf REST API", feedback_wanted=True)
    draft = make.project(learner, title="Secret draft project", publish=False)
    page = client.get(reverse("projects:gallery"))
    assert shown.title in page.text and draft.title not in page.text
    assert "Feedback wanted" in page.text
    assert shown.title in client.get(reverse("projects:gallery"), {"show": "feedback"}).text
    assert "No projects match" in client.get(reverse("projects:gallery"), {"tag": "rust"}).text
    client.force_login(learner)
    mine = client.get(reverse("projects:gallery"), {"show": "mine"})
    assert draft.title in mine.text  # your own drafts, for you only


def test_draft_is_invisible_to_others(client, learner, other_learner):
    draft = make.project(learner, publish=False)
    client.force_login(other_learner)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert draft.title not in client.get(f"/projects/by/{learner.handle}/").text
    client.force_login(learner)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_project_page_shows_links_with_domains(client, learner):
    project = make.project(learner, demo_url="https://bookshelf.fly.dev")
    page = client.get(project.get_absolute_url())
    assert page.status_code == 200
    assert 'rel="nofollow ugc noopener"' in page.text
    assert "github.com" in page.text and "bookshelf.fly.dev" in page.text
    assert 'class="code-block"' in page.text


def test_create_draft_then_publish(client, learner):
    client.force_login(learner)
    data = {
        "title": "Gym tracker GraphQL API",
        "pitch": "Track workouts with strawberry.",
        "repository_url": "https://github.com/ada/gym",
        "tags": "graphql strawberry",
    }
    response = client.post(reverse("projects:project_create"), {**data, "publish": "0"})
    project = Project.objects.get()
    assert response.status_code == 302 and project.state == State.DRAFT
    client.post(reverse("projects:project_state", args=[project.pk]), {"action": "publish"})
    project.refresh_from_db()
    assert project.state == State.PUBLISHED


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "http://localhost:8000/x", "http://192.168.1.2/", "ftp://x.org/"],
)
def test_bad_links_are_form_errors(client, learner, url):
    client.force_login(learner)
    response = client.post(
        reverse("projects:project_create"),
        {"title": "A project with a bad link", "pitch": "x", "repository_url": url},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["repository_url"]
    assert not Project.objects.exists()


def test_only_the_author_edits(client, learner, other_learner):
    project = make.project(learner)
    client.force_login(other_learner)
    response = client.get(reverse("projects:project_edit", args=[project.pk]), follow=True)
    assert "Only the author" in response.text


def test_star_in_place(client, learner, other_learner):
    project = make.project(learner)
    client.force_login(other_learner)
    response = client.post(reverse("projects:star", args=[project.pk]), **HTMX)
    assert "Starred · 1" in response.text and "<html" not in response.text
    client.post(reverse("projects:star", args=[project.pk]))
    project.refresh_from_db()
    assert project.star_count == 0


def test_feedback_and_reply(client, learner, other_learner):
    project = make.project(learner)
    client.force_login(other_learner)
    response = client.post(
        reverse("projects:feedback_create", args=[project.pk]), {"body": "Nice models"}, **HTMX
    )
    assert 'id="feedback"' in response.text and "Nice models" in response.text
    parent = project.feedback.get()
    client.force_login(learner)
    client.post(
        reverse("projects:feedback_create", args=[project.pk]),
        {"body": "Thanks!", "parent": parent.pk},
    )
    assert parent.replies.get().body == "Thanks!"


def test_review_workflow_through_the_pages(client, learner, mentor, other_learner):
    project = make.project(learner, feedback_wanted=True)
    url = reverse("projects:review", args=[project.pk])
    client.force_login(learner)
    client.post(url, {"action": "request"})
    client.force_login(other_learner)
    refused = client.post(url, {"action": "claim"}, follow=True)
    assert "mentor" in refused.text.lower()
    client.force_login(mentor)
    queue = client.get(reverse("projects:awaiting_review"))
    assert project.title in queue.text
    client.post(url, {"action": "claim"})
    missing = client.post(url, {"action": "submit"})
    assert missing.status_code == 400
    client.post(url, {"action": "submit", "verdict": "looks_good", "works": "Clean **models**."})
    project.refresh_from_db()
    assert project.review_state == ReviewState.REVIEWED
    page = client.get(project.get_absolute_url())
    assert "Looks good" in page.text and "<strong>models</strong>" in page.text


def test_awaiting_review_is_for_mentors(client, learner):
    client.force_login(learner)
    response = client.get(reverse("projects:awaiting_review"), follow=True)
    assert "for mentors" in response.text


def test_profile_lists_projects(client, learner):
    project = make.project(learner)
    assert project.title in client.get(f"/projects/by/{learner.handle}/").text
    # The profile renders them itself (projects/profile.py), without JavaScript.
    assert project.title in client.get(learner.get_absolute_url()).text


def test_gallery_and_page_query_counts_are_constant(client, learner, other_learner, mentor):
    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    first = make.project(learner)
    small_gallery = count(reverse("projects:gallery"))
    small_page = count(first.get_absolute_url())
    for _ in range(6):
        p = make.project(other_learner)
        services.star_toggle(user=learner, project=p)
        services.star_toggle(user=mentor, project=first)
        make.feedback(mentor, first)
    services.star_toggle(user=other_learner, project=first)
    assert count(reverse("projects:gallery")) == small_gallery
    assert count(first.get_absolute_url()) == small_page


def test_questions_asked_about_a_project(client, learner, other_learner):
    from discussions.models import Question
    from discussions.tests import factories as forum

    project = make.project(learner, title="Bookshelf API for the library")
    category = forum.category()
    client.force_login(other_learner)
    ask = client.get(reverse("discussions:question_ask"), {"project": project.pk})
    assert "Asking about the project" in ask.text and project.title in ask.text
    client.post(
        reverse("discussions:question_ask"),
        {
            "title": "How is the Bookshelf API paginated?",
            "category": category.pk,
            "body": "Curious about the cursor.",
            "project": project.pk,
        },
    )
    question = Question.objects.get()
    assert question.project == project
    page = client.get(project.get_absolute_url())
    assert question.title in page.text and "Ask about this project" in page.text
    assert project.title in client.get(question.get_absolute_url()).text


def test_a_draft_cannot_be_asked_about_by_others(client, learner, other_learner):
    from discussions.models import Question
    from discussions.tests import factories as forum

    draft = make.project(learner, publish=False)
    category = forum.category()
    client.force_login(other_learner)
    client.post(
        reverse("discussions:question_ask"),
        {
            "title": "Forged question about a hidden draft",
            "category": category.pk,
            "body": "x",
            "project": draft.pk,
        },
    )
    assert Question.objects.get().project is None


def test_feedback_edit_keeps_revisions_and_only_for_the_author(client, learner, other_learner):
    project = make.project(learner)
    item = make.feedback(other_learner, project, "First thoughts")
    url = reverse("projects:feedback_edit", args=[item.pk])
    client.force_login(learner)
    assert "only edit your own" in client.get(url, follow=True).text
    client.force_login(other_learner)
    assert client.get(url).status_code == 200
    response = client.post(url, {"body": "Second thoughts"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.body == "Second thoughts" and item.revisions.count() >= 1
    client.post(reverse("projects:feedback_delete", args=[item.pk]))
    item.refresh_from_db()
    assert item.is_deleted


# Forms trim spaces at the edges of what was typed or pasted (a friendly fix, not a trick);
# the service refuses them when called directly (hub/tests/test_links.py). Inner whitespace
# is refused.
@pytest.mark.parametrize("url", [u for u in HOSTILE_URLS if u.strip() and u == u.strip()])
def test_every_hostile_link_is_refused_on_the_form(client, learner, url):
    """The corpus of hub/tests/test_links.py, through the page: a clear message next to the
    field."""
    client.force_login(learner)
    response = client.post(
        reverse("projects:project_create"),
        {
            "title": "A project with a hostile link",
            "pitch": "x",
            "repository_url": "https://github.com/a/b",
            "demo_url": url,
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors.get("demo_url"), errors
    assert 'id="id_demo_url_error"' in response.text
    assert not Project.objects.exists()


def test_project_page_leaves_out_hidden_questions_about_it(client, learner, other_learner, mentor):
    """A hidden question's title stays off the project page for those who get a 404 on
    the question itself; its author and mentors still see it listed."""
    from django.utils import timezone

    from discussions.models import Question
    from discussions.tests import factories as forum

    project = make.project(learner)
    shown = forum.question(other_learner, title="How do I paginate the API of this project?")
    hidden = forum.question(other_learner, title="Spammy question about this project here")
    Question.objects.filter(pk__in=[shown.pk, hidden.pk]).update(project=project)
    Question.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now(), hidden_reason="spam")

    page = client.get(project.get_absolute_url()).text
    assert shown.title in page and hidden.title not in page
    assert client.get(hidden.get_absolute_url()).status_code == 404
    client.force_login(learner)  # the project's author is not the question's
    assert hidden.title not in client.get(project.get_absolute_url()).text
    for viewer in (other_learner, mentor):
        client.force_login(viewer)
        assert hidden.title in client.get(project.get_absolute_url()).text


@pytest.mark.parametrize("parent", ["abc", "1.5", "-3", "99999999999999999999999", "12345"])
def test_feedback_with_a_bad_parent_is_refused_not_a_500(client, learner, other_learner, parent):
    project = make.project(learner)
    client.force_login(other_learner)
    url = reverse("projects:feedback_create", args=[project.pk])
    response = client.post(url, {"body": "Nice models", "parent": parent})
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        page = client.get(response.url)
        assert "No such feedback" in page.text
    assert not project.feedback.exists()


def test_a_mentor_sees_feedback_actions_as_one_list(client, learner, other_learner, mentor):
    p = make.project(learner)
    item = make.feedback(other_learner, p)
    make.feedback(learner, p, parent=item)
    client.force_login(mentor)
    text = " ".join(client.get(p.get_absolute_url()).text.split())
    row = text[text.index(f'id="feedback-{item.pk}"') :]
    actions = re.search(r'<ul class="action-list"[^>]*>(.*?)</ul>', row, re.S)
    assert actions, "no action list on the feedback row"
    labels = re.findall(r'class="comment__action"[^>]*>\s*(\w+)\s*<', actions[1])
    assert labels == ["Delete", "Flag", "Hide"]
    assert "·" not in actions[1]  # separators come from CSS, between items only
    assert ">hide<" not in text and ">flag<" not in text and ">delete<" not in text


def test_a_mentor_claims_from_the_awaiting_review_list(client, learner, other_learner, mentor):
    waiting = make.requested(learner, title="Bookshelf API")
    taken = make.requested(other_learner, title="Gym tracker")
    services.review_claim(mentor=mentor, project=taken)
    client.force_login(mentor)
    text = client.get(reverse("projects:awaiting_review")).text
    url = reverse("projects:review", args=[waiting.pk])
    claim = re.search(rf'<form method="post" action="{url}">(.*?)</form>', text, re.S)
    assert claim and 'value="claim"' in claim[1] and "Claim" in claim[1]
    assert f'action="{reverse("projects:review", args=[taken.pk])}"' not in text
    assert f'href="{taken.get_absolute_url()}#review-form"' in text  # theirs: write it

    response = client.post(url, {"action": "claim"}, follow=True)
    waiting.refresh_from_db()
    assert waiting.reviewer == mentor and waiting.review_state == ReviewState.IN_REVIEW
    assert response.redirect_chain[-1][0].startswith(waiting.get_absolute_url())


BADGE = '<span class="badge badge--accent">Feedback wanted</span>'


def test_feedback_wanted_marks_only_projects_still_waiting_for_some(client, learner, other_learner):
    waiting = make.project(learner, title="Waiting for its first feedback", feedback_wanted=True)
    answered = make.project(learner, title="Already has feedback", feedback_wanted=True)
    make.feedback(other_learner, answered)
    make.project(learner, title="Not asking for anything")

    text = client.get(reverse("projects:gallery")).text

    def card(project) -> str:
        start = text.index(f'<a href="{project.get_absolute_url()}">')
        return text[start : text.index("</li>", start)]

    assert BADGE in card(waiting)
    assert BADGE not in card(answered)
    assert text.count(BADGE) == 1


def test_the_project_page_says_feedback_wanted_once(client, learner, other_learner):
    with_note = make.project(learner, feedback_wanted=True)  # the factory writes a note
    without_note = make.project(learner, feedback_wanted=True)
    Project.objects.filter(pk=without_note.pk).update(feedback_note="")
    without_note.refresh_from_db()
    for project in (with_note, without_note):
        text = client.get(project.get_absolute_url()).text
        assert text.lower().count("feedback wanted") == 1, project.feedback_note
        assert "would love some" not in text


def test_the_feedback_box_has_the_markdown_hint_and_preview(client, learner, other_learner):
    p = make.project(learner)
    client.force_login(other_learner)
    text = client.get(p.get_absolute_url()).text
    start = text.index(f'action="{reverse("projects:feedback_create", args=[p.pk])}"')
    box = text[start : text.index("</form>", start)]
    assert 'class="field md-editor' in box  # the question and answer forms' editor
    assert "Markdown: **bold**" in box
    assert f'hx-post="{reverse("discussions:preview")}"' in box
