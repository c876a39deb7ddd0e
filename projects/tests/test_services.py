"""Every rule of projects, allowed and refused, through the service layer."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from moderation import services as moderation_services
from notifications.models import Kind, Notification
from projects import events, selectors, services
from projects.models import (
    Feedback,
    FeedbackRevision,
    Project,
    ProjectRevision,
    Review,
    ReviewState,
    Star,
    State,
)
from projects.tests import factories as make

pytestmark = pytest.mark.django_db


def suspend(user):
    user.suspended_until = timezone.now() + timedelta(days=3)
    user.suspension_reason = "spam"
    user.save()


def edit(project, editor, **changes):
    fields = {
        "title": project.title,
        "pitch": project.pitch,
        "description": project.description,
        "repository_url": project.repository_url,
        "demo_url": project.demo_url,
        "docs_url": project.docs_url,
        "tags": [t.name for t in project.tags.all()],
        "cohort": project.cohort,
        "track": project.track,
        "feedback_wanted": project.feedback_wanted,
        "feedback_note": project.feedback_note,
    }
    return services.project_edit(editor=editor, project=project, **{**fields, **changes})


def notifications_of(user, kind):
    return list(Notification.objects.filter(recipient=user, kind=kind))


class TestCreate:
    def test_draft_is_rendered_tagged_and_revised(self, learner):
        p = make.project(
            learner,
            publish=False,
            tags="Django, #DRF  celery",
            demo_url="https://library.example.com/",
            docs_url="HTTPS://Library.Example.com/api/docs/",
        )
        assert p.state == State.DRAFT and p.published_at is None
        assert "<strong>Django</strong>" in p.description_html
        assert 'class="code-block"' in p.description_html
        assert sorted(p.tags.values_list("name", flat=True)) == ["celery", "django", "drf"]
        assert p.docs_url == "https://library.example.com/api/docs/"
        revision = ProjectRevision.objects.get(project=p)
        assert (revision.number, revision.editor, revision.title) == (1, learner, p.title)

    def test_published_straight_away(self, learner):
        p = make.project(learner)
        assert p.state == State.PUBLISHED and p.published_at is not None

    def test_every_bad_link_is_reported_per_field(self, learner):
        with pytest.raises(ValidationError) as error:
            make.project(
                learner,
                repository_url="javascript:alert(1)",
                demo_url="http://localhost:8000/",
                docs_url="http://10.0.0.1/docs",
            )
        assert set(error.value.message_dict) == {"repository_url", "demo_url", "docs_url"}

    def test_repository_is_required(self, learner):
        with pytest.raises(ValidationError) as error:
            make.project(learner, repository_url="  ")
        assert "repository_url" in error.value.message_dict

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"title": "ab"}, "title"),
            ({"title": "x" * 121}, "title"),
            ({"pitch": ""}, "pitch"),
            ({"pitch": "x" * 161}, "pitch"),
            ({"track": "cooking"}, "track"),
            ({"tags": "a b c d e f g h i"}, "tags"),
            ({"tags": "no/slash"}, "tags"),
        ],
    )
    def test_field_rules(self, learner, changes, field):
        fields = {
            "author": learner,
            "title": "Library API",
            "pitch": "Lend books.",
            "repository_url": "https://github.com/a/b",
            **changes,
        }
        with pytest.raises(ValidationError) as error:
            services.project_create(**fields)
        assert field in error.value.message_dict

    def test_anonymous_and_suspended_cannot_create(self, learner):
        with pytest.raises(PermissionDenied, match="Log in"):
            make.project(AnonymousUser())
        suspend(learner)
        with pytest.raises(PermissionDenied, match=r"suspended until .*spam"):
            make.project(learner)

    def test_event_sent_on_commit(self, learner, django_capture_on_commit_callbacks, monkeypatch):
        seen = []
        monkeypatch.setattr(events, "project_changed", seen.append)
        with django_capture_on_commit_callbacks(execute=True):
            p = make.project(learner)
        assert seen == [p.pk]


class TestEdit:
    def test_author_edits_and_a_revision_is_kept(self, learner):
        p = make.project(learner)
        edit(p, learner, title="Library API v2", description="Now with *GraphQL*.")
        p.refresh_from_db()
        assert p.title == "Library API v2" and "<em>GraphQL</em>" in p.description_html
        assert list(p.revisions.values_list("number", "title")) == [
            (1, p.revisions.get(number=1).title),
            (2, "Library API v2"),
        ]

    def test_no_revision_when_only_tags_change(self, learner):
        p = make.project(learner)
        edit(p, learner, tags="redis")
        assert p.revisions.count() == 1
        assert list(p.tags.values_list("name", flat=True)) == ["redis"]

    def test_only_the_author_edits(self, learner, other_learner, mentor, admin_user):
        p = make.project(learner)
        for user in (other_learner, mentor, admin_user):
            with pytest.raises(PermissionDenied, match="Only the author"):
                edit(p, user, title="Taken over")

    def test_suspended_author_cannot_edit(self, learner):
        p = make.project(learner)
        suspend(learner)
        with pytest.raises(PermissionDenied, match="suspended"):
            edit(p, learner, title="Still mine")

    def test_bad_link_on_edit(self, learner):
        p = make.project(learner)
        with pytest.raises(ValidationError) as error:
            edit(p, learner, demo_url="http://user:pw@example.com/")
        assert "demo_url" in error.value.message_dict


class TestPublishing:
    def test_publish_then_unpublish(self, learner):
        p = make.project(learner, publish=False)
        services.project_publish(actor=learner, project=p)
        assert p.state == State.PUBLISHED and p.published_at == p.listed_at
        first = p.published_at
        services.project_unpublish(actor=learner, project=p)
        assert p.state == State.DRAFT
        services.project_publish(actor=learner, project=p)
        assert p.published_at == first  # republishing does not bump it to "newest"

    def test_only_the_author_publishes(self, learner, other_learner, mentor):
        p = make.project(learner, publish=False)
        for user in (other_learner, mentor):
            with pytest.raises(PermissionDenied):
                services.project_publish(actor=user, project=p)
        services.project_publish(actor=learner, project=p)
        for user in (other_learner, mentor):
            with pytest.raises(PermissionDenied):
                services.project_unpublish(actor=user, project=p)

    def test_unpublishing_withdraws_a_pending_review(self, learner, mentor):
        p = make.requested(learner)
        services.review_claim(mentor=mentor, project=p)
        services.project_unpublish(actor=learner, project=p)
        p.refresh_from_db()
        assert p.review_state == ReviewState.NONE and p.reviewer is None
        assert not Review.objects.exists()


class TestHiding:
    def test_mentor_hides_with_reason_and_unhides(self, learner, other_learner, mentor):
        p = make.project(learner)
        moderation_services.content_hide(actor=mentor, target=p, reason="Links to a phishing page")
        p.refresh_from_db()
        assert (p.state, p.hidden_by, p.hidden_reason) == (
            State.HIDDEN,
            mentor,
            "Links to a phishing page",
        )
        assert notifications_of(learner, Kind.MODERATION)
        # Hidden: the author and mentors still see it; others do not.
        assert selectors.project_get_for_viewer(viewer=learner, pk=p.pk)
        assert selectors.project_get_for_viewer(viewer=mentor, pk=p.pk)
        assert selectors.project_get_for_viewer(viewer=other_learner, pk=p.pk) is None
        moderation_services.content_unhide(actor=mentor, target=p)
        p.refresh_from_db()
        assert p.state == State.PUBLISHED and p.hidden_reason == ""

    def test_reason_required(self, learner, mentor):
        p = make.project(learner)
        with pytest.raises(ValidationError):
            moderation_services.content_hide(actor=mentor, target=p, reason="   ")

    def test_learners_cannot_hide(self, learner, other_learner):
        p = make.project(learner)
        for user in (learner, other_learner):
            with pytest.raises(PermissionDenied, match="Only mentors"):
                moderation_services.content_hide(actor=user, target=p, reason="no")

    def test_author_cannot_unhide_or_unpublish_a_hidden_project(self, learner, mentor):
        p = make.project(learner)
        moderation_services.content_hide(actor=mentor, target=p, reason="spam")
        with pytest.raises(PermissionDenied):
            moderation_services.content_unhide(actor=learner, target=p)
        with pytest.raises(PermissionDenied):
            services.project_unpublish(actor=learner, project=p)
        with pytest.raises(PermissionDenied):
            services.project_publish(actor=learner, project=p)


class TestStars:
    def test_toggle(self, learner, other_learner, mentor):
        p = make.project(learner)
        assert services.star_toggle(user=other_learner, project=p) is True
        assert services.star_toggle(user=mentor, project=p) is True
        assert p.star_count == 2
        assert services.star_toggle(user=other_learner, project=p) is False
        assert p.star_count == 1
        assert list(Star.objects.values_list("user", flat=True)) == [mentor.pk]

    def test_not_on_your_own_nor_on_a_draft(self, learner, other_learner):
        p = make.project(learner)
        with pytest.raises(PermissionDenied, match="your own"):
            services.star_toggle(user=learner, project=p)
        draft = make.project(learner, publish=False)
        with pytest.raises(PermissionDenied):
            services.star_toggle(user=other_learner, project=draft)

    def test_suspended_and_anonymous_cannot_star(self, learner, other_learner):
        p = make.project(learner)
        with pytest.raises(PermissionDenied):
            services.star_toggle(user=AnonymousUser(), project=p)
        suspend(other_learner)
        with pytest.raises(PermissionDenied):
            services.star_toggle(user=other_learner, project=p)


class TestFeedback:
    def test_feedback_counts_renders_and_notifies_the_author(self, learner, other_learner):
        p = make.project(learner)
        f = make.feedback(other_learner, p, body="Try `select_related` **here**.")
        assert "<strong>here</strong>" in f.body_html
        p.refresh_from_db()
        assert p.feedback_count == 1
        [note] = notifications_of(learner, Kind.PROJECT_FEEDBACK)
        assert note.url.endswith(f"#feedback-{f.pk}") and note.actor == other_learner
        assert FeedbackRevision.objects.get(feedback=f).number == 1

    def test_reply_notifies_parent_author_and_project_author(self, learner, other_learner, mentor):
        p = make.project(learner)
        parent = make.feedback(other_learner, p)
        reply = make.feedback(mentor, p, body="Agreed.", parent=parent)
        assert reply.parent == parent and reply.by_mentor
        [note] = notifications_of(other_learner, Kind.FEEDBACK_REPLY)
        assert not notifications_of(other_learner, Kind.PROJECT_FEEDBACK)
        assert notifications_of(learner, Kind.PROJECT_FEEDBACK)[0].count == 2
        # Not their project: the reply reads as a reply, with the project's title beside it.
        name = mentor.display_name or mentor.handle
        assert note.message == f"{name} replied to your feedback"
        assert note.target_title == p.title

    def test_a_reply_to_the_project_authors_own_feedback_reads_as_a_reply(
        self, learner, other_learner
    ):
        p = make.project(learner)
        own = make.feedback(learner, p, body="What I'd like eyes on: the serializers.")
        make.feedback(other_learner, p, body="They look fine.", parent=own)
        [note] = notifications_of(learner, Kind.FEEDBACK_REPLY)
        name = other_learner.display_name or other_learner.handle
        assert note.message == f"{name} replied to your feedback"
        assert not notifications_of(learner, Kind.PROJECT_FEEDBACK)

    def test_the_project_authors_reply_tells_the_feedback_author_only(self, learner, other_learner):
        p = make.project(learner)
        parent = make.feedback(other_learner, p)
        Notification.objects.all().delete()
        make.feedback(learner, p, body="Thanks, fixed.", parent=parent)
        assert not notifications_of(learner, Kind.PROJECT_FEEDBACK)
        [note] = Notification.objects.all()
        assert (note.recipient, note.kind) == (other_learner, Kind.FEEDBACK_REPLY)

    def test_reply_to_a_reply_is_refused(self, learner, other_learner):
        p = make.project(learner)
        parent = make.feedback(other_learner, p)
        reply = make.feedback(learner, p, parent=parent)
        with pytest.raises(ValidationError, match="one level deep"):
            make.feedback(other_learner, p, parent=reply)

    def test_reply_must_be_on_the_same_project(self, learner, other_learner):
        p, q = make.project(learner), make.project(learner)
        parent = make.feedback(other_learner, p)
        with pytest.raises(ValidationError):
            make.feedback(other_learner, q, parent=parent)

    def test_no_feedback_on_drafts_or_hidden(self, learner, other_learner, mentor):
        draft = make.project(learner, publish=False)
        with pytest.raises(PermissionDenied, match="published"):
            make.feedback(other_learner, draft)
        hidden = make.project(learner)
        moderation_services.content_hide(actor=mentor, target=hidden, reason="spam")
        with pytest.raises(PermissionDenied):
            make.feedback(other_learner, hidden)

    def test_body_required_and_bounded(self, learner, other_learner):
        p = make.project(learner)
        with pytest.raises(ValidationError):
            make.feedback(other_learner, p, body="")
        with pytest.raises(ValidationError):
            make.feedback(other_learner, p, body="x" * 10_001)

    def test_suspended_cannot_give_feedback(self, learner, other_learner):
        p = make.project(learner)
        suspend(other_learner)
        with pytest.raises(PermissionDenied, match="suspended"):
            make.feedback(other_learner, p)

    def test_edit_keeps_revisions_author_only(self, learner, other_learner, mentor):
        f = make.feedback(other_learner, make.project(learner))
        services.feedback_edit(editor=other_learner, feedback=f, body="Nicer *API*!")
        assert "<em>API</em>" in f.body_html and f.edited_at
        assert list(f.revisions.values_list("number", flat=True)) == [1, 2]
        for user in (learner, mentor):
            with pytest.raises(PermissionDenied):
                services.feedback_edit(editor=user, feedback=f, body="Hijacked")

    def test_soft_delete(self, learner, other_learner, mentor):
        p = make.project(learner)
        f = make.feedback(other_learner, p)
        with pytest.raises(PermissionDenied):
            services.feedback_delete(actor=learner, feedback=f)
        services.feedback_delete(actor=other_learner, feedback=f)
        f.refresh_from_db()
        p.refresh_from_db()
        assert f.is_deleted and p.feedback_count == 0
        assert Feedback.objects.filter(pk=f.pk).exists()
        with pytest.raises(PermissionDenied):
            services.feedback_edit(editor=other_learner, feedback=f, body="back")
        g = make.feedback(other_learner, p)
        services.feedback_delete(actor=mentor, feedback=g)  # mentors remove any


class TestReviews:
    def test_claim_submit_reviewed_rerequest(self, learner, mentor, other_learner):
        p = make.requested(learner)
        assert p.review_state == ReviewState.REQUESTED and p.review_requested_at
        review = services.review_claim(mentor=mentor, project=p)
        p.refresh_from_db()
        assert (p.review_state, p.reviewer, review.completed_at) == (
            ReviewState.IN_REVIEW,
            mentor,
            None,
        )
        done = services.review_submit(
            mentor=mentor,
            project=p,
            verdict="needs_work",
            works="Clean **endpoints**.",
            improve="Paginate lists.",
            notes_tests="No tests yet.",
        )
        assert done.pk == review.pk and done.completed_at and done.verdict == "needs_work"
        assert "<strong>endpoints</strong>" in done.html["works"]
        assert "notes_api_design" not in done.html  # empty areas stay empty
        p.refresh_from_db()
        assert p.review_state == ReviewState.REVIEWED and p.last_reviewed_at
        [note] = notifications_of(learner, Kind.PROJECT_REVIEW)
        assert note.actor == mentor and note.url.endswith(f"#review-{done.pk}")

        # After changes, the author asks again; another review follows.
        services.review_request(actor=learner, project=p)
        assert p.review_state == ReviewState.REQUESTED
        admin_review = services.review_claim(mentor=mentor, project=p)
        services.review_submit(mentor=mentor, project=p, verdict="looks_good", works="Better.")
        detail = selectors.project_detail(viewer=other_learner, project=p)
        assert [r.pk for r in detail.reviews] == [admin_review.pk, done.pk]

    def test_request_needs_feedback_wanted_and_the_author(self, learner, other_learner, mentor):
        p = make.project(learner)
        with pytest.raises(PermissionDenied, match="feedback wanted"):
            services.review_request(actor=learner, project=p)
        edit(p, learner, feedback_wanted=True)
        for user in (other_learner, mentor):
            with pytest.raises(PermissionDenied, match="Only the author"):
                services.review_request(actor=user, project=p)
        services.review_request(actor=learner, project=p)
        with pytest.raises(PermissionDenied, match="already"):
            services.review_request(actor=learner, project=p)

    def test_draft_cannot_request(self, learner):
        p = make.project(learner, publish=False, feedback_wanted=True)
        with pytest.raises(PermissionDenied, match="Publish"):
            services.review_request(actor=learner, project=p)

    def test_learner_cannot_claim_or_submit(self, learner, other_learner, mentor):
        p = make.requested(learner)
        with pytest.raises(PermissionDenied, match="Only mentors"):
            services.review_claim(mentor=other_learner, project=p)
        services.review_claim(mentor=mentor, project=p)
        with pytest.raises(PermissionDenied, match="Only mentors"):
            services.review_submit(mentor=other_learner, project=p, verdict="looks_good", works="x")

    def test_nobody_reviews_their_own_project(self, mentor):
        p = make.requested(mentor)
        with pytest.raises(PermissionDenied, match="your own"):
            services.review_claim(mentor=mentor, project=p)
        with pytest.raises(PermissionDenied, match="your own"):
            services.review_submit(mentor=mentor, project=p, verdict="looks_good", works="x")

    def test_only_the_claiming_mentor_submits(self, learner, mentor, admin_user):
        p = make.requested(learner)
        services.review_claim(mentor=mentor, project=p)
        with pytest.raises(PermissionDenied, match="claimed"):
            services.review_claim(mentor=admin_user, project=p)
        with pytest.raises(PermissionDenied, match="claimed"):
            services.review_submit(mentor=admin_user, project=p, verdict="looks_good", works="x")

    def test_claim_race_is_refused(self, learner, mentor, admin_user):
        p = make.requested(learner)
        stale = Project.objects.get(pk=p.pk)
        services.review_claim(mentor=mentor, project=p)
        with pytest.raises(PermissionDenied, match="first"):
            services.review_claim(mentor=admin_user, project=stale)

    def test_claim_only_when_requested(self, learner, mentor):
        p = make.project(learner, feedback_wanted=True)
        with pytest.raises(PermissionDenied, match="not waiting"):
            services.review_claim(mentor=mentor, project=p)

    def test_submit_needs_verdict_and_content(self, learner, mentor):
        p = make.requested(learner)
        services.review_claim(mentor=mentor, project=p)
        with pytest.raises(ValidationError):
            services.review_submit(mentor=mentor, project=p, verdict="meh", works="x")
        with pytest.raises(ValidationError):
            services.review_submit(mentor=mentor, project=p, verdict="looks_good")

    def test_release_returns_to_the_queue(self, learner, mentor, admin_user):
        p = make.requested(learner)
        services.review_claim(mentor=mentor, project=p)
        with pytest.raises(PermissionDenied):
            services.review_release(mentor=admin_user, project=p)
        services.review_release(mentor=mentor, project=p)
        assert p.review_state == ReviewState.REQUESTED and not Review.objects.exists()
        services.review_claim(mentor=admin_user, project=p)

    def test_suspended_mentor_cannot_claim(self, learner, mentor):
        p = make.requested(learner)
        suspend(mentor)
        with pytest.raises(PermissionDenied, match="suspended"):
            services.review_claim(mentor=mentor, project=p)


class TestDraftsAreInvisible:
    def test_through_every_selector(self, learner, other_learner, mentor):
        draft = make.project(learner, publish=False, feedback_wanted=True, tags="django")
        for viewer in (other_learner, mentor, AnonymousUser()):
            assert selectors.project_get_for_viewer(viewer=viewer, pk=draft.pk) is None
            for filters in (
                {},
                {"tag": "django"},
                {"cohort": draft.cohort},
                {"feedback_wanted": True},
                {"mine": True},
                {"sort": "starred"},
            ):
                page = selectors.project_gallery(viewer=viewer, **filters)
                assert draft not in page.projects
            assert draft not in selectors.projects_of_user(viewer=viewer, user=learner)
            assert draft not in selectors.projects_awaiting_review(viewer=viewer)
            assert selectors.project_revisions(viewer=viewer, project=draft) == []
        # The author sees it where their own projects are listed.
        assert selectors.project_get_for_viewer(viewer=learner, pk=draft.pk) == draft
        assert draft in selectors.project_gallery(viewer=learner, mine=True).projects
        assert draft in selectors.projects_of_user(viewer=learner, user=learner)
        assert draft not in selectors.project_gallery(viewer=learner).projects


def test_links_are_checked_as_given(learner):
    with pytest.raises(ValidationError) as error:
        make.project(learner, demo_url="https://example.com/\n")
    assert "demo_url" in error.value.message_dict
    assert make.project(learner, demo_url="   ").demo_url == ""
