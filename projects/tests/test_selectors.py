"""Reads: filters, sorts and pages of the gallery, the project page, the mentors' queue,
and query counts that stay the same however many projects, feedback and stars there are."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from moderation import services as moderation_services
from projects import selectors, services
from projects.models import STACK_TAGS, ReviewState
from projects.tests import factories as make

pytestmark = pytest.mark.django_db


def queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def populate(author, fans, n: int) -> list:
    """`n` published projects, each with tags, stars from every fan, and feedback with
    replies."""
    made = []
    for i in range(n):
        p = make.project(author, tags=f"django drf tag-{i}", feedback_wanted=True)
        for fan in fans:
            services.star_toggle(user=fan, project=p)
            parent = make.feedback(fan, p)
            make.feedback(author, p, body="Thanks!", parent=parent)
        services.review_request(actor=author, project=p)
        made.append(p)
    return made


class TestQueryCounts:
    def test_gallery_detail_and_lists_are_constant(self, learner, other_learner, mentor):
        fans = [other_learner, mentor]
        populate(learner, fans[:1], 2)

        def measure():
            first = selectors.project_gallery(viewer=other_learner).projects[0]

            def page_and_detail():
                p = selectors.project_get_for_viewer(viewer=other_learner, pk=first.pk)
                detail = selectors.project_detail(viewer=other_learner, project=p)
                for f in detail.feedback:
                    (f.author.handle, [r.author.handle for r in f.reply_list])
                [r.reviewer.handle for r in detail.reviews]

            def gallery(viewer, **filters):
                def run():
                    for p in selectors.project_gallery(viewer=viewer, **filters).projects:
                        (p.author.handle, [t.name for t in p.tags.all()], p.starred)

                return run

            def awaiting():
                for p in selectors.projects_awaiting_review(viewer=mentor):
                    (p.author.handle, [t.name for t in p.tags.all()], p.reviewer)

            def profile():
                for p in selectors.projects_of_user(viewer=other_learner, user=learner):
                    (p.author.handle, [t.name for t in p.tags.all()], p.starred)

            return {
                "gallery": queries(gallery(other_learner)),
                "gallery_anon": queries(gallery(AnonymousUser())),
                "gallery_filtered": queries(
                    gallery(other_learner, tag="django", feedback_wanted=True, sort="starred")
                ),
                "mine": queries(gallery(learner, mine=True)),
                "detail": queries(page_and_detail),
                "awaiting": queries(awaiting),
                "profile": queries(profile),
            }

        small = measure()
        more_fans = [UserFactory() for _ in range(3)]
        populate(learner, [*fans, *more_fans], 6)
        large = measure()
        assert small == large
        assert large["gallery"] == 2 and large["detail"] == 6  # with the questions asked about it

    def test_detail_with_more_feedback_is_constant(self, learner, other_learner):
        p = make.project(learner)
        make.feedback(other_learner, p)

        def run():
            project = selectors.project_get_for_viewer(viewer=other_learner, pk=p.pk)
            detail = selectors.project_detail(viewer=other_learner, project=project)
            for f in detail.feedback:
                (f.author.handle, [r.author.handle for r in f.reply_list])

        before = queries(run)
        for i in range(10):
            parent = make.feedback(UserFactory(), p, body=f"Point {i}")
            make.feedback(learner, p, body="Fixed.", parent=parent)
        assert queries(run) == before


class TestGallery:
    def test_filters_and_sorts(self, learner, other_learner, mentor):
        a = make.project(learner, tags="django", cohort="2026-spring")
        b = make.project(other_learner, tags="celery", cohort="2026-autumn", feedback_wanted=True)
        c = make.reviewed(learner, mentor, tags="graphql").project
        services.star_toggle(user=other_learner, project=a)
        services.star_toggle(user=mentor, project=a)
        services.star_toggle(user=mentor, project=b)

        def ids(**filters):
            return [p.pk for p in selectors.project_gallery(viewer=learner, **filters).projects]

        assert ids() == [c.pk, b.pk, a.pk]
        assert ids(sort="starred") == [a.pk, b.pk, c.pk]
        assert ids(sort="reviewed") == [c.pk]
        assert ids(reviewed=True) == [c.pk]
        assert ids(tag="CELERY") == [b.pk]
        assert ids(cohort="2026-autumn") == [b.pk]
        assert ids(feedback_wanted=True) == [c.pk, b.pk]
        assert ids(mine=True) == [c.pk, a.pk]
        assert selectors.project_gallery(viewer=AnonymousUser(), mine=True).projects == []
        assert ids(sort="bogus") == ids()

    def test_viewer_star_is_annotated(self, learner, other_learner):
        p = make.project(learner)
        services.star_toggle(user=other_learner, project=p)
        [card] = selectors.project_gallery(viewer=other_learner).projects
        assert card.starred is True
        [card] = selectors.project_gallery(viewer=AnonymousUser()).projects
        assert card.starred is False

    @pytest.mark.parametrize("sort", ["newest", "starred"])
    def test_keyset_pages_cover_everything_once(self, learner, other_learner, sort):
        made = [make.project(learner) for _ in range(7)]
        for p in made[::2]:
            services.star_toggle(user=other_learner, project=p)
        seen, cursor = [], None
        while True:
            page = selectors.project_gallery(viewer=learner, sort=sort, cursor=cursor, limit=3)
            seen += [p.pk for p in page.projects]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert sorted(seen) == sorted(p.pk for p in made) and len(seen) == 7

    def test_bad_cursor_starts_over(self, learner):
        make.project(learner)
        assert selectors.project_gallery(viewer=learner, cursor="!!nonsense").projects

    def test_hidden_projects_leave_the_gallery(self, learner, mentor):
        p = make.project(learner)
        moderation_services.content_hide(actor=mentor, target=p, reason="spam")
        assert selectors.project_gallery(viewer=mentor).projects == []
        assert selectors.project_gallery(viewer=learner, mine=True).projects == [p]

    def test_tag_suggestions_put_the_stack_first(self, learner):
        make.project(learner, tags="django my-own-tag")
        suggestions = selectors.tag_suggestions()
        assert suggestions[: len(STACK_TAGS)] == list(STACK_TAGS)
        assert "my-own-tag" in suggestions

    def test_cohorts(self, learner):
        make.project(learner, cohort="2026-spring")
        make.project(learner, cohort="2026-autumn", publish=False)
        assert selectors.gallery_cohorts() == ["2026-spring"]


class TestAwaitingReview:
    def test_oldest_request_first_mentors_only_not_own(self, learner, other_learner, mentor):
        first = make.requested(learner)
        second = make.requested(other_learner)
        own = make.requested(mentor)
        make.project(learner, feedback_wanted=True)  # wants feedback, no review asked
        services.review_claim(mentor=mentor, project=second)
        queue = selectors.projects_awaiting_review(viewer=mentor)
        assert [p.pk for p in queue] == [first.pk, second.pk]
        assert queue[1].review_state == ReviewState.IN_REVIEW and queue[1].reviewer == mentor
        assert own.pk in [
            p.pk for p in selectors.projects_awaiting_review(viewer=UserFactory(role="mentor"))
        ]
        assert selectors.projects_awaiting_review(viewer=learner) == []
        assert selectors.projects_awaiting_review(viewer=AnonymousUser()) == []

    def test_rerequest_goes_to_the_back(self, learner, other_learner, mentor):
        reviewed = make.reviewed(learner, mentor).project
        waiting = make.requested(other_learner)
        services.review_request(actor=learner, project=reviewed)
        assert [p.pk for p in selectors.projects_awaiting_review(viewer=mentor)] == [
            waiting.pk,
            reviewed.pk,
        ]


class TestDetail:
    def test_threads_one_level_and_hides_deleted_leaves(self, learner, other_learner, mentor):
        p = make.project(learner)
        kept = make.feedback(other_learner, p, body="First")
        reply = make.feedback(learner, p, body="Reply", parent=kept)
        gone = make.feedback(mentor, p, body="Gone")
        services.feedback_delete(actor=mentor, feedback=gone)
        parent_gone = make.feedback(mentor, p, body="Parent gone")
        make.feedback(learner, p, body="Still here", parent=parent_gone)
        services.feedback_delete(actor=mentor, feedback=parent_gone)

        detail = selectors.project_detail(viewer=other_learner, project=p)
        assert [f.pk for f in detail.feedback] == [kept.pk, parent_gone.pk]
        assert [r.pk for r in detail.feedback[0].reply_list] == [reply.pk]
        assert detail.feedback[1].is_deleted and len(detail.feedback[1].reply_list) == 1

    def test_open_review_and_star(self, learner, other_learner, mentor):
        p = make.requested(learner)
        services.star_toggle(user=other_learner, project=p)
        services.review_claim(mentor=mentor, project=p)
        loaded = selectors.project_get_for_viewer(viewer=other_learner, pk=p.pk)
        detail = selectors.project_detail(viewer=other_learner, project=loaded)
        assert detail.starred and detail.open_review.reviewer == mentor and detail.reviews == []
        assert detail.revision_count == 1
        assert [label for label, _, _ in p.links] == ["Repository"]
