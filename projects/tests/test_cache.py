"""What projects caches (hub.cache) is never stale: the gallery's cards are rendered once
for everyone who gets the same cards, and every change a card shows is seen at once."""

import pytest

from projects import services, views
from projects.tests import factories as make

pytestmark = [pytest.mark.django_db, pytest.mark.cached]


def test_gallery_cards_are_shared_and_every_change_a_card_shows_is_seen_at_once(
    client, learner, other_learner, mentor, template_renders, django_capture_on_commit_callbacks
):
    project = make.project(learner, title="Lending library API", feedback_wanted=True)
    make.project(other_learner, title="Webhook relay")
    rendered = template_renders(views)
    client.force_login(learner)
    first = client.get("/projects/").text
    client.force_login(other_learner)
    second = client.get("/projects/").text
    assert rendered.count(f"{views.GALLERY}#cards") == 1, "the second viewer's cards were cached"
    assert first.count('class="project-card"') == 2 and "Lending library API" in second
    assert 'badge--accent">Feedback wanted' in second

    def gallery_after(write):
        with django_capture_on_commit_callbacks(execute=True):
            write()
        return client.get("/projects/").text

    text = gallery_after(lambda: services.star_toggle(user=other_learner, project=project))
    assert "★ 1" in text
    text = gallery_after(
        lambda: services.feedback_create(author=mentor, project=project, body="Index the FK.")
    )
    assert "1 feedback" in text and 'badge--accent">Feedback wanted' not in text
    text = gallery_after(
        lambda: services.project_edit(
            editor=learner,
            project=project,
            title="Lending library REST API",
            pitch=project.pitch,
            repository_url=project.repository_url,
            description=project.description,
            tags="django celery",
            cohort=project.cohort,
        )
    )
    assert "Lending library REST API" in text and ">celery<" in text
