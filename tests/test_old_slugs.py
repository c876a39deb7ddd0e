"""Old-slug URLs never trap a reader in a redirect loop, in any order of title edits.

Browsers keep permanent redirects (301, 308) without expiry. A reader who opened a thread
under title A and again under title B has cached A -> B if that redirect was permanent and,
once the title goes back to A, B -> A as well: ERR_TOO_MANY_REDIRECTS. The client below
caches permanent redirects as a browser does; old slugs must answer with a temporary
redirect to the current URL, and the page names its canonical URL.
"""

import re

import pytest
from django.test import Client

from discussions import services as discussions
from discussions.tests import factories as forum
from projects import services as projects
from projects.tests import factories as showcase

pytestmark = pytest.mark.django_db


class BrowserLikeClient:
    """Follows redirects as a browser does, remembering permanent ones forever."""

    def __init__(self) -> None:
        self.client = Client()
        self.permanent: dict[str, str] = {}

    def open(self, url: str) -> tuple[str, list[int]]:
        seen, statuses = [url], []
        for _ in range(20):
            if url in self.permanent:
                url = self.permanent[url]
                statuses.append(301)
            else:
                response = self.client.get(url)
                statuses.append(response.status_code)
                if response.status_code not in (301, 302, 303, 307, 308):
                    assert response.status_code == 200, (url, response.status_code)
                    return response.text, statuses
                if response.status_code in (301, 308):
                    self.permanent[url] = response["Location"]
                url = response["Location"]
            if url in seen:
                raise AssertionError(f"redirect loop: {' -> '.join([*seen, url])}")
            seen.append(url)
        raise AssertionError(f"too many redirects: {seen}")


def canonical(html: str) -> str:
    found = re.search(r'<link rel="canonical" href="([^"]+)">', html)
    assert found, "the page names no canonical URL"
    return found.group(1)


def test_question_title_a_b_a_never_loops(learner):
    question = forum.question(learner, title="Why does my Celery task run twice")
    reader = BrowserLikeClient()
    url_a = question.get_absolute_url()
    html, _ = reader.open(url_a)
    assert canonical(html).endswith(url_a)

    def retitle(title: str) -> str:
        discussions.question_edit(
            editor=learner,
            question=question,
            title=title,
            body=question.body,
            category=question.category,
            tags=list(question.tags.values_list("name", flat=True)),
        )
        question.refresh_from_db()
        return question.get_absolute_url()

    url_b = retitle("Celery task runs twice with acks_late")
    html, statuses = reader.open(url_a)  # the old slug: a temporary redirect to B
    assert canonical(html).endswith(url_b)
    reader.open(url_b)
    url_a_again = retitle("Why does my Celery task run twice")
    assert url_a_again == url_a
    for url in (url_a, url_b, f"/q/{question.pk}/"):
        html, _ = reader.open(url)
        assert canonical(html).endswith(url_a)
    assert statuses == [302, 200]
    assert not reader.permanent, f"permanent redirects were cached: {reader.permanent}"


def test_project_title_a_b_a_never_loops(learner):
    project = showcase.project(learner, title="Bookshelf REST API")
    reader = BrowserLikeClient()
    url_a = project.get_absolute_url()
    html, _ = reader.open(url_a)
    assert canonical(html).endswith(url_a)

    def retitle(title: str) -> str:
        projects.project_edit(
            editor=learner,
            project=project,
            title=title,
            pitch=project.pitch,
            repository_url=project.repository_url,
        )
        project.refresh_from_db()
        return project.get_absolute_url()

    url_b = retitle("Bookshelf GraphQL API")
    html, statuses = reader.open(url_a)
    assert canonical(html).endswith(url_b)
    reader.open(url_b)
    assert retitle("Bookshelf REST API") == url_a
    for url in (url_a, url_b, f"/projects/{project.pk}/"):
        html, _ = reader.open(url)
        assert canonical(html).endswith(url_a)
    assert statuses == [302, 200]
    assert not reader.permanent, f"permanent redirects were cached: {reader.permanent}"
