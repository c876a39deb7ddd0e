"""Every GraphQL example in docs/graphql.md runs, as written, against a small forum."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from discussions.tests import factories as forum
from hub.tests.gql import data, gid
from projects.tests import factories as showcase

pytestmark = pytest.mark.django_db

DOC = Path(settings.BASE_DIR) / "docs" / "graphql.md"
BLOCK = re.compile(r"```graphql\n(.*?)```\n(?:```json\n(.*?)```)?", re.S)


def examples() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2) or "{}") for m in BLOCK.finditer(DOC.read_text())]


def test_the_doc_has_examples():
    assert len(examples()) >= 8


@pytest.mark.parametrize("index", range(len(examples())))
def test_example_runs(client, learner, other_learner, index, settings):
    settings.NEXUS_POSTING_LIMITS = {
        "question": {"hour": 100, "new": 100},
        "reply": {"hour": 100, "new": 100},
    }
    question = forum.question(other_learner, title="Why do my migrations conflict?")
    forum.answer(learner, question)
    forum.answer(other_learner, forum.question(learner))
    project = showcase.project(other_learner)
    showcase.feedback(learner, project)
    query, variables = examples()[index]
    variables = json.loads(variables.replace("QUESTION_ID", gid("Question", question.pk)))
    client.force_login(learner)
    got = data(client, query, variables)
    assert got and all(value is not None for value in got.values()), got
    for payload in got.values():
        if isinstance(payload, dict) and "errors" in payload:
            assert payload["errors"] == []
