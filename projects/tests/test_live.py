"""A project page is live: feedback, stars and reviews reach its open tabs."""

import pytest
from asgiref.sync import sync_to_async

from hub.tests.test_live import communicator
from projects.tests import factories as make

pytestmark = pytest.mark.django_db(transaction=True)


async def test_feedback_reaches_the_page_and_drafts_are_refused(learner, other_learner):
    project = await sync_to_async(make.project)(learner)
    draft = await sync_to_async(make.project)(learner, publish=False)
    ws = communicator(f"project:{project.pk},project:{draft.pk}")
    assert (await ws.connect())[0]

    await sync_to_async(make.feedback)(other_learner, project, "Looks neat")
    hint = await ws.receive_from(timeout=3)
    assert 'id="live-stale"' in hint and f"project:{project.pk}" in hint

    from projects import services

    await sync_to_async(services.project_edit)(
        editor=learner,
        project=draft,
        title=draft.title,
        pitch="Changed",
        repository_url=draft.repository_url,
    )
    assert await ws.receive_nothing(timeout=0.3)  # the draft's topic was never joined
    await ws.disconnect()


def test_catch_up_renders_the_viewers_sections(client, learner, other_learner):
    project = make.project(learner)
    make.feedback(other_learner, project, "A fresh comment")
    client.force_login(other_learner)
    response = client.get("/live/catch-up", {"topics": f"project:{project.pk}"})
    text = response.text
    assert 'id="feedback"' in text and 'hx-swap-oob="true"' in text
    assert "A fresh comment" in text and 'id="reviews"' in text and 'id="star"' in text


def test_catch_up_brings_the_feedback_wanted_badge_up_to_date(client, learner, other_learner):
    """The badge and the review state sit in the page's header, outside the feedback
    section: the catch-up a stale hint triggers swaps them too."""
    project = make.project(learner)
    project.feedback_wanted = True
    project.save(update_fields=["feedback_wanted"])
    client.force_login(other_learner)
    page = client.get(project.get_absolute_url()).text
    assert 'id="project-status"' in page and "Feedback wanted" in page

    def status() -> str:
        text = client.get("/live/catch-up", {"topics": f"project:{project.pk}"}).text
        start = text.index('id="project-status"')
        return text[text.rindex("<p", 0, start) : text.index("</p>", start)]

    assert 'hx-swap-oob="true"' in status() and "Feedback wanted" in status()
    make.feedback(other_learner, project, "Here is some")
    assert "Feedback wanted" not in status()


def test_catch_up_brings_the_feedback_note_up_to_date(client, learner, other_learner):
    from projects import services

    project = make.project(learner)
    client.force_login(other_learner)
    services.project_edit(
        editor=learner,
        project=project,
        title=project.title,
        pitch=project.pitch,
        repository_url=project.repository_url,
        feedback_wanted=True,
        feedback_note="the caching layer",
    )
    text = client.get("/live/catch-up", {"topics": f"project:{project.pk}"}).text
    assert '<div id="project-note" hx-swap-oob="true">' in text
    assert "the caching layer" in text
