import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from discussions.tests import factories as forum
from guides import services
from guides.models import EditProposal, ProposalState
from guides.tests import factories

pytestmark = pytest.mark.django_db


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _world(mentor, guides: int, sections: int, voter=None):
    made = []
    for g in range(guides):
        guide = factories.guide(slug=f"topic-{g}", name=f"Topic {g}")
        for s in range(sections):
            section = factories.section(mentor, on=guide, title=f"Section {g}-{s}")
            services.section_review(reviewer=mentor, section=section)
            if voter is not None:
                services.helpful_vote(user=voter, section=section, helpful=s % 2 == 0, note="x")
            made.append(section)
    return made


def _link_questions(mentor, sections, author):
    for section in sections:
        question = forum.question(author, cat=section.guide.category)
        services.question_close_in_guide(mentor=mentor, question=question, section=section)


class TestQueryCounts:
    def test_the_index_is_constant_in_guides_and_sections(self, client, mentor, settings):
        settings.NEXUS_POSTING_LIMITS = {
            "question": {"hour": 10_000, "new": 10_000},
            "reply": {"hour": 10_000, "new": 10_000},
        }
        _world(mentor, 2, 2)
        small = count_queries(client, reverse("guides:index"))
        _world(mentor, 0, 0)
        for g in range(2, 6):
            guide = factories.guide(slug=f"more-{g}", name=f"More {g}")
            for s in range(8):
                factories.section(mentor, on=guide, title=f"More {g}-{s}")
        assert count_queries(client, reverse("guides:index")) == small
        assert small <= 3

    @pytest.mark.parametrize("signed_in", [False, True])
    def test_an_article_is_constant_in_sections(self, client, mentor, learner, signed_in, settings):
        settings.NEXUS_POSTING_LIMITS = {
            "question": {"hour": 10_000, "new": 10_000},
            "reply": {"hour": 10_000, "new": 10_000},
        }
        if signed_in:
            client.force_login(learner)
        small = _world(mentor, 1, 2, voter=learner)
        _link_questions(mentor, small, learner)
        url = small[0].guide.get_absolute_url()
        few = count_queries(client, url)
        guide = small[0].guide
        many = [factories.section(mentor, on=guide, title=f"Extra {n}") for n in range(30)]
        for section in many:
            services.helpful_vote(user=learner, section=section, helpful=True)
            services.section_review(reviewer=UserFactory(role="mentor"), section=section)
        _link_questions(mentor, many[:10], learner)
        assert count_queries(client, url) == few
        page = client.get(url).content.decode()
        assert page.count('class="guide-section"') == 32


