"""The written guide loads in production (`load_guides`) and in the demo, idempotently."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from guides import services
from guides.content import GUIDES
from guides.models import Guide, Section
from hub.markdown import render_markdown

pytestmark = pytest.mark.django_db

SECTIONS = sum(len(g.sections) for g in GUIDES)


def _load(*args: str) -> str:
    out = StringIO()
    call_command("load_guides", *args, stdout=out)
    return out.getvalue()


def test_every_topic_of_the_program_has_substantial_sections():
    slugs = {g.slug for g in GUIDES}
    assert {
        "python",
        "django",
        "rest-apis",
        "graphql",
        "docker",
        "ci-cd",
        "databases",
        "async-tasks",
        "caching",
        "challenges",
        "best-practices",
    } <= slugs
    for guide in GUIDES:
        assert len(guide.sections) >= 3, guide.slug
        for section in guide.sections:
            body = section.body
            where = f"{guide.slug}: {section.title}"
            assert "```" in body, f"{where} has no runnable example"
            assert "**Official docs:**" in body and "https://" in body, where
            assert "**How Nexus does it:**" in body, where
            assert len(body.split()) >= 120, f"{where} is thin"
            assert section.versions, where
            assert "<pre" in render_markdown(body).html


def test_load_guides_creates_then_is_idempotent(mentor):
    assert f"{SECTIONS} sections created" in _load("--as", f"@{mentor.handle}")
    assert Guide.objects.count() == len(GUIDES)
    assert Section.objects.count() == SECTIONS
    assert "0 sections created" in _load("--as", mentor.handle)
    assert Section.objects.count() == SECTIONS
    section = Section.objects.get(anchor="the-n1-query-and-how-to-see-it")
    assert section.guide.category.slug == "django" if section.guide.category else True


def test_guides_attach_to_the_forum_categories_that_exist(mentor):
    from discussions.tests import factories as forum

    forum.category(slug="docker", name="Docker")
    _load("--as", mentor.handle)
    assert Guide.objects.get(slug="docker").category.slug == "docker"
    assert Guide.objects.get(slug="challenges").category is None


def test_update_refreshes_only_what_nobody_else_touched(mentor, admin_user, settings):
    _load("--as", mentor.handle)
    mine = Section.objects.get(anchor="type-hints-that-pay-for-themselves")
    theirs = Section.objects.get(anchor="context-managers-for-everything-that-must-be-undone")
    Section.objects.filter(pk__in=[mine.pk, theirs.pk]).update(body="old words")
    services.section_edit(editor=admin_user, section=theirs, title=theirs.title, body="A fix.")
    out = _load("--as", mentor.handle, "--update")
    assert "2 updated" not in out
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.body.startswith("Type hints are documentation")
    assert theirs.body == "A fix.", "a mentor's edit is never overwritten"


def test_load_refuses_unknown_and_learner_accounts(learner):
    with pytest.raises(CommandError, match="No active account"):
        _load("--as", "@nobody")
    with pytest.raises(CommandError, match="cannot write the guide"):
        _load("--as", learner.handle)
    with pytest.raises(CommandError, match="No admin account"):
        _load()


def test_seed_demo_gives_the_guide_a_life(db):
    from guides.models import EditProposal, HelpfulVote, SectionQuestion

    call_command("seed_demo", allow_without_debug=True, stdout=StringIO())
    assert Section.objects.count() == SECTIONS
    assert Section.objects.filter(last_reviewed_by__isnull=False).count() == SECTIONS
    assert SectionQuestion.objects.filter(kind="promoted").exists()
    assert SectionQuestion.objects.filter(kind="answered").exists()
    assert EditProposal.objects.filter(state="open").exists()
    assert HelpfulVote.objects.filter(helpful=False).exclude(note="").exists()
    from guides.selectors import sections_due_for_review

    assert [s.anchor for s in sections_due_for_review()] == ["compose-for-the-whole-stack"]
    call_command("seed_demo", allow_without_debug=True, stdout=StringIO())
    assert Section.objects.count() == SECTIONS
    assert SectionQuestion.objects.count() == 2
