"""The guide through GraphQL: its reads (guides, sections, history, the questions that led
there) in a fixed number of queries, proposed edits kept to their proposer and the
mentors, and its writes through the same services as the pages and REST."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts import services as account_services
from discussions import services as forum_services
from discussions.tests import factories as forum
from guides import services
from guides.models import EditProposal, SectionQuestion
from guides.tests import factories as guides
from hub.tests.gql import data, gid, node, run
from moderation import services as moderation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roomy_limits(settings):
    settings.NEXUS_POSTING_LIMITS = {
        "question": {"hour": 10_000, "new": 10_000},
        "reply": {"hour": 10_000, "new": 10_000},
    }


GUIDES = """{
  guides {
    id slug title summary url previous { slug summary } next { slug summary }
    sections {
      id title anchor body bodyHtml versions revisionCount url mayBeOutOfDate versionsBehind
      helpfulYes helpfulNo viewerFoundHelpful viewerCanEdit viewerCanPropose
      guide { slug } updatedBy { handle } lastReviewedBy { handle } lastReviewedAt
      ledHere { kind question { id title author { handle } tags { name } } }
      revisions { number kind note editor { handle } credited { handle } diff { sign line } }
    }
  }
}"""


def _guide_with_sections(mentor, learner, slug: str, n: int) -> None:
    guide = guides.guide(slug=slug, name=slug.title())
    for _ in range(n):
        section = guides.section(mentor, on=guide)
        services.section_edit(
            editor=mentor, section=section, title=section.title, body="Edited words."
        )
        services.section_review(reviewer=mentor, section=section)
        services.helpful_vote(user=learner, section=section, helpful=True)
        question = forum.question(learner)
        services.question_close_in_guide(mentor=mentor, question=question, section=section)


def test_guides_and_nested_lists_in_a_constant_number_of_queries(client, mentor, learner):
    client.force_login(learner)
    _guide_with_sections(mentor, learner, "django", 1)
    with CaptureQueriesContext(connection) as small:
        first = data(client, GUIDES)["guides"]
    _guide_with_sections(mentor, learner, "celery", 3)
    _guide_with_sections(mentor, learner, "docker", 2)
    with CaptureQueriesContext(connection) as large:
        second = data(client, GUIDES)["guides"]
    assert [len(g["sections"]) for g in first] == [1]
    assert sorted(len(g["sections"]) for g in second) == [1, 2, 3]
    section = second[0]["sections"][0]
    assert section["viewerFoundHelpful"] is True
    assert section["lastReviewedBy"] == {"handle": mentor.handle}
    assert section["ledHere"][0]["kind"] == "answered"
    assert section["ledHere"][0]["question"]["author"] == {"handle": learner.handle}
    assert [r["number"] for r in section["revisions"]] == [2, 1]
    assert {"sign": "+", "line": "Edited words."} in section["revisions"][0]["diff"]
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_one_guide_by_slug_with_its_neighbours(client, mentor):
    guides.section(mentor, on=guides.guide(slug="python", name="Python"))
    django = guides.guide(slug="django", name="Django")
    guides.section(mentor, on=django, title="Querysets are lazy")
    query = """query($slug: String!) { guide(slug: $slug) {
      title previous { slug } next { slug } sections { title } } }"""
    got = data(client, query, {"slug": "django"})["guide"]
    assert got["sections"] == [{"title": "Querysets are lazy"}]
    assert (got["previous"] is None) != (got["next"] is None)
    assert data(client, query, {"slug": "nope"})["guide"] is None
    section = django.sections.get()
    found = node(client, gid("GuideSection", section.pk), "... on GuideSection { title }")
    assert found == {"title": "Querysets are lazy"}
    assert node(client, gid("Guide", django.pk), "... on Guide { slug }") == {"slug": "django"}


def test_out_of_date_sections_say_so(client, mentor, settings):
    settings.NEXUS_PROGRAM_VERSIONS = {"Django": "6.1"}
    guides.section(mentor, versions="Django 5.2")
    section = data(client, "{ guides { sections { mayBeOutOfDate versionsBehind } } }")
    [found] = section["guides"][0]["sections"]
    assert found["mayBeOutOfDate"] is True
    assert found["versionsBehind"] == ["Django 5.2 (the program uses Django 6.1)"]


def test_questions_that_led_here_are_the_visible_ones(client, mentor, learner):
    section = guides.section(mentor)
    shown, hidden = forum.question(learner), forum.question(learner)
    for question in (shown, hidden):
        services.question_close_in_guide(mentor=mentor, question=question, section=section)
    moderation.content_hide(actor=mentor, target=hidden, reason="Spam")
    got = data(client, "{ guides { sections { ledHere { question { id } } } } }")
    links = got["guides"][0]["sections"][0]["ledHere"]
    assert [link["question"]["id"] for link in links] == [gid("Question", shown.pk)]


MUTATION = (
    "mutation($input: {type}!) {{ {field}(input: $input) {{ errors {{ code field }} {out} }} }}"
)


def _m(client, field: str, input_type: str, out: str, **variables):
    query = MUTATION.format(type=input_type, field=field, out=out)
    return data(client, query, {"input": variables})[field]


def test_a_mentor_writes_and_a_learners_edit_goes_through_a_proposal(
    client, mentor, learner, other_learner
):
    guide = guides.guide()
    client.force_login(mentor)
    made = _m(
        client,
        "createGuideSection",
        "CreateGuideSectionInput",
        "section { id title versions revisionCount guide { slug } }",
        guide="django",
        title="Migrations in order",
        body="Run them in order.",
        versions=["Django 6.1"],
    )
    assert made["errors"] == []
    assert made["section"]["versions"] == ["Django 6.1"]
    section_id = made["section"]["id"]

    client.force_login(learner)
    refused = _m(
        client,
        "editGuideSection",
        "EditGuideSectionInput",
        "section { id }",
        id=section_id,
        body="Mine now.",
    )
    assert refused == {"errors": [{"code": "forbidden", "field": None}], "section": None}
    proposed = _m(
        client,
        "proposeGuideEdit",
        "ProposeGuideEditInput",
        "proposal { id state diff { sign line } proposer { handle } }",
        sectionId=section_id,
        title="Migrations in order",
        body="Run them in order, then check.",
        note="A step was missing.",
    )
    assert proposed["errors"] == []
    proposal_id = proposed["proposal"]["id"]
    assert {"sign": "+", "line": "Run them in order, then check."} in proposed["proposal"]["diff"]

    client.force_login(other_learner)  # another learner's proposal is not theirs to see
    assert node(client, proposal_id) is None
    hidden = _m(
        client, "acceptGuideProposal", "AcceptGuideProposalInput", "proposal { id }", id=proposal_id
    )
    assert hidden["errors"][0]["code"] == "not_found"

    client.force_login(mentor)
    accepted = _m(
        client,
        "acceptGuideProposal",
        "AcceptGuideProposalInput",
        "proposal { state decidedBy { handle } "
        "section { body revisions { credited { handle } } } }",
        id=proposal_id,
    )
    assert accepted["errors"] == []
    assert accepted["proposal"]["state"] == "accepted"
    assert accepted["proposal"]["section"]["body"] == "Run them in order, then check."
    assert accepted["proposal"]["section"]["revisions"][0]["credited"] == {"handle": learner.handle}
    again = _m(
        client,
        "declineGuideProposal",
        "DeclineGuideProposalInput",
        "proposal { id }",
        id=proposal_id,
        reason="Too late",
    )
    assert again["errors"][0]["code"] == "forbidden"
    assert guide.sections.get().revision_count == 2


def test_helpful_votes_and_their_feedback(client, mentor, learner):
    section = guides.section(mentor)
    client.force_login(learner)
    said = _m(
        client,
        "setGuideSectionHelpful",
        "GuideHelpfulInput",
        "section { helpfulNo viewerFoundHelpful }",
        id=gid("GuideSection", section.pk),
        helpful=False,
        note="No example.",
    )
    assert said["section"] == {"helpfulNo": 1, "viewerFoundHelpful": False}
    vote_id = gid("GuideFeedback", section.helpful_votes.get().pk)
    assert node(client, vote_id) is None  # the mentors' alone
    refused = _m(
        client, "handleGuideFeedback", "HandleGuideFeedbackInput", "feedback { id }", id=vote_id
    )
    assert refused["errors"][0]["code"] == "forbidden"
    client.force_login(mentor)
    handled = _m(
        client,
        "handleGuideFeedback",
        "HandleGuideFeedbackInput",
        "feedback { note handledAt }",
        id=vote_id,
    )
    assert handled["feedback"]["note"] == "No example." and handled["feedback"]["handledAt"]


def test_answers_join_the_guide_and_questions_close_in_it(client, mentor, learner, other_learner):
    guide = guides.guide()
    question = forum.question(learner)
    answer = forum.answer(other_learner, question)
    client.force_login(mentor)
    unaccepted = _m(
        client,
        "addAnswerToGuide",
        "AddAnswerToGuideInput",
        "section { id }",
        answerId=gid("Answer", answer.pk),
        guide="django",
        body="Use it.",
    )
    assert unaccepted["errors"][0]["code"] == "forbidden"
    forum_services.answer_accept(actor=learner, answer=answer)
    added = _m(
        client,
        "addAnswerToGuide",
        "AddAnswerToGuideInput",
        "section { title ledHere { kind } revisions { credited { handle } } }",
        answerId=gid("Answer", answer.pk),
        guide="django",
        body="Use it.",
    )
    assert added["errors"] == []
    assert added["section"]["ledHere"] == [{"kind": "promoted"}]
    assert added["section"]["revisions"][0]["credited"] == {"handle": other_learner.handle}
    section = guide.sections.get()

    closed = _m(
        client,
        "closeQuestionInGuide",
        "CloseQuestionInGuideInput",
        "question { id viewerCanAnswer } section { id }",
        questionId=gid("Question", question.pk),
        sectionId=gid("GuideSection", section.pk),
        reason="See the guide.",
    )
    assert closed["errors"] == []
    assert closed["section"]["id"] == gid("GuideSection", section.pk)
    assert SectionQuestion.objects.filter(kind="answered", question=question).exists()
    reopened = _m(
        client,
        "reopenQuestionFromGuide",
        "ReopenQuestionFromGuideInput",
        "question { id }",
        questionId=gid("Question", question.pk),
    )
    assert reopened["errors"] == []
    assert not SectionQuestion.objects.filter(kind="answered").exists()


def test_closing_in_the_guide_needs_the_moderate_scope_with_a_token(mentor, learner):
    section = guides.section(mentor)
    question = forum.question(learner)
    query = MUTATION.format(
        type="CloseQuestionInGuideInput", field="closeQuestionInGuide", out="section { id }"
    )
    variables = {
        "input": {
            "questionId": gid("Question", question.pk),
            "sectionId": gid("GuideSection", section.pk),
        }
    }
    for scopes, allowed in ((["write"], False), (["write", "moderate"], True)):
        _, raw = account_services.token_create(
            user=mentor, name=" ".join(scopes), scopes=scopes, expires_at=None
        )
        body = run(Client(), query, variables, HTTP_AUTHORIZATION=f"Bearer {raw}")
        errors = body["data"]["closeQuestionInGuide"]["errors"]
        assert (errors == []) is allowed, errors
    assert SectionQuestion.objects.filter(kind="answered").count() == 1
    assert not EditProposal.objects.exists()
