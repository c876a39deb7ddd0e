"""The moderation part of the REST API: flags for everyone who may post, and for mentors
the queue, the log and every moderation action (pin, lock, hide, move, duplicate,
suspend, notes, saved replies), each a thin door onto `moderation.services` and
`moderation.selectors`, as the pages and GraphQL are.

A token needs the `moderate` scope for the mentors' writes (never more than its owner's
role now); the services decide the rest. What a viewer cannot see is a 404 (a hidden
post, an unknown case or account, another mentor's saved reply); the queue and the log
are 403 for anyone but mentors, as on the pages.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.selectors import user_get_by_handle
from discussions import selectors as forum
from hub.api.base import (
    MentorApi,
    SignedInApi,
    StrictInput,
    body_params,
    found,
    keyset_response,
    keyset_serializer,
    known,
    optional_field,
    query_params,
    request_example,
    require,
)
from moderation import permissions, selectors, services
from moderation.models import (
    NOTE_MAX,
    REASON_MAX,
    SAVED_REPLY_MAX,
    Action,
    Case,
    FlagReason,
    TargetKind,
)
from moderation.targets import Target, target_get, visible_to
from projects import selectors as showcase
from projects.api import PersonSerializer

TAGS = ["moderation"]
FLAGGABLE_KINDS = ["question", "answer", "comment", "project", "feedback"]


def _target_or_404(request: Request, kind: str, pk: int) -> Target:
    target = target_get(kind, pk) if kind in FLAGGABLE_KINDS else None
    return found(target if target is not None and visible_to(request.user, target) else None)


def _question_or_404(request: Request, pk: int) -> Any:
    return found(forum.question_get(viewer=request.user, pk=pk))


def _require_queue_viewer(request: Request) -> None:
    require(permissions.can_view_queue(request.user), "The moderation queue is for mentors.")


# --- Flags ------------------------------------------------------------------------------


@request_example(
    "Spam on an answer",
    {"kind": "answer", "id": 42, "reason": "spam", "detail": "Links to a shop, nothing else."},
)
class FlagInput(StrictInput):
    kind = serializers.ChoiceField(choices=FLAGGABLE_KINDS, help_text="What kind of thing.")
    id = serializers.IntegerField(min_value=1, max_value=2**53, help_text="Its id.")
    reason = serializers.ChoiceField(choices=FlagReason.choices)
    detail = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=REASON_MAX,
        help_text="More for the mentors (needed for `other`).",
    )  # fmt: skip


class FlaggedSerializer(serializers.Serializer):
    flagged = serializers.BooleanField()
    kind = serializers.CharField()
    id = serializers.IntegerField()


class FlagCreateApi(SignedInApi):
    @extend_schema(operation_id="flag_create",
                   summary="Flag a question, answer, comment, project or feedback (once each)",
                   request=FlagInput, responses={201: FlaggedSerializer}, tags=TAGS)  # fmt: skip
    def post(self, request: Request) -> Response:
        data = body_params(FlagInput, request)
        target = _target_or_404(request, data["kind"], data["id"])
        services.flag_create(reporter=request.user, target=target, reason=data["reason"],
                             detail=data["detail"])  # fmt: skip
        return Response({"flagged": True, "kind": data["kind"], "id": data["id"]}, status=201)


# --- The queue --------------------------------------------------------------------------


class FlagSerializer(serializers.Serializer):
    reason = serializers.CharField()
    detail = serializers.CharField()
    reporter = PersonSerializer()
    created_at = serializers.DateTimeField()


class CaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="question, answer, comment, project or feedback.")
    object_id = serializers.IntegerField()
    target_label = serializers.CharField()
    state = serializers.CharField(help_text="open, agreed or dismissed.")
    flag_count = serializers.IntegerField()
    hidden_by_flags = serializers.BooleanField()
    opened_at = serializers.DateTimeField()
    claimed_by = PersonSerializer(allow_null=True)
    resolution_note = serializers.CharField()
    flags = serializers.SerializerMethodField()

    @extend_schema_field(FlagSerializer(many=True))
    def get_flags(self, case: Case) -> list[dict]:
        return FlagSerializer(case.flags.all(), many=True).data  # prefetched by the selector


class WaitingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    author = PersonSerializer()
    category = serializers.CharField(source="category.slug")
    answer_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    mentor_requested_at = serializers.DateTimeField(allow_null=True)
    claimed_by = PersonSerializer(allow_null=True)
    claimed_at = serializers.DateTimeField(allow_null=True)


class AwaitingReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    author = PersonSerializer()
    review_state = serializers.CharField()
    review_requested_at = serializers.DateTimeField(allow_null=True)
    reviewer = PersonSerializer(allow_null=True)


class QueueSerializer(serializers.Serializer):
    cases = CaseSerializer(many=True, help_text="Open cases, most flagged first.")
    case_count = serializers.IntegerField()
    waiting = WaitingSerializer(many=True, help_text="Questions waiting for a mentor.")
    waiting_count = serializers.IntegerField()
    projects = AwaitingReviewSerializer(many=True, help_text="Projects awaiting review.")


class QueueApi(SignedInApi):
    @extend_schema(operation_id="moderation_queue",
                   summary="The mentors' queue: flags, waiting questions, projects to review",
                   responses=QueueSerializer, tags=TAGS)  # fmt: skip
    def get(self, request: Request) -> Response:
        _require_queue_viewer(request)
        user = request.user
        cases = selectors.open_cases(viewer=user)
        waiting = selectors.waiting_questions(viewer=user)
        projects = showcase.projects_awaiting_review(viewer=user)
        return Response(
            QueueSerializer(
                {
                    "cases": cases.items,
                    "case_count": cases.total,
                    "waiting": waiting.items,
                    "waiting_count": waiting.total,
                    "projects": projects,
                }
            ).data
        )


# --- The log ----------------------------------------------------------------------------


class LogQuery(serializers.Serializer):
    action = serializers.ChoiceField(choices=Action.choices, required=False)
    actor = serializers.CharField(required=False, max_length=40, help_text="A handle.")
    kind = serializers.ChoiceField(choices=TargetKind.choices, required=False)
    person = serializers.CharField(required=False, max_length=40,
                                   help_text="The handle of the person touched.")  # fmt: skip
    after = serializers.CharField(required=False, max_length=200)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=50)


class LogEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    actor = PersonSerializer(allow_null=True, help_text="Null for the system (auto-hide).")
    target_kind = serializers.CharField()
    target_id = serializers.IntegerField()
    target_label = serializers.CharField()
    target_user = PersonSerializer(allow_null=True)
    reason = serializers.CharField()
    before = serializers.DictField()
    after = serializers.DictField()
    created_at = serializers.DateTimeField()


LogPageSerializer = keyset_serializer("LogPage", LogEntrySerializer)


class LogApi(SignedInApi):
    @extend_schema(operation_id="moderation_log",
                   summary="The moderation log, newest first (mentors)",
                   parameters=[LogQuery], responses=LogPageSerializer, tags=TAGS)  # fmt: skip
    def get(self, request: Request) -> Response:
        _require_queue_viewer(request)
        params = query_params(LogQuery, request)
        page = selectors.log_entries(
            viewer=request.user,
            action=params.get("action"),
            actor_handle=params.get("actor"),
            target_kind=params.get("kind"),
            person_handle=params.get("person"),
            cursor=params.get("after"),
            limit=params["limit"],
        )
        data = LogEntrySerializer(page.entries, many=True).data
        return keyset_response(request, data, next_cursor=page.next_cursor, previous_cursor=None)


# --- Cases and waiting questions ----------------------------------------------------------


@request_example(
    "Agree with the flags",
    {"decision": "agree", "note": "Spam: hidden."},
)
class ResolveInput(StrictInput):
    decision = serializers.ChoiceField(choices=["agree", "dismiss"])
    note = serializers.CharField(required=False, allow_blank=True, default="",
                                 max_length=REASON_MAX)  # fmt: skip


def _case_or_404(request: Request, pk: int) -> Case:
    if not permissions.can_view_queue(request.user):
        return found(None)  # cases are the mentors': for anyone else none exist
    return found(Case.objects.filter(pk=pk).first())


def _case_data(pk: int) -> dict:
    case = Case.objects.select_related("claimed_by").prefetch_related("flags__reporter").get(pk=pk)
    return CaseSerializer(case).data


class CaseActionApi(MentorApi):
    action = "claim"
    summaries = {
        "claim": "Take a flagged post's case",
        "release": "Give a case back",
        "resolve": "Agree with the flags (the post is hidden) or dismiss them",
    }

    def post(self, request: Request, pk: int) -> Response:
        case = _case_or_404(request, pk)
        if self.action == "claim":
            services.case_claim(mentor=request.user, case=case)
        elif self.action == "release":
            services.case_release(mentor=request.user, case=case)
        else:
            data = body_params(ResolveInput, request)
            services.case_resolve(mentor=request.user, case=case,
                                  agree=data["decision"] == "agree", note=data["note"])  # fmt: skip
        return Response(_case_data(pk))


def case_action_view(action: str):
    def post(self, request: Request, pk: int) -> Response:
        return CaseActionApi.post(self, request, pk)

    post = extend_schema(operation_id=f"case_{action}", summary=CaseActionApi.summaries[action],
                         request=ResolveInput if action == "resolve" else None,
                         responses=CaseSerializer, tags=TAGS)(post)  # fmt: skip
    name = f"Case{action.title()}Api"
    return type(name, (CaseActionApi,), {"post": post, "action": action}).as_view()


class ClaimSerializer(serializers.Serializer):
    claimed_by = PersonSerializer(allow_null=True)


class WaitingClaimApi(MentorApi):
    @extend_schema(operation_id="waiting_claim", summary="Take a waiting question",
                   request=None, responses=ClaimSerializer, tags=TAGS)  # fmt: skip
    def put(self, request: Request, pk: int) -> Response:
        question = _question_or_404(request, pk)
        claim = services.question_claim(mentor=request.user, question=question)
        return Response({"claimed_by": PersonSerializer(claim.mentor).data})

    @extend_schema(operation_id="waiting_release", summary="Give a waiting question back",
                   request=None, responses=ClaimSerializer, tags=TAGS)  # fmt: skip
    def delete(self, request: Request, pk: int) -> Response:
        question = _question_or_404(request, pk)
        services.question_release(mentor=request.user, question=question)
        return Response({"claimed_by": None})


# --- Questions: pin, lock, move, duplicate -------------------------------------------------


class QuestionStateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    category = serializers.CharField(source="category.slug")
    is_pinned = serializers.BooleanField()
    is_locked = serializers.BooleanField()
    lock_reason = serializers.CharField()
    is_hidden = serializers.BooleanField()
    duplicate_of_id = serializers.IntegerField(allow_null=True)


def _question_state(request: Request, pk: int) -> Response:
    return Response(QuestionStateSerializer(_question_or_404(request, pk)).data)


@request_example(
    "Why",
    {"reason": "Off-topic: please ask in the Python topic."},
)
class ReasonInput(StrictInput):
    reason = serializers.CharField(max_length=REASON_MAX)


@request_example(
    "Why",
    {"reason": "Answered in the guide."},
)
class OptionalReasonInput(StrictInput):
    reason = serializers.CharField(required=False, allow_blank=True, default="",
                                   max_length=REASON_MAX)  # fmt: skip


def _optional_reason(request: Request) -> str:
    return optional_field(OptionalReasonInput, request, "reason")


class PinApi(MentorApi):
    @extend_schema(operation_id="question_pin", summary="Pin a question to its topic",
                   request=None, responses=QuestionStateSerializer, tags=TAGS)  # fmt: skip
    def put(self, request: Request, pk: int) -> Response:
        services.question_pin(actor=request.user, question=_question_or_404(request, pk),
                              pinned=True)  # fmt: skip
        return _question_state(request, pk)

    @extend_schema(operation_id="question_unpin", summary="Unpin a question", request=None,
                   responses=QuestionStateSerializer, tags=TAGS)  # fmt: skip
    def delete(self, request: Request, pk: int) -> Response:
        services.question_pin(actor=request.user, question=_question_or_404(request, pk),
                              pinned=False)  # fmt: skip
        return _question_state(request, pk)


class LockApi(MentorApi):
    @extend_schema(operation_id="question_lock", summary="Lock a question (with a reason)",
                   request=ReasonInput, responses=QuestionStateSerializer, tags=TAGS)  # fmt: skip
    def put(self, request: Request, pk: int) -> Response:
        question = _question_or_404(request, pk)
        data = body_params(ReasonInput, request)
        services.question_lock(actor=request.user, question=question, reason=data["reason"])
        return _question_state(request, pk)

    @extend_schema(operation_id="question_unlock", summary="Unlock a question", request=None,
                   responses=QuestionStateSerializer, tags=TAGS)  # fmt: skip
    def delete(self, request: Request, pk: int) -> Response:
        services.question_unlock(actor=request.user, question=_question_or_404(request, pk))
        return _question_state(request, pk)


@request_example(
    "To the Django topic",
    {"category": "django"},
)
class MoveInput(StrictInput):
    category = serializers.SlugField(max_length=60, help_text="The new topic's slug.")


class MoveApi(MentorApi):
    @extend_schema(operation_id="question_move", summary="Move a question to another topic",
                   request=MoveInput, responses=QuestionStateSerializer, tags=TAGS)  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        question = _question_or_404(request, pk)
        data = body_params(MoveInput, request)
        category = known(forum.category_get(slug=data["category"]), "category", "No such topic.")
        services.question_move(actor=request.user, question=question, category=category)
        return _question_state(request, pk)


@request_example(
    "A duplicate of question 7",
    {"original": 7},
)
class DuplicateInput(StrictInput):
    original = serializers.IntegerField(min_value=1, max_value=2**53,
                                        help_text="The original question's id.")  # fmt: skip


class DuplicateApi(MentorApi):
    @extend_schema(operation_id="question_mark_duplicate",
                   summary="Close a question as a duplicate of another", request=DuplicateInput,
                   responses=QuestionStateSerializer, tags=TAGS)  # fmt: skip
    def put(self, request: Request, pk: int) -> Response:
        question = _question_or_404(request, pk)
        data = body_params(DuplicateInput, request)
        original = known(forum.question_get(viewer=request.user, pk=data["original"]),
                         "original", "No such question.")  # fmt: skip
        services.question_mark_duplicate(actor=request.user, question=question, original=original)
        return _question_state(request, pk)

    @extend_schema(operation_id="question_unmark_duplicate",
                   summary="Take the duplicate mark off", request=None,
                   responses=QuestionStateSerializer, tags=TAGS)  # fmt: skip
    def delete(self, request: Request, pk: int) -> Response:
        services.question_unmark_duplicate(actor=request.user,
                                           question=_question_or_404(request, pk))  # fmt: skip
        return _question_state(request, pk)


# --- Hide and unhide ----------------------------------------------------------------------


class HiddenSerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    hidden = serializers.BooleanField()


class HideApi(MentorApi):
    """`/mod/hidden/{kind}/{id}`: PUT hides (a reason is needed), DELETE unhides."""

    @extend_schema(operation_id="content_hide",
                   summary="Hide a question, answer, comment, project or feedback",
                   request=ReasonInput, responses=HiddenSerializer, tags=TAGS)  # fmt: skip
    def put(self, request: Request, kind: str, pk: int) -> Response:
        target = _target_or_404(request, kind, pk)
        data = body_params(ReasonInput, request)
        services.content_hide(actor=request.user, target=target, reason=data["reason"])
        return Response({"kind": kind, "id": pk, "hidden": True})

    @extend_schema(operation_id="content_unhide", summary="Show a hidden post again",
                   request=OptionalReasonInput, responses=HiddenSerializer, tags=TAGS)  # fmt: skip
    def delete(self, request: Request, kind: str, pk: int) -> Response:
        target = _target_or_404(request, kind, pk)
        services.content_unhide(actor=request.user, target=target,
                                reason=_optional_reason(request))  # fmt: skip
        return Response({"kind": kind, "id": pk, "hidden": False})


# --- Suspensions --------------------------------------------------------------------------


@request_example(
    "A week's suspension",
    {"until": "2027-01-15T12:00:00Z", "reason": "Repeated spam after a warning."},
)
class SuspendInput(StrictInput):
    until = serializers.DateTimeField(help_text="Suspended until then (ISO 8601).")
    reason = serializers.CharField(max_length=REASON_MAX, help_text="Told to the person.")


class SuspensionSerializer(serializers.Serializer):
    handle = serializers.CharField()
    suspended_until = serializers.DateTimeField(allow_null=True)
    suspension_reason = serializers.CharField()


class SuspensionApi(MentorApi):
    @extend_schema(operation_id="user_suspend", summary="Suspend an account until a time",
                   request=SuspendInput, responses=SuspensionSerializer, tags=TAGS)  # fmt: skip
    def put(self, request: Request, handle: str) -> Response:
        person = user_get_by_handle(handle=handle)
        data = body_params(SuspendInput, request)
        person = services.user_suspend(actor=request.user, user=person, **data)
        return Response(SuspensionSerializer(person).data)

    @extend_schema(operation_id="suspension_lift", summary="Lift a suspension",
                   request=OptionalReasonInput, responses=SuspensionSerializer,
                   tags=TAGS)  # fmt: skip
    def delete(self, request: Request, handle: str) -> Response:
        person = user_get_by_handle(handle=handle)
        person = services.suspension_lift(actor=request.user, user=person,
                                          reason=_optional_reason(request))  # fmt: skip
        return Response(SuspensionSerializer(person).data)


# --- Mentor notes, saved replies, asking for a mentor ---------------------------------------


class NoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = PersonSerializer()
    body_html = serializers.CharField()
    created_at = serializers.DateTimeField()


@request_example(
    "A note for the mentors",
    {"body": "Second off-topic question this week: a friendly word sent."},
)
class MentorNoteInput(StrictInput):
    body = serializers.CharField(max_length=NOTE_MAX)


class MentorNoteApi(MentorApi):
    @extend_schema(operation_id="mentor_notes_list",
                   summary="A question's mentor notes, oldest first (mentors)",
                   responses=NoteSerializer(many=True), tags=TAGS)  # fmt: skip
    def get(self, request: Request, pk: int) -> Response:
        _require_queue_viewer(request)
        _question_or_404(request, pk)
        notes = selectors.mentor_notes(viewer=request.user, question_id=pk)
        return Response(NoteSerializer(notes, many=True).data)

    @extend_schema(operation_id="mentor_note_create", summary="Write a mentor note",
                   request=MentorNoteInput, responses={201: NoteSerializer}, tags=TAGS)  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        question = _question_or_404(request, pk)
        data = body_params(MentorNoteInput, request)
        note = services.mentor_note_add(author=request.user, question=question, body=data["body"])
        return Response(NoteSerializer(note).data, status=201)


class SavedReplySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


@request_example(
    "A saved reply",
    {
        "title": "Please add your code",
        "body": "Thanks for asking! Could you add the code you ran and the full traceback?",
    },
)
class SavedReplyInput(StrictInput):
    title = serializers.CharField(max_length=80)
    body = serializers.CharField(max_length=SAVED_REPLY_MAX, trim_whitespace=False)


class SavedReplyListApi(MentorApi):
    @extend_schema(operation_id="saved_replies_list", summary="Your saved replies (mentors)",
                   responses=SavedReplySerializer(many=True), tags=TAGS)  # fmt: skip
    def get(self, request: Request) -> Response:
        _require_queue_viewer(request)
        return Response(
            SavedReplySerializer(selectors.saved_replies(owner=request.user), many=True).data
        )

    @extend_schema(operation_id="saved_reply_create", summary="Keep a saved reply",
                   request=SavedReplyInput, responses={201: SavedReplySerializer},
                   tags=TAGS)  # fmt: skip
    def post(self, request: Request) -> Response:
        data = body_params(SavedReplyInput, request)
        reply = services.saved_reply_create(owner=request.user, **data)
        return Response(SavedReplySerializer(reply).data, status=201)


def _reply_or_404(request: Request, pk: int) -> Any:
    return found(selectors.saved_reply_get(owner=request.user, pk=pk))  # yours alone


class SavedReplyApi(MentorApi):
    @extend_schema(operation_id="saved_reply_edit", summary="Edit your saved reply",
                   request=SavedReplyInput, responses=SavedReplySerializer,
                   tags=TAGS)  # fmt: skip
    def patch(self, request: Request, pk: int) -> Response:
        reply = _reply_or_404(request, pk)
        data = body_params(SavedReplyInput, request, partial=True)
        merged = {"title": reply.title, "body": reply.body, **data}
        reply = services.saved_reply_update(owner=request.user, reply=reply, **merged)
        return Response(SavedReplySerializer(reply).data)

    @extend_schema(operation_id="saved_reply_delete", summary="Delete your saved reply",
                   responses={204: None}, tags=TAGS)  # fmt: skip
    def delete(self, request: Request, pk: int) -> Response:
        services.saved_reply_delete(owner=request.user, reply=_reply_or_404(request, pk))
        return Response(status=204)


class MentorRequestSerializer(serializers.Serializer):
    mentor_requested_at = serializers.DateTimeField(allow_null=True)


class AskMentorApi(SignedInApi):
    @extend_schema(operation_id="question_ask_mentor",
                   summary="Ask the mentors for help on your waiting question", request=None,
                   responses=MentorRequestSerializer, tags=TAGS)  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        question = services.mentor_request(user=request.user,
                                           question=_question_or_404(request, pk))  # fmt: skip
        return Response({"mentor_requested_at": question.mentor_requested_at})
