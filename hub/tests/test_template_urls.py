"""Templates never spell a path: links come from `Model.urls` / `get_absolute_url()`
(hub/routes.py: reversed once per process) or `{% url %}`, so a route can move without
a template linking to the old place."""

import re
from pathlib import Path

from django.conf import settings
from django.template import Context, Template

from hub.routes import url_pattern, urls_for

# An attribute that holds a URL, whose value starts with "/" and a letter.
SPELLED = re.compile(
    r'\b(href|action|src|hx-(?:get|post|put|patch|delete)|ws-connect|data-[\w-]+)="/[a-zA-Z]'
)

# Paths no URLconf reverses: the WebSocket routes live in hub/routing.py (Channels'
# router, not Django's), so `{% url %}` cannot name them.
STATIC_PATHS = {
    ("templates/base.html", 'ws-connect="/ws/live/'),
    ("templates/hub/graphiql.html", 'data-socket="/ws/graphql/'),
}


def spelled_paths(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.html")):
        name = str(path.relative_to(root.parent))
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for match in SPELLED.finditer(line):
                snippet = line[match.start() : line.index('"', match.end()) + 1]
                if not any(name == f and snippet.startswith(s) for f, s in STATIC_PATHS):
                    found.append(f"{name}:{number}: {snippet}")
    return found


def test_no_template_spells_a_path():
    assert spelled_paths(Path(settings.BASE_DIR) / "templates") == []


def test_the_check_finds_a_spelled_path(tmp_path):
    (tmp_path / "templates").mkdir()
    page = tmp_path / "templates" / "page.html"
    page.write_text(
        '<a href="/u/{{ person.handle }}/">x</a> <a hx-get="/flag/comment/{{ c.pk }}">f</a>\n'
        '<a href="{{ person.urls.profile }}">ok</a> <a href="?page=2">ok</a>'
        ' <a href="/">home is fine: no letter</a>\n'
    )
    assert spelled_paths(tmp_path / "templates") == [
        'templates/page.html:1: href="/u/{{ person.handle }}/"',
        'templates/page.html:1: hx-get="/flag/comment/{{ c.pk }}"',
    ]


def test_allowed_static_paths_are_still_there():
    """An allow-list entry that no longer matches anything is stale: drop it."""
    base = Path(settings.BASE_DIR)
    for name, snippet in STATIC_PATHS:
        assert snippet in (base / name).read_text(), name


def test_patterns_match_reverse(learner, django_assert_num_queries):
    from django.urls import reverse

    assert url_pattern("accounts:profile").format(learner.handle) == reverse(
        "accounts:profile", kwargs={"handle": learner.handle}
    )
    assert learner.urls["profile"] == learner.get_absolute_url() == f"/u/{learner.handle}/"
    assert url_pattern("discussions:question_detail", slots=2).format(7, "a-b") == reverse(
        "discussions:question_detail", kwargs={"pk": 7, "slug": "a-b"}
    )
    assert urls_for(3, {"flag": ("moderation:flag", "answer")}) == {
        "flag": reverse("moderation:flag", args=["answer", 3])
    }


def test_flag_url_filter_names_the_kind_of_each_post(db):
    from discussions.models import Answer, Comment, Question
    from projects.models import Feedback, Project

    template = Template("{% load moderation_tags %}{{ post|flag_url }}")
    for model, kind in [
        (Question, "question"),
        (Answer, "answer"),
        (Comment, "comment"),
        (Project, "project"),
        (Feedback, "feedback"),
    ]:
        assert template.render(Context({"post": model(pk=41)})) == f"/flag/{kind}/41"
