"""Projects in the site search, on SQLite and (with DATABASE_URL) PostgreSQL: title, tags,
pitch and description match; drafts and hidden projects only for who may open them."""

import pytest

from hub import search as site_search
from projects import selectors, services

pytestmark = pytest.mark.django_db


def _project(author, *, title, description="", tags="django drf", publish=True):
    return services.project_create(
        author=author,
        title=title,
        pitch="Made in the spring cohort.",
        description=description,
        repository_url=f"https://github.com/someone/{title.lower().replace(' ', '-')}",
        tags=tags,
        publish=publish,
    )


def _found(query: str, viewer=None) -> list:
    hits, _ = selectors.project_search_page(viewer=viewer, query=site_search.parse(query))
    return [hit.project for hit in hits]


def test_title_tags_pitch_and_description_match(learner):
    recipes = _project(
        learner,
        title="Recipe box",
        tags="htmx redis",
        description="Search as you type, with a debounce.",
    )
    library = _project(learner, title="Lending library", description="Books.")
    assert _found("recipe") == [recipes]
    assert _found("redis") == [recipes]
    assert _found("tag:redis") == [recipes]
    assert _found("debounce") == [recipes]
    assert _found("lending") == [library]
    assert _found("spring cohort") == [library, recipes] or _found("spring cohort") == [
        recipes,
        library,
    ]


def test_snippets_highlight_and_escape(learner):
    _project(learner, title="Recipe box", description="A <b>debounce</b> trick.")
    [hit] = selectors.project_search_page(viewer=None, query=site_search.parse("debounce"))[0]
    assert "<mark>debounce</mark>" in hit.snippet
    assert "<b>" not in hit.snippet  # escaped (SQLite) or dropped by ts_headline
    assert hit.tags == ["django", "drf"]


def test_a_phrase_and_an_excluded_word(learner):
    phrase = _project(learner, title="Queue dashboard", description="Shows the dead letter queue.")
    apart = _project(learner, title="Letter writer", description="Dead simple; no queue.")
    assert set(_found("dead letter")) == {phrase, apart}
    assert _found('"dead letter"') == [phrase]
    assert _found("dead letter -writer") == [phrase]


def test_a_draft_is_found_by_its_author_only(learner, other_learner, mentor):
    draft = _project(learner, title="Zeppelin tracker", publish=False)
    assert _found("zeppelin", viewer=None) == []
    assert _found("zeppelin", viewer=other_learner) == []
    assert _found("zeppelin", viewer=mentor) == []
    assert _found("zeppelin", viewer=learner) == [draft]


def test_a_hidden_project_is_found_by_mentors_and_its_author(learner, other_learner, mentor):
    project = _project(learner, title="Zeppelin tracker")
    services.project_hidden_set(project=project, hidden=True, by=mentor, reason="spam")
    assert _found("zeppelin", viewer=None) == []
    assert _found("zeppelin", viewer=other_learner) == []
    assert _found("zeppelin", viewer=mentor) == [project]
    assert _found("zeppelin", viewer=learner) == [project]


def test_an_edit_is_searched_at_once(learner):
    project = _project(learner, title="Zeppelin tracker")
    services.project_edit(
        editor=learner,
        project=project,
        title="Airship tracker",
        pitch=project.pitch,
        repository_url=project.repository_url,
        description="Now with blimps.",
        tags="python",
    )
    assert _found("zeppelin") == []
    assert _found("blimps airship python") == [project]
