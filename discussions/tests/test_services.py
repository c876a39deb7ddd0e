"""Every rule of discussions, allowed and refused, through the service layer."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from discussions import selectors, services
from discussions.models import Follow, Mention, PostKind, Question, Revision, Vote
from discussions.tests import factories as make

pytestmark = pytest.mark.django_db


def suspend(user):
    user.suspended_until = timezone.now() + timedelta(days=3)
    user.suspension_reason = "spam"
    user.save()


class TestAsking:
    def test_question_is_rendered_tagged_followed_and_revised(self, learner):
        q = make.question(
            learner, body="Hello **world**\n\n```python\nx = 1\n```", tags="Django, #ORM"
        )

        assert "<strong>world</strong>" in q.body_html
        assert 'class="code-block"' in q.body_html
        assert sorted(q.tags.values_list("name", flat=True)) == ["django", "orm"]
        assert Follow.objects.filter(user=learner, question=q).exists()
        revision = Revision.objects.get(kind=PostKind.QUESTION, post_id=q.pk)
        assert (revision.number, revision.editor, revision.body) == (1, learner, q.body)
        assert q.excerpt.startswith("Hello world")

    @pytest.mark.parametrize(("title", "field"), [("Too short?", "title"), ("x" * 151, "title")])
    def test_title_length(self, learner, title, field):
        with pytest.raises(ValidationError) as error:
            make.question(learner, title=title)
        assert field in error.value.message_dict

    def test_body_required_and_bounded(self, learner):
        with pytest.raises(ValidationError) as error:
            make.question(learner, body="")
        assert "body" in error.value.message_dict
        with pytest.raises(ValidationError):
            make.question(learner, body="x" * 20_001)

    @pytest.mark.parametrize("tags", ["a b c d e f", "no/slash", "x" * 31])
    def test_tag_rules(self, learner, tags):
        with pytest.raises(ValidationError) as error:
            make.question(learner, tags=tags)
        assert "tags" in error.value.message_dict

    def test_anonymous_and_suspended_cannot_ask(self, learner):
        from django.contrib.auth.models import AnonymousUser

        with pytest.raises(PermissionDenied, match="Log in"):
            make.question(AnonymousUser())
        suspend(learner)
        with pytest.raises(PermissionDenied, match=r"suspended until .*spam"):
            make.question(learner)

    def test_mentions_are_linked_and_recorded(self, learner, mentor):
        q = make.question(learner, body=f"@{mentor.handle} could you look? @nobody-here")
        assert f'href="/u/{mentor.handle}/"' in q.body_html
        assert "/u/nobody-here/" not in q.body_html
        assert list(Mention.objects.values_list("user", flat=True)) == [mentor.pk]


class TestRateLimit:
    def test_new_accounts_have_a_lower_question_limit(self, learner):
        for _ in range(3):
            make.question(learner)
        with pytest.raises(services.RateLimited, match="first day"):
            make.question(learner)

    def test_established_accounts(self, learner, settings):
        learner.date_joined = timezone.now() - timedelta(days=30)
        learner.save()
        settings.NEXUS_POSTING_LIMITS = {
            "question": {"hour": 2, "new": 1},
            "reply": {"hour": 2, "new": 1},
        }
        make.question(learner)
        q = make.question(learner)
        with pytest.raises(services.RateLimited, match="2 questions in the last hour"):
            make.question(learner)
        make.answer(learner, q)
        make.comment(learner, question=q)
        with pytest.raises(services.RateLimited, match="answers and comments"):
            make.answer(learner, q)


class TestAnswering:
    def test_answer_updates_counters_and_follows(self, learner, other_learner):
        q = make.question(learner)
        before = q.last_activity_at
        a = make.answer(other_learner, q)

        q.refresh_from_db()
        assert q.answer_count == 1 and q.last_activity_at >= before
        assert not q.has_mentor_answer and not a.by_mentor
        assert Follow.objects.filter(user=other_learner, question=q).exists()

    def test_mentor_answer_is_marked(self, learner, mentor):
        q = make.question(learner)
        a = make.answer(mentor, q)
        q.refresh_from_db()
        assert a.by_mentor and q.has_mentor_answer

    def test_deleting_the_mentor_answer_puts_the_question_back_in_the_queue(self, learner, mentor):
        q = make.question(learner)
        a = make.answer(mentor, q)
        services.answer_delete(actor=mentor, answer=a)
        q.refresh_from_db()
        assert q.answer_count == 0 and not q.has_mentor_answer

    def test_no_answers_on_a_deleted_question(self, learner, other_learner):
        q = make.question(learner)
        services.question_delete(actor=learner, question=q)
        with pytest.raises(PermissionDenied):
            make.answer(other_learner, q)


class TestVotes:
    def test_toggle(self, learner, other_learner):
        q = make.question(learner)
        assert services.vote_toggle(user=other_learner, post=q) is True
        assert q.score == 1
        assert services.vote_toggle(user=other_learner, post=q) is False
        assert q.score == 0
        assert not Vote.objects.exists()

    def test_answer_votes(self, learner, other_learner, mentor):
        a = make.answer(other_learner, make.question(learner))
        services.vote_toggle(user=learner, post=a)
        services.vote_toggle(user=mentor, post=a)
        a.refresh_from_db()
        assert a.score == 2

    def test_no_self_vote(self, learner):
        q = make.question(learner)
        with pytest.raises(PermissionDenied, match="your own post"):
            services.vote_toggle(user=learner, post=q)
        assert q.score == 0

    def test_suspended_cannot_vote(self, learner, other_learner):
        q = make.question(learner)
        suspend(other_learner)
        with pytest.raises(PermissionDenied, match="suspended"):
            services.vote_toggle(user=other_learner, post=q)


class TestAccepting:
    def test_asker_accepts_and_unaccepts(self, learner, other_learner):
        q = make.question(learner)
        a = make.answer(other_learner, q)
        services.answer_accept(actor=learner, answer=a)
        q.refresh_from_db()
        assert q.accepted_answer == a and q.is_answered
        services.answer_unaccept(actor=learner, question=q)
        q.refresh_from_db()
        assert q.accepted_answer is None

    def test_mentor_accepts(self, learner, other_learner, mentor):
        q = make.question(learner)
        a = make.answer(other_learner, q)
        services.answer_accept(actor=mentor, answer=a)
        q.refresh_from_db()
        assert q.accepted_answer == a

    def test_others_cannot_accept(self, learner, other_learner, admin_user):
        q = make.question(learner)
        a = make.answer(admin_user, q)
        with pytest.raises(PermissionDenied, match="asker or a mentor"):
            services.answer_accept(actor=other_learner, answer=a)
        with pytest.raises(PermissionDenied):
            services.answer_unaccept(actor=other_learner, question=q)

    def test_accepted_answer_comes_first(self, learner, other_learner, mentor):
        q = make.question(learner)
        make.answer(other_learner, q, body="first")
        voted = make.answer(mentor, q, body="voted")
        accepted = make.answer(other_learner, q, body="accepted")
        services.vote_toggle(user=learner, post=voted)
        services.answer_accept(actor=learner, answer=accepted)
        q.refresh_from_db()

        thread = selectors.question_thread(viewer=learner, question=q)

        assert [a.body for a in thread.answers] == ["accepted", "voted", "first"]
        assert thread.voted_answer_ids == {voted.pk}

    def test_deleting_the_accepted_answer_unaccepts(self, learner, other_learner):
        q = make.question(learner)
        a = make.answer(other_learner, q)
        services.answer_accept(actor=learner, answer=a)
        services.answer_delete(actor=other_learner, answer=a)
        q.refresh_from_db()
        assert q.accepted_answer is None


class TestEditing:
    def test_author_edit_writes_a_revision(self, learner):
        q = make.question(learner)
        services.question_edit(
            editor=learner,
            question=q,
            title="A clearer title for my migration problem",
            body="New body",
            category=q.category,
            tags="django",
        )
        revisions = Revision.objects.filter(kind=PostKind.QUESTION, post_id=q.pk)
        assert [r.number for r in revisions] == [1, 2]
        assert revisions.last().body == "New body" and q.edited_at
        history = selectors.revision_history(kind=PostKind.QUESTION, post_id=q.pk)
        assert ("+", "New body") in history[0].diff

    def test_mentor_edit_is_recorded_as_the_mentor(self, learner, mentor):
        a = make.answer(learner, make.question(learner))
        services.answer_edit(editor=mentor, answer=a, body="Tidied by a mentor")
        assert Revision.objects.filter(kind=PostKind.ANSWER, post_id=a.pk).last().editor == mentor

    def test_others_cannot_edit(self, learner, other_learner):
        q = make.question(learner)
        with pytest.raises(PermissionDenied):
            services.question_edit(
                editor=other_learner, question=q, title=q.title, body="x", category=q.category
            )
        c = make.comment(learner, question=q)
        with pytest.raises(PermissionDenied):
            services.comment_edit(editor=other_learner, comment=c, body="x")

    def test_unchanged_edit_writes_nothing(self, learner):
        a = make.answer(learner, make.question(learner))
        services.answer_edit(editor=learner, answer=a, body=a.body)
        assert Revision.objects.filter(kind=PostKind.ANSWER, post_id=a.pk).count() == 1


class TestDeleting:
    def test_question_without_answers(self, learner):
        q = make.question(learner)
        services.question_delete(actor=learner, question=q)
        q.refresh_from_db()
        assert q.is_deleted
        page = selectors.question_list(viewer=learner)
        assert q not in page.questions
        assert Question.objects.filter(pk=q.pk).exists()  # soft: still in the database

    def test_question_with_answers_is_kept(self, learner, other_learner):
        q = make.question(learner)
        make.answer(other_learner, q)
        with pytest.raises(PermissionDenied, match="with answers"):
            services.question_delete(actor=learner, question=q)

    def test_only_the_author_deletes(self, learner, other_learner, mentor):
        q = make.question(learner)
        a = make.answer(other_learner, q)
        for actor, post, delete in [
            (other_learner, q, services.question_delete),
            (learner, a, services.answer_delete),
        ]:
            with pytest.raises(PermissionDenied):
                delete(actor=actor, **{"question" if post is q else "answer": post})

    def test_answer_and_comment_disappear_from_the_thread(self, learner, other_learner):
        q = make.question(learner)
        a = make.answer(other_learner, q)
        c = make.comment(learner, question=q)
        ac = make.comment(learner, answer=a)
        services.comment_delete(actor=learner, comment=ac)
        services.comment_delete(actor=learner, comment=c)
        thread = selectors.question_thread(viewer=None, question=q)
        assert thread.comments == [] and thread.answers[0].live_comments == []
        services.answer_delete(actor=other_learner, answer=a)
        q.refresh_from_db()
        assert selectors.question_thread(viewer=None, question=q).answers == []
        assert (q.answer_count, q.comment_count) == (0, 0)


class TestComments:
    def test_on_question_and_answer(self, learner, other_learner):
        q = make.question(learner)
        a = make.answer(other_learner, q)
        make.comment(other_learner, question=q)
        make.comment(learner, answer=a)
        q.refresh_from_db()
        a.refresh_from_db()
        assert (q.comment_count, a.comment_count) == (1, 1)

    def test_short(self, learner):
        q = make.question(learner)
        with pytest.raises(ValidationError, match="600"):
            make.comment(learner, body="x" * 601, question=q)


class TestFollowing:
    def test_follow_and_unfollow(self, learner, other_learner):
        q = make.question(learner)
        services.question_follow_set(user=other_learner, question=q, follow=True)
        services.question_follow_set(user=other_learner, question=q, follow=True)
        assert Follow.objects.filter(question=q).count() == 2
        services.question_follow_set(user=other_learner, question=q, follow=False)
        page = selectors.question_list(viewer=other_learner, show="followed")
        assert page.questions == []
