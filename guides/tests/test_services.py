from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.tests.factories import UserFactory
from guides import selectors, services
from guides.models import (
    EditProposal,
    HelpfulVote,
    ProposalState,
    RevisionKind,
    Section,
    SectionRevision,
)
from guides.tests import factories
from notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


def test_mentor_writes_a_section_rendered_once_with_a_stable_anchor(mentor):
    section = factories.section(mentor, title="Query optimisation: N+1")
    assert section.anchor == "query-optimisation-n1"
    assert "<pre" in section.body_html and "data-copy" in section.body_html
    assert section.versions == ["Django 6.1"]
    assert section.revision_count == 1
    services.section_edit(
        editor=mentor, section=section, title="Avoiding N+1 queries", body=section.body + "\nMore."
    )
    section.refresh_from_db()
    assert section.title == "Avoiding N+1 queries"
    assert section.anchor == "query-optimisation-n1", "anchors never move with the title"
    assert section.revision_count == 2


def test_a_second_section_with_the_same_title_gets_its_own_anchor(mentor):
    guide = factories.guide()
    first = factories.section(mentor, on=guide, title="Indexes")
    second = factories.section(mentor, on=guide, title="Indexes")
    assert (first.anchor, second.anchor) == ("indexes", "indexes-2")
    assert second.position == first.position + 1


def test_learners_cannot_edit_directly(learner):
    guide = factories.guide()
    with pytest.raises(PermissionDenied):
        services.section_create(editor=learner, guide=guide, title="Mine", body="x")


def test_bad_versions_and_empty_edits_are_field_errors(mentor):
    section = factories.section(mentor)
    with pytest.raises(ValidationError) as error:
        services.section_edit(
            editor=mentor, section=section, title=section.title, body="b", versions="Django"
        )
    assert "versions" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.section_edit(
            editor=mentor, section=section, title=section.title, body=section.body
        )
    assert error.value.message_dict["body"] == ["Nothing changed."]


def test_every_edit_is_a_revision_with_a_diff(mentor):
    section = factories.section(mentor, title="Caching", body="line one\nline two\n")
    services.section_edit(
        editor=mentor,
        section=section,
        title="Caching",
        body="line one\nline 2\nline three\n",
        note="Fix the second line",
    )
    history = selectors.section_revisions(section=section)
    assert [h.revision.number for h in history] == [2, 1]
    latest = history[0]
    assert latest.revision.note == "Fix the second line"
    assert latest.revision.editor == mentor
    assert ("-", "line two") in latest.diff
    assert ("+", "line 2") in latest.diff and ("+", "line three") in latest.diff
    assert (" ", "line one") in latest.diff
    assert (latest.added, latest.removed) == (2, 1)
    original = history[1]
    assert ("+", "# Caching") in original.diff


def test_a_diff_leaves_out_long_unchanged_stretches():
    before = "\n".join(f"line {n}" for n in range(40))
    after = before.replace("line 5", "LINE 5").replace("line 35", "LINE 35")
    rows = selectors.text_diff(before, after, context=2)
    assert ("…", "") in rows
    assert (" ", "line 20") not in rows
    assert ("-", "line 5") in rows and ("+", "LINE 35") in rows


def test_revert_brings_back_old_words_as_a_new_revision(mentor):
    section = factories.section(mentor, body="original\n")
    services.section_edit(editor=mentor, section=section, title=section.title, body="vandalised\n")
    first = section.revisions.get(number=1)
    services.section_revert(editor=mentor, section=section, revision=first)
    section.refresh_from_db()
    assert section.body == "original\n"
    assert "original" in section.body_html
    latest = section.revisions.get(number=3)
    assert latest.kind == RevisionKind.REVERTED and latest.note == "Reverted to revision 1."


def test_revert_refuses_another_sections_revision(mentor):
    a, b = factories.section(mentor), factories.section(mentor)
    with pytest.raises(ValidationError):
        services.section_revert(editor=mentor, section=a, revision=b.revisions.get())


