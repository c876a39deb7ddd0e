"""Moderation's rules through its services, and what they change for everyone else:
flags and the threshold, hidden content, locks and duplicates, suspensions, the log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import UserFactory
from discussions import selectors as forum
from discussions import services as forum_services
from discussions.models import Question
from discussions.tests import factories as make
from moderation import services
from moderation.models import Action, Case, Flag, FlagReason, LogEntry
from moderation.tests.world import build
from notifications.models import Kind, Notification
from projects import selectors as showcase
from projects import services as project_services

pytestmark = pytest.mark.django_db


def flaggers(n: int) -> list:
    return [UserFactory(handle=f"flagger-{i}") for i in range(n)]


def told(user, words: str) -> bool:
    return Notification.objects.filter(
        recipient=user, kind=Kind.MODERATION, target_title__icontains=words
    ).exists()


# --- Flags and the threshold ----------------------------------------------------------------


class TestFlags:
    def test_three_distinct_people_hide_a_post_and_the_author_is_told(self, settings):
        settings.NEXUS_FLAG_HIDE_THRESHOLD = 3
        w = build()
        first, second, third = flaggers(3)
        services.flag_create(reporter=first, target=w.answer, reason=FlagReason.SPAM)
        services.flag_create(reporter=second, target=w.answer, reason=FlagReason.ABUSIVE)
        assert w.fresh(w.answer).hidden_at is None
        services.flag_create(reporter=third, target=w.answer, reason=FlagReason.SPAM)
        answer = w.fresh(w.answer)
        assert answer.hidden_at is not None
        assert "3 people" in answer.hidden_reason and "spam" in answer.hidden_reason
        case = Case.objects.get()
        assert case.flag_count == 3 and case.hidden_by_flags
        assert told(w.author, "hidden")
        entry = LogEntry.objects.get(action=Action.AUTO_HIDE)
        assert entry.actor is None and entry.target_user == w.author

    def test_the_same_person_counts_once(self):
        w = build()
        services.flag_create(reporter=w.learner, target=w.answer, reason=FlagReason.SPAM)
        for _ in range(3):
            with pytest.raises(PermissionDenied, match="already flagged"):
                services.flag_create(reporter=w.learner, target=w.answer, reason=FlagReason.SPAM)
        assert Flag.objects.count() == 1 and Case.objects.get().flag_count == 1
        assert w.fresh(w.answer).hidden_at is None

    def test_own_post_refused_clearly(self):
        w = build()
        with pytest.raises(PermissionDenied, match="your own"):
            services.flag_create(reporter=w.author, target=w.question, reason=FlagReason.SPAM)

    def test_reasons_that_need_details(self):
        w = build()
        with pytest.raises(ValidationError) as error:
            services.flag_create(reporter=w.learner, target=w.answer, reason=FlagReason.OTHER)
        assert "detail" in error.value.message_dict
        with pytest.raises(ValidationError):
            services.flag_create(
                reporter=w.learner, target=w.question, reason=FlagReason.DUPLICATE, detail="x"
            )
        with pytest.raises(ValidationError, match="Only a question"):
            services.flag_create(
                reporter=w.learner,
                target=w.answer,
                reason=FlagReason.DUPLICATE,
                detail=w.original.get_absolute_url(),
            )
        flag = services.flag_create(
            reporter=w.learner,
            target=w.question,
            reason=FlagReason.DUPLICATE,
            detail=f"https://nexus.example{w.original.get_absolute_url()}",
        )
        assert flag.detail.endswith(w.original.get_absolute_url())
        with pytest.raises(ValidationError):
            services.flag_create(reporter=w.mentor, target=w.answer, reason="nonsense")

    def test_dismissing_unhides_and_a_new_flag_opens_a_new_case(self, settings):
        settings.NEXUS_FLAG_HIDE_THRESHOLD = 2
        w = build()
        for reporter in flaggers(2):
            services.flag_create(reporter=reporter, target=w.comment, reason=FlagReason.SPAM)
        assert w.fresh(w.comment).hidden_at is not None
        case = Case.objects.get()
        services.case_resolve(mentor=w.mentor, case=case, agree=False, note="Fair question")
        assert w.fresh(w.comment).hidden_at is None
        assert told(w.author, "visible again")
        with pytest.raises(PermissionDenied, match="already resolved"):
            services.case_resolve(mentor=w.admin, case=case, agree=True)
        services.flag_create(reporter=w.learner, target=w.comment, reason=FlagReason.SPAM)
        assert Case.objects.filter(state=Case.State.OPEN).count() == 1
        assert Case.objects.count() == 2

    def test_agreeing_keeps_it_hidden_and_tells_the_author(self, settings):
        settings.NEXUS_FLAG_HIDE_THRESHOLD = 5
        w = build()
        services.flag_create(reporter=w.learner, target=w.feedback, reason=FlagReason.ABUSIVE)
        case = Case.objects.get()
        services.case_resolve(mentor=w.mentor, case=case, agree=True, note="Rude to a peer")
        feedback = w.fresh(w.feedback)
        assert feedback.hidden_at is not None and feedback.hidden_reason == "Rude to a peer"
        assert told(w.author, "Rude to a peer")

    def test_a_claimed_case_is_the_claimers(self):
        w = build()
        services.flag_create(reporter=w.learner, target=w.answer, reason=FlagReason.SPAM)
        case = Case.objects.get()
        services.case_claim(mentor=w.mentor, case=case)
        with pytest.raises(PermissionDenied, match="has taken this one"):
            services.case_claim(mentor=w.admin, case=case)
        with pytest.raises(PermissionDenied, match="has taken this one"):
            services.case_resolve(mentor=w.admin, case=case, agree=False)
        services.case_release(mentor=w.mentor, case=case)
        services.case_resolve(mentor=w.admin, case=case, agree=False)

    def test_flags_on_projects_hide_them_from_the_gallery(self, settings):
        settings.NEXUS_FLAG_HIDE_THRESHOLD = 2
        w = build()
        for reporter in flaggers(2):
            services.flag_create(reporter=reporter, target=w.project, reason=FlagReason.SPAM)
        assert w.fresh(w.project).state == "hidden"
        assert showcase.project_get_for_viewer(viewer=w.learner, pk=w.project.pk) is None
        assert showcase.project_get_for_viewer(viewer=w.author, pk=w.project.pk)
        services.case_resolve(mentor=w.mentor, case=Case.objects.get(), agree=False)
        assert w.fresh(w.project).state == "published"


# --- Hidden content: gone for learners, marked for mentors and the author ---------------------


class TestHidden:
    def test_a_hidden_question_leaves_lists_search_and_its_page_for_learners(self):
        w = build()
        services.content_hide(actor=w.mentor, target=w.question, reason="Homework dump")
        for viewer in (w.learner, None):
            assert w.question not in forum.question_list(viewer=viewer).questions
            assert forum.question_get(viewer=viewer, pk=w.question.pk) is None
            results = forum.question_search(viewer=viewer, query="migration deploy")
            assert w.question.pk not in [r.question.pk for r in results]
        for viewer in (w.mentor, w.author):
            assert w.question in forum.question_list(viewer=viewer).questions
            assert forum.question_get(viewer=viewer, pk=w.question.pk)
        anonymous = Client().get(w.question.get_absolute_url())
        assert anonymous.status_code == 404
        author = Client()
        author.force_login(w.author)
        page = author.get(w.question.get_absolute_url()).content.decode()
        assert "Hidden from learners" in page and "Homework dump" in page

    def test_a_hidden_answer_leaves_the_thread_for_learners_only(self):
        w = build()
        services.content_hide(actor=w.mentor, target=w.answer, reason="Wrong and rude")
        thread = forum.question_thread(viewer=w.learner, question=w.question)
        assert thread.answers == []
        assert forum.answer_get(viewer=w.learner, pk=w.answer.pk) is None
        for viewer in (w.mentor, w.author):
            assert [
                a.pk for a in forum.question_thread(viewer=viewer, question=w.question).answers
            ] == [w.answer.pk]
        client = Client()
        client.force_login(w.learner)
        assert (
            "Check the migration order"
            not in client.get(w.question.get_absolute_url()).content.decode()
        )
        client.force_login(w.mentor)
        page = client.get(w.question.get_absolute_url()).content.decode()
        assert "Check the migration order" in page and "Wrong and rude" in page
        # A learner cannot vote on it or comment under it by id either.
        client.force_login(w.learner)
        assert client.post(f"/a/{w.answer.pk}/vote").status_code == 404

    def test_a_hidden_answer_does_not_make_its_question_answered(self):
        w = build()
        mentor_answer = forum_services.answer_create(
            author=w.mentor, question=w.original, body="A mentor's answer"
        )
        services.content_hide(actor=w.admin, target=w.answer, reason="Spam")
        services.content_hide(actor=w.admin, target=mentor_answer, reason="Wrong thread")
        question, original = w.fresh(w.question), w.fresh(w.original)
        assert question.answer_count == 0 and not original.has_mentor_answer
        assert w.question in forum.question_list(viewer=None, show="unanswered").questions
        services.content_unhide(actor=w.admin, target=mentor_answer)
        assert w.fresh(w.original).has_mentor_answer
        # Deleting a hidden answer counts it once, not twice.
        forum_services.answer_delete(actor=w.author, answer=w.fresh(w.answer))
        assert w.fresh(w.question).answer_count == 0

    def test_hidden_feedback_leaves_the_project_page(self):
        w = build()
        services.content_hide(actor=w.mentor, target=w.feedback, reason="Spam")
        detail = showcase.project_detail(viewer=w.learner, project=w.project)
        assert detail.feedback == []
        detail = showcase.project_detail(viewer=w.author, project=w.project)
        assert [f.pk for f in detail.feedback] == [w.feedback.pk]

    def test_hiding_twice_or_without_a_reason_is_refused(self):
        w = build()
        with pytest.raises(ValidationError):
            services.content_hide(actor=w.mentor, target=w.answer, reason="  ")
        services.content_hide(actor=w.mentor, target=w.answer, reason="Spam")
        with pytest.raises(PermissionDenied, match="already hidden"):
            services.content_hide(actor=w.admin, target=w.answer, reason="Spam")


# --- Locks and duplicates refuse answers through every door --------------------------------------


class TestLocksAndDuplicates:
    def _answer_via_html(self, w, user) -> str:
        client = Client()
        client.force_login(user)
        response = client.post(
            f"/q/{w.question.pk}/answer", {"body": "Another idea for you"}, follow=True
        )
        return response.content.decode()

    def test_locked_questions_refuse_answers_and_comments(self):
        w = build()
        services.question_lock(actor=w.mentor, question=w.question, reason="Off-topic debate")
        question = Question.objects.get(pk=w.question.pk)
        for user in (w.learner, w.mentor, w.author):
            with pytest.raises(PermissionDenied, match="locked: Off-topic debate"):
                forum_services.answer_create(author=user, question=question, body="More")
            with pytest.raises(PermissionDenied, match="locked"):
                forum_services.comment_create(author=user, question=question, body="More")
            with pytest.raises(PermissionDenied, match="locked"):
                forum_services.comment_create(author=user, answer=w.answer, body="More")
        page = self._answer_via_html(w, w.learner)
        assert "locked" in page
        assert w.fresh(w.question).answer_count == 1
        # The notice shows on the thread with the reason.
        client = Client()
        assert "Off-topic debate" in client.get(w.question.get_absolute_url()).content.decode()
        services.question_unlock(actor=w.mentor, question=question)
        forum_services.answer_create(author=w.learner, question=question, body="Now it works")

    def test_a_lock_that_lands_first_wins_even_with_a_stale_object(self):
        w = build()
        stale = Question.objects.get(pk=w.question.pk)
        services.question_lock(actor=w.mentor, question=w.question, reason="Solved")
        with pytest.raises(PermissionDenied, match="locked"):
            forum_services.answer_create(author=w.learner, question=stale, body="Late answer")

    def test_duplicates_refuse_answers_and_link_to_the_original(self):
        w = build()
        services.question_mark_duplicate(actor=w.mentor, question=w.question, original=w.original)
        with pytest.raises(PermissionDenied, match="duplicate"):
            forum_services.answer_create(author=w.learner, question=w.question, body="An answer")
        assert "duplicate" in self._answer_via_html(w, w.learner)
        page = Client().get(w.question.get_absolute_url()).content.decode()
        assert w.original.get_absolute_url() in page
        # Comments are still fine: people ask "is it really the same?".
        forum_services.comment_create(author=w.learner, question=w.question, body="Same?")

    def test_duplicate_mistakes_are_refused(self):
        w = build()
        with pytest.raises(ValidationError):
            services.question_mark_duplicate(
                actor=w.mentor, question=w.question, original=w.question
            )
        with pytest.raises(ValidationError):
            services.question_mark_duplicate(actor=w.mentor, question=w.question, original="99999")
        services.question_mark_duplicate(actor=w.mentor, question=w.original, original=w.question)
        with pytest.raises(ValidationError, match="duplicate of this one"):
            services.question_mark_duplicate(
                actor=w.mentor, question=w.question, original=w.original
            )


class TestPinAndMove:
    def test_pinned_questions_lead_their_category_list(self):
        w = build()
        newer = make.question(w.learner, title="A newer question about Django models")
        services.question_pin(actor=w.mentor, question=w.question, pinned=True)
        page = forum.question_list(viewer=None, category=w.category, sort="newest")
        assert [q.pk for q in page.pinned] == [w.question.pk]
        assert w.question.pk not in [q.pk for q in page.questions]
        assert page.questions[0].pk == newer.pk
        html = Client().get(f"/questions/?category={w.category.slug}").content.decode()
        assert html.index(w.question.title) < html.index(newer.title)
        # The site-wide list keeps its plain order.
        assert forum.question_list(viewer=None, sort="newest").pinned == []

    def test_move_changes_the_category_and_tells_the_asker(self):
        w = build()
        services.question_move(actor=w.mentor, question=w.question, category=w.other_category)
        assert w.fresh(w.question).category == w.other_category
        assert told(w.author, "Python")
        entry = LogEntry.objects.get(action=Action.MOVE)
        assert entry.before == {"category": "django"} and entry.after == {"category": "python"}
        with pytest.raises(PermissionDenied, match="already in"):
            services.question_move(actor=w.mentor, question=w.question, category=w.other_category)


# --- Suspensions --------------------------------------------------------------------------------


class TestSuspensions:
    def test_a_suspended_learner_reads_but_is_refused_every_write_with_the_reason(self):
        w = build()
        s = w.suspended
        writes = [
            lambda: forum_services.question_create(
                author=s, title="Can I still ask a question here?", body="x", category=w.category
            ),
            lambda: forum_services.answer_create(author=s, question=w.question, body="x"),
            lambda: forum_services.comment_create(author=s, question=w.question, body="x"),
            lambda: forum_services.vote_toggle(user=s, post=w.answer),
            lambda: services.flag_create(reporter=s, target=w.answer, reason=FlagReason.SPAM),
            lambda: project_services.star_toggle(user=s, project=w.project),
            lambda: project_services.feedback_create(author=s, project=w.project, body="x"),
        ]
        for write in writes:
            with pytest.raises(PermissionDenied, match=r"suspended until .*Spam links"):
                write()
        client = Client()
        client.force_login(s)
        page = client.get(w.question.get_absolute_url()).content.decode()
        assert "Your account is suspended until" in page and "Spam links" in page
        response = client.post(f"/a/{w.answer.pk}/vote", follow=True)
        assert "suspended until" in response.content.decode()
        response = client.post(f"/flag/answer/{w.answer.pk}", {"reason": "spam"}, follow=True)
        assert "suspended until" in response.content.decode()
        assert not Flag.objects.exists()

    def test_a_suspension_ends_by_itself(self, monkeypatch):
        w = build()
        until = timezone.now() + timedelta(days=2)
        services.user_suspend(actor=w.mentor, user=w.victim, until=until, reason="Cooling off")
        assert told(w.victim, "Cooling off")
        with pytest.raises(PermissionDenied):
            forum_services.answer_create(author=w.victim, question=w.question, body="Hi there")
        later = until + timedelta(minutes=1)
        monkeypatch.setattr("django.utils.timezone.now", lambda: later)
        w.victim.refresh_from_db()
        assert not w.victim.is_suspended
        forum_services.answer_create(author=w.victim, question=w.question, body="I'm back")

    def test_mentors_cannot_suspend_mentors_or_admins_and_nobody_themselves(self):
        w = build()
        until = timezone.now() + timedelta(days=1)
        for target in (w.mentor2, w.admin2):
            with pytest.raises(PermissionDenied, match="Only admins"):
                services.user_suspend(actor=w.mentor, user=target, until=until, reason="x")
        with pytest.raises(PermissionDenied, match="yourself"):
            services.user_suspend(actor=w.admin, user=w.admin, until=until, reason="x")
        services.user_suspend(actor=w.admin, user=w.mentor2, until=until, reason="Break")
        assert w.fresh(w.mentor2).is_suspended

    def test_suspension_input_is_checked(self):
        w = build()
        with pytest.raises(ValidationError):
            services.user_suspend(
                actor=w.mentor, user=w.victim, until=timezone.now() - timedelta(hours=1), reason="x"
            )
        with pytest.raises(ValidationError):
            services.user_suspend(
                actor=w.mentor, user=w.victim, until=timezone.now() + timedelta(days=1), reason=" "
            )
        client = Client()
        client.force_login(w.mentor)
        response = client.post(f"/mod/u/{w.victim.handle}/suspend", {"until": "soon"}, follow=True)
        assert response.status_code == 200 and "Suspended until" in response.content.decode()
        assert not w.fresh(w.victim).is_suspended


# --- Every action leaves exactly one log entry ----------------------------------------------------


ACTIONS = {
    Action.PIN: lambda w: services.question_pin(actor=w.mentor, question=w.question, pinned=True),
    Action.LOCK: lambda w: services.question_lock(actor=w.mentor, question=w.question, reason="r"),
    Action.HIDE: lambda w: services.content_hide(actor=w.mentor, target=w.answer, reason="r"),
    Action.MOVE: lambda w: services.question_move(
        actor=w.mentor, question=w.question, category=w.other_category
    ),
    Action.DUPLICATE: lambda w: services.question_mark_duplicate(
        actor=w.mentor, question=w.question, original=w.original
    ),
    Action.EDIT: lambda w: forum_services.answer_edit(
        editor=w.mentor, answer=w.answer, body="A mentor's clearer words."
    ),
    Action.SUSPEND: lambda w: services.user_suspend(
        actor=w.mentor, user=w.victim, until=timezone.now() + timedelta(days=1), reason="r"
    ),
    Action.UNSUSPEND: lambda w: services.suspension_lift(actor=w.mentor, user=w.suspended_victim),
}
UNDO = {
    Action.UNPIN: (
        Action.PIN,
        lambda w: services.question_pin(actor=w.admin, question=w.question, pinned=False),
    ),
    Action.UNLOCK: (
        Action.LOCK,
        lambda w: services.question_unlock(actor=w.admin, question=w.question),
    ),
    Action.UNHIDE: (Action.HIDE, lambda w: services.content_unhide(actor=w.admin, target=w.answer)),
    Action.UNDUPLICATE: (
        Action.DUPLICATE,
        lambda w: services.question_unmark_duplicate(actor=w.admin, question=w.question),
    ),
}


@pytest.mark.parametrize("action", list(ACTIONS), ids=str)
def test_every_action_leaves_exactly_one_log_entry(action):
    w = build()
    before = LogEntry.objects.count()
    ACTIONS[action](w)
    assert LogEntry.objects.count() == before + 1
    entry = LogEntry.objects.latest("id")
    assert entry.action == action and entry.actor == w.mentor
    assert entry.target_user is not None


@pytest.mark.parametrize("action", list(UNDO), ids=str)
def test_every_undo_leaves_exactly_one_log_entry(action):
    w = build()
    first, undo = UNDO[action]
    ACTIONS[first](w)
    before = LogEntry.objects.count()
    undo(w)
    assert LogEntry.objects.count() == before + 1
    assert LogEntry.objects.latest("id").action == action


def test_resolutions_log_once_each(settings):
    settings.NEXUS_FLAG_HIDE_THRESHOLD = 2
    w = build()
    for reporter in flaggers(2):
        services.flag_create(reporter=reporter, target=w.answer, reason=FlagReason.SPAM)
    assert list(LogEntry.objects.values_list("action", flat=True)) == [Action.AUTO_HIDE]
    services.case_resolve(mentor=w.mentor, case=Case.objects.get(), agree=True)
    assert list(LogEntry.objects.values_list("action", flat=True).order_by("id")) == [
        Action.AUTO_HIDE,
        Action.FLAGS_AGREED,
    ]


def test_a_mentors_edit_keeps_the_before_state_and_an_authors_own_edit_is_not_logged():
    w = build()
    forum_services.answer_edit(editor=w.author, answer=w.answer, body="My own better words")
    assert not LogEntry.objects.exists()
    forum_services.answer_edit(editor=w.mentor, answer=w.answer, body="Mentor's clearer words")
    entry = LogEntry.objects.get()
    assert entry.before == {"body": "My own better words"}
    assert told(w.author, "edited your answer")


# --- The needs-a-mentor queue's inputs ----------------------------------------------


class TestAskAMentor:
    def test_only_after_an_hour_and_only_once(self):
        w = build()
        fresh = make.question(w.author, title="A brand new question about Celery retries")
        with pytest.raises(PermissionDenied, match="an hour"):
            services.mentor_request(user=w.author, question=fresh)
        services.mentor_request(user=w.author, question=w.question)
        with pytest.raises(PermissionDenied, match="already asked"):
            services.mentor_request(user=w.author, question=w.question)

    def test_not_once_a_mentor_answered(self):
        w = build()
        forum_services.answer_create(author=w.mentor, question=w.question, body="Mentor here")
        question = Question.objects.get(pk=w.question.pk)
        with pytest.raises(PermissionDenied, match="already answered"):
            services.mentor_request(user=w.author, question=question)

    def test_first_mentor_response_is_recorded_once(self):
        w = build()
        forum_services.comment_create(author=w.mentor, question=w.question, body="Which DB?")
        first = w.fresh(w.question)
        assert first.first_mentor_responder == w.mentor
        forum_services.answer_create(author=w.admin, question=w.question, body="Try this")
        again = w.fresh(w.question)
        assert again.first_mentor_response_at == first.first_mentor_response_at
        assert again.first_mentor_responder == w.mentor


class TestMentorTools:
    def test_notes_are_for_mentors_only(self):
        from moderation.selectors import mentor_notes

        w = build()
        services.mentor_note_add(author=w.mentor, question=w.question, body="I'll take this one")
        assert len(mentor_notes(viewer=w.admin, question_id=w.question.pk)) == 1
        assert mentor_notes(viewer=w.author, question_id=w.question.pk) == []
        client = Client()
        client.force_login(w.author)
        assert "take this one" not in client.get(w.question.get_absolute_url()).content.decode()
        client.force_login(w.admin)
        assert "take this one" in client.get(w.question.get_absolute_url()).content.decode()

    def test_saved_replies_are_each_mentors_own(self):
        from moderation.selectors import saved_replies

        w = build()
        reply = services.saved_reply_create(owner=w.mentor, title="Traceback", body="Paste it")
        with pytest.raises(ValidationError, match="already have"):
            services.saved_reply_create(owner=w.mentor, title="traceback", body="Again")
        assert saved_replies(owner=w.admin) == []
        with pytest.raises(PermissionDenied):
            services.saved_reply_update(owner=w.admin, reply=reply, title="Mine", body="now")
        client = Client()
        client.force_login(w.admin)
        assert client.get(f"/mod/replies/{reply.pk}/edit").status_code == 404
        client.force_login(w.mentor)
        page = client.get(w.question.get_absolute_url()).content.decode()
        assert "Saved replies" in page and "Paste it" in page
        services.saved_reply_delete(owner=w.mentor, reply=reply)
        assert saved_replies(owner=w.mentor) == []

    def test_suspend_a_learner_from_their_profile(self):
        w = build()
        client = Client()
        client.force_login(w.mentor)
        page = client.get(f"/u/{w.victim.handle}/").content.decode()
        assert "Suspend @victim" in page
        assert "Suspend @" not in client.get(f"/u/{w.mentor2.handle}/").content.decode()
        until = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        client.post(f"/mod/u/{w.victim.handle}/suspend", {"until": until, "reason": "Spam"})
        victim = w.fresh(w.victim)
        assert victim.is_suspended and victim.suspension_reason == "Spam"
        assert "Lift suspension" in client.get(f"/u/{w.victim.handle}/").content.decode()


class TestQueryCounts:
    """A mentor's thread page (tools, notes, saved replies, hidden posts marked) runs the
    same number of queries whatever the number of answers, comments, flags and notes."""

    def _grow(self, w, n: int) -> None:
        for i in range(n):
            person = UserFactory(handle=f"grower-{n}-{i}")
            answer = forum_services.answer_create(
                author=person, question=w.question, body=f"Answer number {i}"
            )
            forum_services.comment_create(author=person, answer=answer, body="A comment")
            services.content_hide(actor=w.admin, target=answer, reason="Off-topic")
            services.mentor_note_add(author=w.admin, question=w.question, body=f"Note {i}")
            services.saved_reply_create(owner=w.mentor, title=f"Reply {n}-{i}", body="Text")

    def test_mentor_thread_page(self, settings):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        settings.NEXUS_POSTING_LIMITS = {
            "question": {"hour": 10_000, "new": 10_000},
            "reply": {"hour": 10_000, "new": 10_000},
        }
        w = build()
        client = Client()
        client.force_login(w.mentor)

        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(w.question.get_absolute_url()).status_code == 200
            return len(ctx.captured_queries)

        self._grow(w, 2)
        small = count()
        self._grow(w, 12)
        assert count() == small


# --- A mentor deleting someone's project feedback ---------------------------------------------


def test_a_mentor_deleting_someones_feedback_is_logged_and_its_author_told():
    w = build()
    project_services.feedback_delete(actor=w.mentor, feedback=w.feedback)
    entry = LogEntry.objects.get(target_kind="feedback", target_id=w.feedback.pk)
    assert entry.action == Action.DELETE and entry.actor == w.mentor
    assert entry.target_user == w.author and entry.target_url.endswith(f"#feedback-{w.feedback.pk}")
    assert told(w.author, "A mentor deleted your feedback")


def test_deleting_your_own_feedback_is_not_a_moderation_action():
    w = build()
    project_services.feedback_delete(actor=w.author, feedback=w.feedback)
    assert not LogEntry.objects.exists()
    assert not Notification.objects.filter(kind=Kind.MODERATION).exists()
