"""The guide's part of the REST API (/api/v1/guides, /api/v1/guide-sections, ...): the
reference guide's reads, and every write the guide's pages offer, each one call into
`guides.services` (mentors write and edit; anyone who may post proposes edits and says
whether a section helped; mentors decide, revert, review and tie questions to the guide).

Proposed edits are their proposer's and the mentors': 404 for anyone else, as on the
pages. Closing a question as answered in the guide is a moderation action: with a token
it needs the `moderate` scope.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from discussions import selectors as forum
from guides import selectors, services
from guides.models import (
    NOTE_MAX,
    SECTION_BODY_MAX,
    SECTION_TITLE_MAX,
    SECTION_TITLE_MIN,
    VERSIONS_MAX,
    EditProposal,
    Guide,
    HelpfulVote,
    Section,
)
from hub.api.base import (
    ApiView,
    MentorApi,
    SignedInApi,
    StrictInput,
    body_params,
    found,
    known,
    optional_field,
    request_example,
)

TAGS = ["guides"]


class GuidePersonSerializer(serializers.Serializer):
    handle = serializers.CharField()
    display_name = serializers.CharField()


class SectionTitleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    anchor = serializers.CharField()


class GuideSummarySerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    html_url = serializers.SerializerMethodField()
    sections = serializers.SerializerMethodField()

    def get_html_url(self, guide: Guide) -> str:
        return self.context["request"].build_absolute_uri(f"/guide/{guide.slug}/")

    @extend_schema_field(SectionTitleSerializer(many=True))
    def get_sections(self, guide: Guide) -> list[dict]:
        rows = sorted(guide.sections.all(), key=lambda s: (s.position, s.pk))  # prefetched
        return SectionTitleSerializer(rows, many=True).data


class LedHereSerializer(serializers.Serializer):
    question_id = serializers.IntegerField(source="question.id")
    title = serializers.CharField(source="question.title")
    kind = serializers.CharField(help_text="promoted, answered or linked.")


class SectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    guide = serializers.CharField(source="guide.slug")
    title = serializers.CharField()
    anchor = serializers.CharField()
    body = serializers.CharField(help_text="The Markdown as written.")
    body_html = serializers.CharField(help_text="Sanitised HTML rendered from the Markdown.")
    versions = serializers.ListField(child=serializers.CharField())
    revision_count = serializers.IntegerField()
    updated_at = serializers.DateTimeField()
    updated_by = GuidePersonSerializer(allow_null=True)
    last_reviewed_at = serializers.DateTimeField(allow_null=True)
    last_reviewed_by = GuidePersonSerializer(allow_null=True)
    helpful_yes = serializers.IntegerField()
    helpful_no = serializers.IntegerField()
    led_here = serializers.SerializerMethodField(help_text="Questions that led here.")

    @extend_schema_field(LedHereSerializer(many=True))
    def get_led_here(self, section: Section) -> list[dict]:
        return LedHereSerializer(getattr(section, "led_here", []), many=True).data


class GuideDetailSerializer(serializers.Serializer):
    slug = serializers.CharField(source="guide.slug")
    title = serializers.CharField(source="guide.title")
    summary = serializers.CharField(source="guide.summary")
    sections = SectionSerializer(many=True)
    previous = serializers.CharField(source="previous.slug", allow_null=True, default=None)
    next = serializers.CharField(source="next.slug", allow_null=True, default=None)


class GuideListApi(ApiView):
    @extend_schema(operation_id="guides_list", summary="The guide: every topic and its sections",
                   responses=GuideSummarySerializer(many=True), tags=TAGS)  # fmt: skip
    def get(self, request: Request) -> Response:
        guides = selectors.guide_index()["guides"]
        return Response(
            GuideSummarySerializer(guides, many=True, context={"request": request}).data
        )


def _guide_or_404(slug: str) -> Guide:
    return found(selectors.guide_get(slug=slug))


def _section_or_404(pk: int) -> Section:
    return found(selectors.section_get(pk=pk))


@request_example(
    "A new section",
    {
        "title": "Reverse relations and prefetch_related",
        "body": "`select_related` follows forward foreign keys; for reverse ones use "
        "`prefetch_related`.",
        "versions": ["Django 6.1"],
        "note": "From three questions this month.",
    },
)
class SectionInput(StrictInput):
    title = serializers.CharField(min_length=SECTION_TITLE_MIN, max_length=SECTION_TITLE_MAX)
    body = serializers.CharField(max_length=SECTION_BODY_MAX, trim_whitespace=False)
    versions = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        max_length=VERSIONS_MAX,
        help_text='e.g. ["Django 6.1"]',
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX,
        help_text="What changed and why.",
    )  # fmt: skip


class GuideDetailApi(ApiView):
    @extend_schema(operation_id="guide_get", summary="One topic's article with its sections",
                   responses=GuideDetailSerializer, tags=TAGS)  # fmt: skip
    def get(self, request: Request, slug: str) -> Response:
        article = selectors.guide_article(guide=_guide_or_404(slug), viewer=request.user)
        return Response(GuideDetailSerializer(article).data)


class SectionCreateApi(SignedInApi):
    @extend_schema(operation_id="guide_section_create", summary="Write a new section (mentors)",
                   request=SectionInput, responses={201: SectionSerializer}, tags=TAGS)  # fmt: skip
    def post(self, request: Request, slug: str) -> Response:
        guide = _guide_or_404(slug)
        data = body_params(SectionInput, request)
        section = services.section_create(editor=request.user, guide=guide, **data)
        return Response(SectionSerializer(_section_or_404(section.pk)).data, status=201)


class SectionApi(ApiView):
    @extend_schema(operation_id="guide_section_get", summary="One section",
                   responses=SectionSerializer, tags=TAGS)  # fmt: skip
    def get(self, request: Request, pk: int) -> Response:
        return Response(SectionSerializer(_section_or_404(pk)).data)

    @extend_schema(operation_id="guide_section_edit",
                   summary="Edit a section directly (mentors; others propose an edit)",
                   request=SectionInput(partial=True), responses=SectionSerializer,
                   tags=TAGS)  # fmt: skip
    def patch(self, request: Request, pk: int) -> Response:
        section = _section_or_404(pk)
        data = body_params(SectionInput, request, partial=True)
        merged = {"title": section.title, "body": section.body, **data}
        services.section_edit(editor=request.user, section=section, **merged)
        return Response(SectionSerializer(_section_or_404(pk)).data)


class GuideRevisionSerializer(serializers.Serializer):
    number = serializers.IntegerField(source="revision.number")
    kind = serializers.CharField(source="revision.kind")
    editor = GuidePersonSerializer(source="revision.editor")
    credited = GuidePersonSerializer(source="revision.credited", allow_null=True)
    title = serializers.CharField(source="revision.title")
    note = serializers.CharField(source="revision.note")
    created_at = serializers.DateTimeField(source="revision.created_at")
    diff = serializers.SerializerMethodField(help_text='["+"|"-"|" "|"…", line] pairs.')

    @extend_schema_field(serializers.ListField(child=serializers.ListField(
        child=serializers.CharField())))  # fmt: skip
    def get_diff(self, view: Any) -> list[list[str]]:
        return [list(row) for row in view.diff]


class SectionRevisionsApi(ApiView):
    @extend_schema(operation_id="guide_section_revisions",
                   summary="Every version of a section, newest first, with line diffs",
                   responses=GuideRevisionSerializer(many=True), tags=TAGS)  # fmt: skip
    def get(self, request: Request, pk: int) -> Response:
        history = selectors.section_revisions(section=_section_or_404(pk))
        return Response(GuideRevisionSerializer(history, many=True).data)


@request_example(
    "Back to revision 2",
    {"number": 2, "note": "Revision 3 lost the example."},
)
class RevertInput(StrictInput):
    number = serializers.IntegerField(min_value=1, max_value=2**31)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=NOTE_MAX)


class SectionRevertApi(SignedInApi):
    @extend_schema(operation_id="guide_section_revert",
                   summary="Bring back an earlier version (mentors)", request=RevertInput,
                   responses=SectionSerializer, tags=TAGS)  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        section = _section_or_404(pk)
        data = body_params(RevertInput, request)
        revision = known(section.revisions.filter(number=data["number"]).first(), "number",
                         "No such revision.")  # fmt: skip
        services.section_revert(editor=request.user, section=section, revision=revision,
                                note=data["note"])  # fmt: skip
        return Response(SectionSerializer(_section_or_404(pk)).data)


@request_example(
    "With a note",
    {"note": "Clear and correct, thanks."},
)
class GuideNoteInput(StrictInput):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=NOTE_MAX)


def _note(request: Request) -> str:
    return optional_field(GuideNoteInput, request, "note")


class ReviewedSerializer(serializers.Serializer):
    last_reviewed_at = serializers.DateTimeField()


class SectionReviewApi(SignedInApi):
    @extend_schema(operation_id="guide_section_review",
                   summary="Say a section is still right (mentors)", request=GuideNoteInput,
                   responses={201: ReviewedSerializer}, tags=TAGS)  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        section = _section_or_404(pk)
        review = services.section_review(reviewer=request.user, section=section,
                                         note=_note(request))  # fmt: skip
        return Response({"last_reviewed_at": review.created_at}, status=201)


@request_example(
    "Not helpful, and why",
    {"helpful": False, "note": "An example with a queryset would help."},
)
class HelpfulInput(StrictInput):
    helpful = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=NOTE_MAX,
                                 help_text="What was missing (with `helpful: false`).")  # fmt: skip


class HelpfulSerializer(serializers.Serializer):
    helpful = serializers.BooleanField()
    helpful_yes = serializers.IntegerField()
    helpful_no = serializers.IntegerField()


class HelpfulApi(SignedInApi):
    @extend_schema(operation_id="guide_section_helpful", summary="Say whether a section helped",
                   request=HelpfulInput, responses=HelpfulSerializer, tags=TAGS)  # fmt: skip
    def put(self, request: Request, pk: int) -> Response:
        section = _section_or_404(pk)
        data = body_params(HelpfulInput, request)
        vote = services.helpful_vote(user=request.user, section=section, **data)
        section = _section_or_404(pk)
        return Response({"helpful": vote.helpful, "helpful_yes": section.helpful_yes,
                         "helpful_no": section.helpful_no})  # fmt: skip


class FeedbackHandledSerializer(serializers.Serializer):
    handled_at = serializers.DateTimeField()


class FeedbackHandleApi(SignedInApi):
    @extend_schema(operation_id="guide_feedback_handle",
                   summary='Mark a "not helpful" note handled (mentors)', request=None,
                   responses=FeedbackHandledSerializer, tags=TAGS)  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        vote = found(HelpfulVote.objects.select_related("section__guide").filter(pk=pk).first())
        vote = services.helpful_feedback_handle(mentor=request.user, vote=vote)
        return Response({"handled_at": vote.handled_at})


# --- Proposed edits -------------------------------------------------------------------------


class ProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    section_id = serializers.IntegerField()
    proposer = GuidePersonSerializer()
    title = serializers.CharField()
    body = serializers.CharField()
    note = serializers.CharField()
    state = serializers.CharField(help_text="open, accepted or declined.")
    created_at = serializers.DateTimeField()
    decided_by = GuidePersonSerializer(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decline_reason = serializers.CharField()


@request_example(
    "A proposed edit",
    {
        "title": "Reverse relations and prefetch_related",
        "body": "`select_related` follows forward foreign keys only; `prefetch_related` "
        "loads reverse ones in one query more.",
        "note": "The section did not say which one to use for reverse relations.",
    },
)
class ProposalInput(StrictInput):
    title = serializers.CharField(min_length=SECTION_TITLE_MIN, max_length=SECTION_TITLE_MAX)
    body = serializers.CharField(max_length=SECTION_BODY_MAX, trim_whitespace=False)
    note = serializers.CharField(max_length=NOTE_MAX, help_text="Why (the mentors read it).")


class ProposalCreateApi(SignedInApi):
    @extend_schema(operation_id="guide_proposal_create",
                   summary="Propose an edit to a section (a mentor decides)",
                   request=ProposalInput, responses={201: ProposalSerializer},
                   tags=TAGS)  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        section = _section_or_404(pk)
        data = body_params(ProposalInput, request)
        proposal = services.proposal_create(proposer=request.user, section=section, **data)
        return Response(ProposalSerializer(_proposal_or_404(request, proposal.pk)).data,
                        status=201)  # fmt: skip


def _proposal_or_404(request: Request, pk: int) -> EditProposal:
    # Another learner's proposal is theirs and the mentors'.
    return found(selectors.proposal_get_for_viewer(pk=pk, viewer=request.user))


class ProposalApi(SignedInApi):
    @extend_schema(operation_id="guide_proposal_get",
                   summary="A proposed edit (yours, or any as a mentor)",
                   responses=ProposalSerializer, tags=TAGS)  # fmt: skip
    def get(self, request: Request, pk: int) -> Response:
        return Response(ProposalSerializer(_proposal_or_404(request, pk)).data)


@request_example(
    "Why not",
    {"reason": "The section already says this in its second paragraph."},
)
class DeclineInput(StrictInput):
    reason = serializers.CharField(max_length=NOTE_MAX, help_text="Told to the proposer.")


class ProposalDecideApi(SignedInApi):
    accept = True

    def post(self, request: Request, pk: int) -> Response:
        # Another learner's proposal does not exist for you here either (its GET is a 404).
        proposal = _proposal_or_404(request, pk)
        if self.accept:
            services.proposal_accept(mentor=request.user, proposal=proposal, note=_note(request))
        else:
            data = body_params(DeclineInput, request)
            services.proposal_decline(mentor=request.user, proposal=proposal,
                                      reason=data["reason"])  # fmt: skip
        return Response(ProposalSerializer(_proposal_or_404(request, pk)).data)


class ProposalAcceptApi(ProposalDecideApi):
    accept = True

    @extend_schema(operation_id="guide_proposal_accept",
                   summary="Publish a proposed edit (mentors)", request=GuideNoteInput,
                   responses=ProposalSerializer, tags=TAGS)  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class ProposalDeclineApi(ProposalDecideApi):
    accept = False

    @extend_schema(operation_id="guide_proposal_decline",
                   summary="Decline a proposed edit, saying why (mentors)",
                   request=DeclineInput, responses=ProposalSerializer, tags=TAGS)  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


# --- Q&A and the guide ------------------------------------------------------------------------


@request_example(
    "A new section in a guide",
    {
        "guide": "django",
        "title": "Reverse relations and prefetch_related",
        "body": "`select_related` follows forward foreign keys only; use "
        "`prefetch_related` for reverse ones.",
        "note": "From an accepted answer.",
    },
)
class PromoteInput(StrictInput):
    section = serializers.IntegerField(required=False, min_value=1, max_value=2**53,
                                       help_text="Append to this section ...")  # fmt: skip
    guide = serializers.SlugField(
        required=False, max_length=60, help_text="... or start a new section in this guide."
    )
    title = serializers.CharField(required=False, allow_blank=True, default="",
                                  max_length=SECTION_TITLE_MAX)  # fmt: skip
    body = serializers.CharField(max_length=SECTION_BODY_MAX, trim_whitespace=False)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=NOTE_MAX)

    exactly_one_of = ("section", "guide")


class PromoteApi(SignedInApi):
    @extend_schema(operation_id="answer_promote",
                   summary="Add an accepted answer to the guide (mentors)",
                   request=PromoteInput, responses={201: SectionSerializer},
                   tags=TAGS)  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        answer = found(forum.answer_get(viewer=request.user, pk=pk))
        data = body_params(PromoteInput, request)
        where: dict[str, Any] = {}
        if "section" in data:
            where["section"] = known(selectors.section_get(pk=data["section"]), "section",
                                     "No such section.")  # fmt: skip
        else:
            where["guide"] = known(selectors.guide_get(slug=data["guide"]), "guide",
                                   "No such guide.")  # fmt: skip
        section = services.answer_promote(mentor=request.user, answer=answer, body=data["body"],
                                          title=data["title"], note=data["note"],
                                          **where)  # fmt: skip
        return Response(SectionSerializer(_section_or_404(section.pk)).data, status=201)


@request_example(
    "Answered by a section",
    {"section": 12, "reason": "The guide's section on reverse relations answers it."},
)
class CloseInput(StrictInput):
    section = serializers.IntegerField(min_value=1, max_value=2**53,
                                       help_text="The section that answers it.")  # fmt: skip
    reason = serializers.CharField(required=False, allow_blank=True, default="",
                                   max_length=NOTE_MAX)  # fmt: skip


class AnsweredInGuideSerializer(serializers.Serializer):
    section_id = serializers.IntegerField(allow_null=True)


class AnsweredInGuideApi(MentorApi):
    """PUT closes a question as answered in the guide, DELETE opens it again (mentors)."""

    def _question(self, request: Request, pk: int) -> Any:
        return found(forum.question_get(viewer=request.user, pk=pk))

    @extend_schema(operation_id="question_close_in_guide",
                   summary="Close a question as answered in the guide (mentors)",
                   request=CloseInput, responses=AnsweredInGuideSerializer,
                   tags=TAGS)  # fmt: skip
    def put(self, request: Request, pk: int) -> Response:
        question = self._question(request, pk)
        data = body_params(CloseInput, request)
        section = known(selectors.section_get(pk=data["section"]), "section", "No such section.")
        services.question_close_in_guide(mentor=request.user, question=question, section=section,
                                         reason=data["reason"])  # fmt: skip
        return Response({"section_id": section.pk})

    @extend_schema(operation_id="question_reopen_from_guide",
                   summary="Open a question closed as answered in the guide (mentors)",
                   request=None, responses=AnsweredInGuideSerializer, tags=TAGS)  # fmt: skip
    def delete(self, request: Request, pk: int) -> Response:
        services.question_reopen_from_guide(mentor=request.user,
                                            question=self._question(request, pk))  # fmt: skip
        return Response({"section_id": None})