def test_proposal_accepted_is_published_credited_and_the_proposer_told(mentor, learner):
    section = factories.section(mentor, body="old text\n")
    proposal = services.proposal_create(
        proposer=learner,
        section=section,
        title=section.title,
        body="new text\n",
        note="The old text was wrong",
    )
    assert proposal.base_revision == 1 and proposal.state == ProposalState.OPEN
    assert ("+", "new text") in selectors.proposal_diff(proposal=proposal)
    services.proposal_accept(mentor=mentor, proposal=proposal)
    section.refresh_from_db()
    assert section.body == "new text\n"
    revision = section.revisions.get(number=2)
    assert revision.kind == RevisionKind.PROPOSAL
    assert (revision.editor, revision.credited) == (mentor, learner)
    assert revision.note == "The old text was wrong"
    note = Notification.objects.get(recipient=learner, kind=Kind.GUIDE)
    assert "accepted" in note.target_title and note.url.endswith(f"#{section.anchor}")
    with pytest.raises(PermissionDenied):
        services.proposal_accept(mentor=mentor, proposal=proposal)


def test_proposal_declined_needs_a_reason_which_the_proposer_reads(mentor, learner):
    section = factories.section(mentor)
    proposal = services.proposal_create(
        proposer=learner, section=section, title="Shorter title", body=section.body, note="Shorter"
    )
    with pytest.raises(ValidationError):
        services.proposal_decline(mentor=mentor, proposal=proposal, reason="  ")
    services.proposal_decline(mentor=mentor, proposal=proposal, reason="The title was fine")
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.DECLINED
    assert proposal.decline_reason == "The title was fine"
    assert Section.objects.get(pk=section.pk).title == section.title
    note = Notification.objects.get(recipient=learner, kind=Kind.GUIDE)
    assert "The title was fine" in note.target_title


def test_learners_cannot_decide_proposals_nor_propose_nothing(mentor, learner, other_learner):
    section = factories.section(mentor)
    with pytest.raises(ValidationError):
        services.proposal_create(
            proposer=learner, section=section, title=section.title, body=section.body, note="x"
        )
    with pytest.raises(ValidationError) as error:
        services.proposal_create(
            proposer=learner, section=section, title=section.title, body="changed", note=""
        )
    assert "note" in error.value.message_dict
    proposal = services.proposal_create(
        proposer=learner, section=section, title=section.title, body="changed", note="why"
    )
    with pytest.raises(PermissionDenied):
        services.proposal_accept(mentor=other_learner, proposal=proposal)
    assert EditProposal.objects.get().state == ProposalState.OPEN


def test_review_sets_the_trust_line(mentor):
    section = factories.section(mentor)
    assert section.last_reviewed_at is None
    services.section_review(reviewer=mentor, section=section, note="Checked on 6.1")
    section.refresh_from_db()
    assert section.last_reviewed_by == mentor
    assert section.reviews.get().revision_number == 1


def test_helpful_votes_count_once_per_person_and_a_no_with_a_note_waits(mentor, learner):
    section = factories.section(mentor)
    services.helpful_vote(user=learner, section=section, helpful=True)
    services.helpful_vote(user=learner, section=section, helpful=True)
    section.refresh_from_db()
    assert (section.helpful_yes, section.helpful_no) == (1, 0)
    services.helpful_vote(user=learner, section=section, helpful=False, note="No example for 6.1")
    section.refresh_from_db()
    assert (section.helpful_yes, section.helpful_no) == (0, 1)
    queue = selectors.guide_queue()
    assert [v.note for v in queue.feedback] == ["No example for 6.1"]
    services.helpful_feedback_handle(mentor=mentor, vote=HelpfulVote.objects.get())
    assert selectors.guide_queue().feedback == []


def test_a_yes_keeps_no_note_and_a_bare_no_does_not_wait(mentor, learner, other_learner):
    section = factories.section(mentor)
    vote = services.helpful_vote(user=learner, section=section, helpful=True, note="ignored")
    assert vote.note == ""
    services.helpful_vote(user=other_learner, section=section, helpful=False)
    assert selectors.guide_queue().feedback == []


def test_suspended_people_cannot_vote_or_propose(mentor):
    suspended = UserFactory(suspended_until=timezone.now() + timedelta(days=1))
    section = factories.section(mentor)
    with pytest.raises(PermissionDenied):
        services.helpful_vote(user=suspended, section=section, helpful=True)
    with pytest.raises(PermissionDenied):
        services.proposal_create(
            proposer=suspended, section=section, title=section.title, body="x", note="y"
        )


def test_revisions_are_immutable_history(mentor):
    section = factories.section(mentor)
    for n in range(3):
        services.section_edit(editor=mentor, section=section, title=section.title, body=f"v{n}")
    assert list(
        SectionRevision.objects.filter(section=section).values_list("number", flat=True)
    ) == [4, 3, 2, 1]