class TestPages:
    def test_index_lists_topics_sections_and_recent_changes(self, client, mentor):
        section = factories.section(mentor, title="Keyset pagination")
        page = client.get(reverse("guides:index")).content.decode()
        assert "Django" in page and "Keyset pagination" in page
        assert f'href="/guide/django/#{section.anchor}"' in page
        assert "Recently changed" in page and "written by Mia Mentor" in page

    def test_article_has_toc_anchors_copy_buttons_pager_and_trust_line(self, client, mentor):
        python = factories.guide(slug="python", name="Python")
        django = factories.guide(slug="django", name="Django")
        from discussions.models import Category

        Category.objects.filter(slug="python").update(position=0)
        Category.objects.filter(slug="django").update(position=1)
        services.guide_ensure(category=Category.objects.get(slug="python"))
        services.guide_ensure(category=Category.objects.get(slug="django"))
        section = factories.section(mentor, on=django, title="The ORM")
        services.section_review(reviewer=mentor, section=section)
        page = client.get(django.get_absolute_url()).content.decode()
        assert f'<a href="#{section.anchor}">The ORM</a>' in page, "table of contents"
        assert f'id="{section.anchor}"' in page
        assert "data-copy" in page, "code blocks carry the copy button"
        assert f'href="{python.get_absolute_url()}"' in page and 'rel="prev"' in page
        assert "Last reviewed by" in page and "Mia Mentor" in page
        assert "guide:" in page, "the page follows its live topic"
        assert "guides.css" in page, "the print layout ships with the page"

    def test_unknown_guide_is_404(self, client):
        assert client.get("/guide/nope/").status_code == 404

    def test_mentor_edits_and_learner_proposes_through_the_same_form(self, client, mentor, learner):
        section = factories.section(mentor, body="Before.\n")
        url = reverse("guides:section_edit", args=[section.pk])
        client.force_login(learner)
        page = client.get(url).content.decode()
        assert "Propose an edit" in page and 'name="versions"' not in page
        response = client.post(url, {"title": section.title, "body": "After.\n", "note": "Clearer"})
        proposal = EditProposal.objects.get()
        assert response.status_code == 302 and response["Location"] == proposal.get_absolute_url()
        section.refresh_from_db()
        assert section.body == "Before.\n", "a proposal publishes nothing"
        assert client.get(proposal.get_absolute_url()).status_code == 200
        # The proposer cannot accept their own.
        client.post(reverse("guides:proposal_accept", args=[proposal.pk]))
        assert EditProposal.objects.get().state == ProposalState.OPEN
        client.force_login(mentor)
        page = client.get(proposal.get_absolute_url()).content.decode()
        assert "Accept and publish" in page and "After." in page
        client.post(reverse("guides:proposal_accept", args=[proposal.pk]))
        section.refresh_from_db()
        assert section.body == "After."

    def test_bad_input_is_a_form_error_not_a_500(self, client, mentor, learner):
        section = factories.section(mentor)
        client.force_login(mentor)
        response = client.post(
            reverse("guides:section_edit", args=[section.pk]),
            {"title": section.title, "body": "new", "versions": "not a version"},
        )
        assert response.status_code == 400 and "is not a version" in response.text
        client.force_login(learner)
        response = client.post(
            reverse("guides:section_edit", args=[section.pk]),
            {"title": section.title, "body": "new", "note": ""},
        )
        assert response.status_code == 400
        proposal = services.proposal_create(
            proposer=learner, section=section, title=section.title, body="z", note="n"
        )
        client.force_login(mentor)
        response = client.post(reverse("guides:proposal_decline", args=[proposal.pk]), {})
        assert response.status_code == 400 and "Give a reason" in response.text
        response = client.post(reverse("guides:helpful", args=[section.pk]), {"helpful": "maybe"})
        assert response.status_code == 302

    @pytest.mark.parametrize("htmx", [False, True])
    def test_another_learners_proposal_is_404_at_every_door(
        self, client, mentor, learner, other_learner, htmx
    ):
        """Where the proposal's page is a 404, accepting or declining it is a 404 too (a 403
        there would tell that it exists), and nothing changes."""
        section = factories.section(mentor, body="Before.\n")
        proposal = services.proposal_create(
            proposer=learner, section=section, title=section.title, body="After.", note="n"
        )
        headers = {"HX-Request": "true"} if htmx else {}
        client.force_login(other_learner)
        assert client.get(proposal.get_absolute_url(), headers=headers).status_code == 404
        accept = reverse("guides:proposal_accept", args=[proposal.pk])
        decline = reverse("guides:proposal_decline", args=[proposal.pk])
        assert client.post(accept, headers=headers).status_code == 404
        assert client.post(decline, {"reason": "no"}, headers=headers).status_code == 404
        assert client.post(decline, {}, headers=headers).status_code == 404
        missing = reverse("guides:proposal_accept", args=[proposal.pk + 1000])
        assert client.post(missing, headers=headers).status_code == 404
        proposal.refresh_from_db()
        section.refresh_from_db()
        assert proposal.state == ProposalState.OPEN and section.body == "Before.\n"
        # Its proposer sees it and is refused deciding it (not a 404: it is theirs).
        client.force_login(learner)
        assert client.get(proposal.get_absolute_url()).status_code == 200
        assert client.post(decline, {"reason": "no"}, headers=headers).status_code != 404
        proposal.refresh_from_db()
        assert proposal.state == ProposalState.OPEN

    def test_history_shows_diffs_and_mentors_revert(self, client, mentor):
        section = factories.section(mentor, body="one\n")
        services.section_edit(editor=mentor, section=section, title=section.title, body="two\n")
        client.force_login(mentor)
        page = client.get(reverse("guides:section_history", args=[section.pk])).content.decode()
        assert "Revision 2" in page and "diff__line--del" in page and "Revert to revision 1" in page
        client.post(reverse("guides:section_revert", args=[section.pk, 1]), {"note": "back"})
        section.refresh_from_db()
        assert section.body == "one\n" and section.revision_count == 3

    def test_helpful_over_htmx_returns_the_fragment(self, client, mentor, learner):
        section = factories.section(mentor)
        client.force_login(learner)
        response = client.post(
            reverse("guides:helpful", args=[section.pk]),
            {"helpful": "no", "note": "Needs a Celery example"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        assert 'id="helpful-' in response.text and "a mentor will read your note" in response.text
        assert "<html" not in response.text

    def test_review_over_htmx_returns_the_trust_line(self, client, mentor):
        section = factories.section(mentor)
        client.force_login(mentor)
        response = client.post(
            reverse("guides:section_review", args=[section.pk]), headers={"HX-Request": "true"}
        )
        assert response.status_code == 200 and "Last reviewed by" in response.text


class TestAnOverLongNoteIsSaidNotDropped:
    """Revert and review used to drop a note the form refused and act without it."""

    def test_revert(self, client, mentor):
        from guides.models import NOTE_MAX

        section = factories.section(mentor, body="one\n")
        services.section_edit(editor=mentor, section=section, title=section.title, body="two\n")
        client.force_login(mentor)
        response = client.post(
            reverse("guides:section_revert", args=[section.pk, 1]),
            {"note": "x" * (NOTE_MAX + 1)},
            follow=True,
        )
        said = " ".join(str(m) for m in response.context["messages"])
        assert f"at most {NOTE_MAX} characters" in said
        section.refresh_from_db()
        assert section.body == "two\n" and section.revision_count == 2

    def test_review(self, client, mentor):
        from guides.models import NOTE_MAX, SectionReview

        section = factories.section(mentor)
        client.force_login(mentor)
        response = client.post(
            reverse("guides:section_review", args=[section.pk]),
            {"note": "x" * (NOTE_MAX + 1)},
            follow=True,
        )
        said = " ".join(str(m) for m in response.context["messages"])
        assert f"at most {NOTE_MAX} characters" in said
        assert not SectionReview.objects.filter(section=section).exists()
