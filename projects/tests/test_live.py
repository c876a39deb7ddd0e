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
