"""The discussions part of the REST API (/api/v1/): thin doors onto the same selectors
and services as the pages.

Output serializers read only what the selectors loaded (no query in a serializer, the
tests pin the counts); input serializers check shape and hand over to one service call.
What a viewer cannot see on the pages is a 404 here too.
"""

from typing import Any

from django.db.models import prefetch_related_objects
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import ratelimits
from accounts.models import TokenScope
from discussions import events, selectors, services
from discussions.models import (
    BODY_MAX,
    COMMENT_MAX,
    TAG_MAX_LENGTH,
    TAGS_PER_QUESTION,
    TITLE_MAX,
    TITLE_MIN,
    Answer,
    Category,
    Comment,
    PostKind,
    Question,
)
from hub.api.base import (
    ApiView,
    PageQuery,
    SignedInApi,
    StrictInput,
    api_url,
    body_params,
    found,
    keyset_response,
    keyset_serializer,
    known,
    page_cursors,
    query_params,
    request_example,
    url_pattern,
)
from hub.api.shared import shared_read, viewer_kind, whole_body
from hub.errors import RateLimited
from hub.markdown import render_markdown
from notifications import services as notification_services

# --- Output -----------------------------------------------------------------------------


class AuthorSerializer(serializers.Serializer):
    """A person as posts show them (never their email or private fields)."""

    handle = serializers.CharField()
    display_name = serializers.CharField()
    role = serializers.CharField()


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["slug", "name", "description"]


class CategoryRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class QuestionSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField(help_text="This question in the API.")
    html_url = serializers.SerializerMethodField(help_text="Its page on the site.")
    title = serializers.CharField()
    excerpt = serializers.CharField()
    category = CategoryRefSerializer()
    tags = serializers.SerializerMethodField()
    author = AuthorSerializer()
    score = serializers.IntegerField()
    answer_count = serializers.IntegerField()
    comment_count = serializers.IntegerField()
    accepted_answer_id = serializers.IntegerField(allow_null=True)
    has_mentor_answer = serializers.BooleanField()
    is_pinned = serializers.BooleanField()
    is_locked = serializers.BooleanField()
    is_hidden = serializers.BooleanField(help_text="Only mentors and the author see these.")
    duplicate_of_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    last_activity_at = serializers.DateTimeField()

    def get_url(self, question: Question) -> str:
        return api_url(self.context["request"], "api:question", question.pk)

    def get_html_url(self, question: Question) -> str:
        return self.context["request"].build_absolute_uri(
            url_pattern("discussions:question_detail_short").format(question.pk)
        )

    def get_tags(self, question: Question) -> list[str]:
        return [tag.name for tag in question.tags.all()]  # prefetched by the selector


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = AuthorSerializer()
    body_html = serializers.CharField(help_text="Sanitised HTML rendered from the Markdown.")
    is_hidden = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)


class AnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    author = AuthorSerializer()
    body_html = serializers.CharField(help_text="Sanitised HTML rendered from the Markdown.")
    score = serializers.IntegerField()
    by_mentor = serializers.BooleanField()
    is_accepted = serializers.SerializerMethodField()
    is_hidden = serializers.BooleanField()
    voted = serializers.SerializerMethodField(help_text="Whether you up-voted it.")
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    comments = serializers.SerializerMethodField()

    def get_url(self, answer: Answer) -> str:
        return api_url(self.context["request"], "api:answer", answer.pk)

    def get_is_accepted(self, answer: Answer) -> bool:
        return answer.pk == self.context.get("accepted_answer_id")

    def get_voted(self, answer: Answer) -> bool:
        return answer.pk in self.context.get("voted_answer_ids", ())

    @extend_schema_field(CommentSerializer(many=True))
    def get_comments(self, answer: Answer) -> list[dict]:
        comments = getattr(answer, "live_comments", None)
        if comments is None:
            return []
        return CommentSerializer(comments, many=True, context=self.context).data


class ViewerStateSerializer(serializers.Serializer):
    voted = serializers.BooleanField(help_text="You up-voted the question.")
    following = serializers.BooleanField(help_text="You follow the thread.")


class QuestionDetailSerializer(QuestionSummarySerializer):
    body = serializers.CharField(help_text="The Markdown as written.")
    body_html = serializers.CharField(help_text="Sanitised HTML rendered from the Markdown.")
    lock_reason = serializers.CharField()
    project_id = serializers.IntegerField(allow_null=True)
    viewer = serializers.SerializerMethodField()
    comments = serializers.SerializerMethodField()
    answers = serializers.SerializerMethodField()

    def _thread(self) -> selectors.Thread:
        return self.context["thread"]

    @extend_schema_field(ViewerStateSerializer())
    def get_viewer(self, question: Question) -> dict:
        thread = self._thread()
        return {"voted": thread.voted_question, "following": thread.following}

    @extend_schema_field(CommentSerializer(many=True))
    def get_comments(self, question: Question) -> list[dict]:
        return CommentSerializer(self._thread().comments, many=True, context=self.context).data

    @extend_schema_field(AnswerSerializer(many=True))
    def get_answers(self, question: Question) -> list[dict]:
        thread = self._thread()
        context = {
            **self.context,
            "accepted_answer_id": question.accepted_answer_id,
            "voted_answer_ids": thread.voted_answer_ids,
        }
        return AnswerSerializer(thread.answers, many=True, context=context).data


class RevisionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    editor = AuthorSerializer()
    title = serializers.CharField(help_text="Empty for answers.")
    body = serializers.CharField(help_text="The Markdown of this version.")
    created_at = serializers.DateTimeField()
    diff = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Line diff against the version before: ["+"|"-"|" ", line] pairs.',
    )


# --- Reads ------------------------------------------------------------------------------


class CategoryListApi(ApiView):
    @extend_schema(operation_id="categories_list",
                   summary="The program's topics", responses=CategorySerializer(many=True),
                   tags=["discussions"])  # fmt: skip
    def get(self, request: Request) -> Response:
        return Response(CategorySerializer(selectors.category_list(), many=True).data)


class TagQuery(serializers.Serializer):
    prefix = serializers.CharField(required=False, allow_blank=True, max_length=30)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=20)


class TagListApi(ApiView):
    @extend_schema(
        operation_id="tags_list",
        summary="Tags, alphabetically (optionally those starting with `prefix`)",
        parameters=[TagQuery],
        responses=serializers.ListSerializer(child=serializers.CharField()),
        tags=["discussions"],
    )
    def get(self, request: Request) -> Response:
        params = query_params(TagQuery, request)
        return Response(
            selectors.tag_suggest(prefix=params.get("prefix", ""), limit=params["limit"])
        )


class QuestionListQuery(PageQuery):
    category = serializers.SlugField(required=False, help_text="A topic's slug.")
    tag = serializers.CharField(required=False, max_length=30)
    show = serializers.ChoiceField(choices=list(selectors.SHOWS), required=False)
    sort = serializers.ChoiceField(choices=list(selectors.SORTS), required=False, default="active")
    q = serializers.CharField(
        required=False, max_length=200, help_text="Full-text search (ranked; one page)."
    )


QuestionPageSerializer = keyset_serializer(
    "QuestionPage",
    QuestionSummarySerializer,
    pinned=QuestionSummarySerializer(
        many=True, help_text="A topic's pinned questions, on its first page only."
    ),
)


class QuestionListApi(ApiView):
    @extend_schema(
        operation_id="questions_list",
        summary="Questions: the list page's filters, sorts and search",
        parameters=[QuestionListQuery],
        responses=QuestionPageSerializer,
        tags=["discussions"],
    )
    def get(self, request: Request) -> Response:
        params = query_params(QuestionListQuery, request)
        category = None
        if params.get("category"):
            category = found(selectors.category_get(slug=params["category"]))
        data = question_list_data(request, params, category)
        return keyset_response(
            request,
            data["results"],
            next_cursor=data["next"],
            previous_cursor=data["previous"],
            extra={"pinned": data["pinned"]},
        )


def _question_page(request: Request, params: dict, category: Category | None) -> dict[str, Any]:
    """The list's rows for this viewer, serialised, with the cursors on either side."""
    context = {"request": request}
    if params.get("q"):
        results = selectors.question_search(
            viewer=request.user, query=params["q"], limit=params["limit"]
        )
        rows = [result.question for result in results]
        _prefetch_tags(rows)
        data = QuestionSummarySerializer(rows, many=True, context=context).data
        return {"results": data, "pinned": [], "next": None, "previous": None}
    before = params.get("before")
    cursor = before or params.get("after")
    page = selectors.question_list(
        viewer=request.user,
        category=category,
        tag=params.get("tag"),
        show=params.get("show"),
        sort=params["sort"],
        cursor=cursor,
        backward=bool(before),
        limit=params["limit"],
    )
    next_cursor, previous_cursor = page_cursors(
        page.questions,
        further=page.next_cursor,
        backward=bool(before),
        had_cursor=bool(cursor),
        cursor_of=lambda q: selectors.question_cursor(q, page.sort),
    )
    return {
        "results": QuestionSummarySerializer(page.questions, many=True, context=context).data,
        "pinned": QuestionSummarySerializer(page.pinned, many=True, context=context).data,
        "next": next_cursor,
        "previous": previous_cursor,
    }


def _nothing_hidden(data: dict[str, Any]) -> bool:
    return not any(row["is_hidden"] for row in [*data["results"], *data["pinned"]])


def question_list_data(request: Request, params: dict, category: Category | None) -> dict:
    """A page of the list, shared (hub.api.shared) by everyone who gets the public one.

    A member's page is the public one unless it holds their own hidden questions: a page
    computed for them with none in it is the public page (their rows are the public rows
    plus their hidden ones, in one order), so it is kept for all; on a hit they get it
    unless they have a hidden question at all (one small query). Mentors see every hidden
    question, and `mine` / `followed` and search (which matches the answers a viewer may
    see) are per member: computed as without a cache."""
    kind = viewer_kind(request)
    per_member = params.get("q") or params.get("show") in ("mine", "followed")
    if kind == "mentor" or (kind == "member" and per_member):
        return _question_page(request, params, category)
    shared = shared_read(
        request,
        "api-questions",
        deps=[("questions", "")],
        compute=lambda: _question_page(request, params, category),
        keep=_nothing_hidden,
    )
    if shared.computed:
        return shared.value
    if kind == "member" and selectors.has_hidden_questions(author=request.user):
        return _question_page(request, params, category)
    # The shared copy is the whole body, whoever asks (its Last-Modified: hub.api.shared).
    return whole_body(request, shared)


def _prefetch_tags(questions: list[Question]) -> None:
    prefetch_related_objects(questions, "tags")


def question_or_404(request: Request, pk: int) -> Question:
    return found(selectors.question_get(viewer=request.user, pk=pk))


def answer_or_404(request: Request, pk: int) -> Answer:
    return found(selectors.answer_get(viewer=request.user, pk=pk))


def comment_or_404(request: Request, pk: int) -> Comment:
    return found(selectors.comment_get(viewer=request.user, pk=pk))


def question_detail_data(request: Request, question: Question) -> dict[str, Any]:
    thread = selectors.question_thread(viewer=request.user, question=question)
    return QuestionDetailSerializer(question, context={"request": request, "thread": thread}).data


def _answers_shared(request: Request, question: Question) -> tuple[list[dict], frozenset[int]]:
    """A thread's answers with their comments, serialised as everyone may see them, once
    per thread version (("question", id), bumped by every event of the thread), and the
    authors of the hidden answers and comments left out (who, like mentors, see more)."""

    def compute() -> tuple[list[dict], frozenset[int]]:
        neutral = selectors.question_answers_neutral(question=question)
        context = {"request": request, "accepted_answer_id": question.accepted_answer_id}
        answers = AnswerSerializer(neutral.answers, many=True, context=context).data
        return [dict(answer) for answer in answers], neutral.hidden_author_ids

    # Only part of the body (the question and its comments are read per request): no
    # Last-Modified for the thread (hub.api.shared).
    return shared_read(
        request, "api-answers", deps=[("question", question.pk)], parts=[question.pk],
        compute=compute,
    ).value  # fmt: skip


def question_detail_shared(request: Request, question: Question) -> dict[str, Any]:
    """A question as question_detail_data gives it, its answers from the shared copy: the
    question itself (already fetched for the 404), its comments and the viewer's votes and
    follow come per request, in the queries the uncached read makes for them. A mentor or
    the author of a hidden answer or comment in a thread that has them gets it uncached."""
    answers, hidden_authors = _answers_shared(request, question)
    user = request.user
    if hidden_authors and user.is_authenticated and (user.is_mentor or user.pk in hidden_authors):
        return question_detail_data(request, question)
    thread = selectors.question_thread_for_viewer(
        viewer=user, question=question, answer_ids=[answer["id"] for answer in answers]
    )
    data = QuestionDetailSerializer(question, context={"request": request, "thread": thread}).data
    voted = thread.voted_answer_ids
    data["answers"] = [
        {**answer, "voted": answer["id"] in voted} if voted else answer for answer in answers
    ]
    return data


class QuestionDetailApi(ApiView):
    @extend_schema(
        operation_id="question_get",
        summary="A question with its answers and comments",
        responses=QuestionDetailSerializer,
        tags=["discussions"],
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(question_detail_shared(request, question_or_404(request, pk)))


class AnswerDetailSerializer(AnswerSerializer):
    body = serializers.CharField(help_text="The Markdown as written.")
    question_id = serializers.IntegerField()

    def get_is_accepted(self, answer: Answer) -> bool:
        return answer.question.accepted_answer_id == answer.pk

    def get_voted(self, answer: Answer) -> bool:
        return bool(self.context.get("voted"))

    def get_comments(self, answer: Answer) -> list[dict]:
        return []


class AnswerDetailApi(ApiView):
    @extend_schema(operation_id="answer_get",
                   summary="One answer (with its Markdown source)",
                   responses=AnswerDetailSerializer, tags=["discussions"])  # fmt: skip
    def get(self, request: Request, pk: int) -> Response:
        answer = answer_or_404(request, pk)
        voted = selectors.answer_voted(viewer=request.user, answer=answer)
        context = {"request": request, "voted": voted}
        return Response(AnswerDetailSerializer(answer, context=context).data)


class RevisionListApi(ApiView):
    kind: str = PostKind.QUESTION

    @extend_schema(
        summary="Every version of a post, newest first, with line diffs",
        responses=RevisionSerializer(many=True),
        tags=["discussions"],
    )
    def get(self, request: Request, pk: int) -> Response:
        if self.kind == PostKind.QUESTION:
            question_or_404(request, pk)
        else:
            answer_or_404(request, pk)
        history = selectors.revision_history(kind=self.kind, post_id=pk)
        rows = [
            {
                "number": view.revision.number,
                "editor": view.revision.editor,
                "title": view.revision.title,
                "body": view.revision.body,
                "created_at": view.revision.created_at,
                "diff": [list(line) for line in view.diff],
            }
            for view in history
        ]
        return Response(RevisionSerializer(rows, many=True).data)


# --- Writes: each view parses, calls one service, answers with the fresh state ----------


@request_example(
    "A clearer title and a tag more",
    {
        "title": "Why does select_related not follow my reverse foreign key?",
        "tags": ["django-orm", "performance"],
    },
)
class QuestionInput(StrictInput):
    title = serializers.CharField(min_length=TITLE_MIN, max_length=TITLE_MAX)
    body = serializers.CharField(max_length=BODY_MAX, trim_whitespace=False)
    category = serializers.SlugField(max_length=60, help_text="A topic's slug (see /categories).")
    tags = serializers.ListField(
        child=serializers.CharField(max_length=TAG_MAX_LENGTH),
        required=False,
        default=list,
        max_length=TAGS_PER_QUESTION,
        help_text="At most five: lower-case letters, digits and + # . - (e.g. `django-orm`).",
    )

    def validate_category(self, slug: str) -> Category:
        category = selectors.category_get(slug=slug)
        if category is None:
            raise serializers.ValidationError("No such topic.")
        return category


@request_example(
    "A question about the ORM",
    {
        "title": "Why does select_related not follow my reverse foreign key?",
        "body": '`Author.objects.select_related("books")` raises `FieldError`. '
        "What should I use for the books of each author?",
        "category": "django",
        "tags": ["django-orm", "queries"],
    },
)
class QuestionCreateInput(QuestionInput):
    project = serializers.IntegerField(
        required=False, min_value=1, max_value=2**53,
        help_text="The project the question is about (its id), as from the project's page.",
    )  # fmt: skip


@request_example(
    "An answer",
    {
        "body": "`select_related` follows forward foreign keys only. For the reverse side "
        'use `prefetch_related("books")`: one more query for all authors.'
    },
)
class BodyInput(StrictInput):
    body = serializers.CharField(max_length=BODY_MAX, trim_whitespace=False)


@request_example(
    "A comment",
    {"body": "Could you show the model definitions too?"},
)
class CommentInput(StrictInput):
    body = serializers.CharField(max_length=COMMENT_MAX, trim_whitespace=False)


class VoteSerializer(serializers.Serializer):
    voted = serializers.BooleanField()
    score = serializers.IntegerField()


class FollowSerializer(serializers.Serializer):
    following = serializers.BooleanField()


class MuteSerializer(serializers.Serializer):
    muted = serializers.BooleanField()


class AcceptSerializer(serializers.Serializer):
    accepted_answer_id = serializers.IntegerField(allow_null=True)


def _created(request: Request, data: dict, name: str, pk: int) -> Response:
    return Response(data, status=201, headers={"Location": api_url(request, name, pk)})


class QuestionCreateApi(QuestionListApi):
    @extend_schema(operation_id="question_create", summary="Ask a question",
                   request=QuestionCreateInput, responses={201: QuestionDetailSerializer},
                   tags=["discussions"])  # fmt: skip
    def post(self, request: Request) -> Response:
        data = body_params(QuestionCreateInput, request)
        if "project" in data:
            # As the ask page does (discussions/views.py): a project the asker may see.
            from projects.selectors import project_get_for_viewer

            data["project"] = known(
                project_get_for_viewer(viewer=request.user, pk=data["project"]),
                "project",
                "No such project.",
            )
        question = services.question_create(author=request.user, **data)
        question = question_or_404(request, question.pk)
        return _created(request, question_detail_data(request, question), "api:question",
                        question.pk)  # fmt: skip


class QuestionEditApi(QuestionDetailApi):
    @extend_schema(operation_id="question_edit",
                   summary="Edit a question (yours, or any as a mentor); a revision is kept",
                   request=QuestionInput(partial=True), responses=QuestionDetailSerializer,
                   tags=["discussions"])  # fmt: skip
    def patch(self, request: Request, pk: int) -> Response:
        question = question_or_404(request, pk)
        data = body_params(QuestionInput, request, partial=True)
        current = {
            "title": question.title,
            "body": question.body,
            "category": question.category,
            "tags": [tag.name for tag in question.tags.all()],
        }
        services.question_edit(editor=request.user, question=question, **{**current, **data})
        return Response(question_detail_data(request, question_or_404(request, pk)))

    @extend_schema(operation_id="question_delete",
                   summary="Delete your question (only while it has no answers)",
                   responses={204: None}, tags=["discussions"])  # fmt: skip
    def delete(self, request: Request, pk: int) -> Response:
        services.question_delete(actor=request.user, question=question_or_404(request, pk))
        return Response(status=204)


class AnswerCreateApi(ApiView):
    @extend_schema(operation_id="answer_create", summary="Answer a question",
                   request=BodyInput, responses={201: AnswerDetailSerializer},
                   tags=["discussions"])  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        question = question_or_404(request, pk)
        data = body_params(BodyInput, request)
        answer = services.answer_create(author=request.user, question=question, body=data["body"])
        answer = answer_or_404(request, answer.pk)
        body = AnswerDetailSerializer(answer, context={"request": request}).data
        return _created(request, body, "api:answer", answer.pk)


class AnswerEditApi(AnswerDetailApi):
    @extend_schema(operation_id="answer_edit", summary="Edit an answer; a revision is kept",
                   request=BodyInput, responses=AnswerDetailSerializer,
                   tags=["discussions"])  # fmt: skip
    def patch(self, request: Request, pk: int) -> Response:
        answer = answer_or_404(request, pk)
        data = body_params(BodyInput, request)
        services.answer_edit(editor=request.user, answer=answer, body=data["body"])
        return self.get(request, pk)

    @extend_schema(operation_id="answer_delete", summary="Delete your answer",
                   responses={204: None}, tags=["discussions"])  # fmt: skip
    def delete(self, request: Request, pk: int) -> Response:
        services.answer_delete(actor=request.user, answer=answer_or_404(request, pk))
        return Response(status=204)


class CommentCreateApi(ApiView):
    kind: str = PostKind.QUESTION

    @extend_schema(summary="Comment on a question or an answer", request=CommentInput,
                   responses={201: CommentSerializer}, tags=["discussions"])  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        if self.kind == PostKind.QUESTION:
            target = {"question": question_or_404(request, pk)}
        else:
            target = {"answer": answer_or_404(request, pk)}
        data = body_params(CommentInput, request)
        comment = services.comment_create(author=request.user, body=data["body"], **target)
        body = CommentSerializer(comment_or_404(request, comment.pk)).data
        return _created(request, body, "api:comment", comment.pk)


class CommentApi(ApiView):
    @extend_schema(operation_id="comment_get", summary="One comment",
                   responses=CommentSerializer, tags=["discussions"])  # fmt: skip
    def get(self, request: Request, pk: int) -> Response:
        return Response(CommentSerializer(comment_or_404(request, pk)).data)

    @extend_schema(operation_id="comment_edit", summary="Edit a comment", request=CommentInput,
                   responses=CommentSerializer, tags=["discussions"])  # fmt: skip
    def patch(self, request: Request, pk: int) -> Response:
        comment = comment_or_404(request, pk)
        data = body_params(CommentInput, request)
        services.comment_edit(editor=request.user, comment=comment, body=data["body"])
        return Response(CommentSerializer(comment_or_404(request, pk)).data)

    @extend_schema(operation_id="comment_delete", summary="Delete your comment",
                   responses={204: None}, tags=["discussions"])  # fmt: skip
    def delete(self, request: Request, pk: int) -> Response:
        services.comment_delete(actor=request.user, comment=comment_or_404(request, pk))
        return Response(status=204)


class VoteApi(ApiView):
    """PUT up-votes, DELETE takes it back; both idempotent."""

    kind: str = PostKind.QUESTION

    def _post(self, request: Request, pk: int) -> Question | Answer:
        if self.kind == PostKind.QUESTION:
            return question_or_404(request, pk)
        return answer_or_404(request, pk)

    def _set(self, request: Request, pk: int, want: bool) -> Response:
        post = self._post(request, pk)
        voted = selectors.post_voted(viewer=request.user, post=post)
        if voted != want:
            voted = services.vote_toggle(user=request.user, post=post)
        post.refresh_from_db(fields=["score"])
        return Response({"voted": voted, "score": post.score})

    @extend_schema(summary='Up-vote ("this helped")', request=None,
                   responses=VoteSerializer, tags=["discussions"])  # fmt: skip
    def put(self, request: Request, pk: int) -> Response:
        return self._set(request, pk, True)

    @extend_schema(summary="Take your up-vote back", request=None,
                   responses=VoteSerializer, tags=["discussions"])  # fmt: skip
    def delete(self, request: Request, pk: int) -> Response:
        return self._set(request, pk, False)


class AcceptApi(ApiView):
    """PUT accepts this answer (the asker), DELETE takes the accept back."""

    @extend_schema(operation_id="answer_accept", summary="Accept this answer", request=None,
                   responses=AcceptSerializer, tags=["discussions"])  # fmt: skip
    def put(self, request: Request, pk: int) -> Response:
        answer = answer_or_404(request, pk)
        question = services.answer_accept(actor=request.user, answer=answer)
        return Response({"accepted_answer_id": question.accepted_answer_id})

    @extend_schema(operation_id="answer_unaccept", summary="Take the accept back",
                   request=None, responses=AcceptSerializer, tags=["discussions"])  # fmt: skip
    def delete(self, request: Request, pk: int) -> Response:
        answer = answer_or_404(request, pk)
        question = answer.question
        if question.accepted_answer_id == answer.pk:
            question = services.answer_unaccept(actor=request.user, question=question)
        return Response({"accepted_answer_id": question.accepted_answer_id})


class FollowApi(ApiView):
    @extend_schema(operation_id="question_follow", summary="Follow a thread", request=None,
                   responses=FollowSerializer, tags=["discussions"])  # fmt: skip
    def put(self, request: Request, pk: int) -> Response:
        question = question_or_404(request, pk)
        following = services.question_follow_set(user=request.user, question=question, follow=True)
        return Response({"following": following})

    @extend_schema(operation_id="question_unfollow", summary="Stop following a thread",
                   request=None, responses=FollowSerializer, tags=["discussions"])  # fmt: skip
    def delete(self, request: Request, pk: int) -> Response:
        question = question_or_404(request, pk)
        following = services.question_follow_set(user=request.user, question=question, follow=False)
        return Response({"following": following})


class MuteApi(ApiView):
    def _set(self, request: Request, pk: int, muted: bool) -> Response:
        question = question_or_404(request, pk)
        target_key = events.question_topic(question.pk)
        muted = notification_services.mute_set(user=request.user, target_key=target_key,
                                               muted=muted)  # fmt: skip
        return Response({"muted": muted})

    @extend_schema(operation_id="question_mute", summary="Mute a thread's notifications",
                   request=None, responses=MuteSerializer, tags=["discussions"])  # fmt: skip
    def put(self, request: Request, pk: int) -> Response:
        return self._set(request, pk, True)

    @extend_schema(operation_id="question_unmute", summary="Hear from a thread again",
                   request=None, responses=MuteSerializer, tags=["discussions"])  # fmt: skip
    def delete(self, request: Request, pk: int) -> Response:
        return self._set(request, pk, False)


class WatchSerializer(serializers.Serializer):
    watching = serializers.BooleanField()


class WatchApi(ApiView):
    """Watch a topic (`/categories/{slug}/watch`) or a tag (`/tags/{name}/watch`)."""

    kind: str = "category"

    def _set(self, request: Request, key: str, watching: bool) -> Response:
        if self.kind == "category":
            category, tag = found(selectors.category_get(slug=key)), None
        else:
            category, tag = None, found(selectors.tag_get(name=key))
        watching = services.watch_set(user=request.user, watching=watching, category=category,
                                      tag=tag)  # fmt: skip
        return Response({"watching": watching})

    @extend_schema(summary="Watch for new questions", request=None,
                   responses=WatchSerializer, tags=["discussions"])  # fmt: skip
    def put(self, request: Request, key: str) -> Response:
        return self._set(request, key, True)

    @extend_schema(summary="Stop watching", request=None, responses=WatchSerializer,
                   tags=["discussions"])  # fmt: skip
    def delete(self, request: Request, key: str) -> Response:
        return self._set(request, key, False)


# --- The editor's preview ---------------------------------------------------------------


@request_example(
    "Markdown to preview",
    {"body": "**Bold**, `code` and a [link](https://docs.djangoproject.com/)."},
)
class PreviewInput(StrictInput):
    body = serializers.CharField(max_length=BODY_MAX, allow_blank=True, trim_whitespace=False)


class PreviewSerializer(serializers.Serializer):
    html = serializers.CharField(help_text="Sanitised HTML, exactly as it would be stored.")


class MarkdownPreviewApi(SignedInApi):
    """The editor's live preview: the renderer the services store with, for people signed
    in, within the page's per-account rate (`markdown_preview`). Writes nothing, so any
    token may ask."""

    required_scope = TokenScope.READ

    @extend_schema(operation_id="markdown_preview", summary="Render Markdown as a post would",
                   request=PreviewInput, responses=PreviewSerializer,
                   tags=["discussions"])  # fmt: skip
    def post(self, request: Request) -> Response:
        data = body_params(PreviewInput, request)
        if not ratelimits.consume(request, action="markdown_preview"):
            raise RateLimited("Too many previews in a minute: try again shortly.", retry_after=60)
        source = data["body"]
        return Response({"html": render_markdown(source).html if source.strip() else ""})


class HandleQuery(serializers.Serializer):
    prefix = serializers.CharField(
        max_length=31, help_text="The start of a handle (an @ is ignored)."
    )


class HandleSuggestApi(ApiView):
    """The editor's @-mention suggestions: up to eight people whose handle starts so."""

    @extend_schema(operation_id="people_suggest", summary="People by the start of their handle",
                   parameters=[HandleQuery], responses=AuthorSerializer(many=True),
                   tags=["people"])  # fmt: skip
    def get(self, request: Request) -> Response:
        params = query_params(HandleQuery, request)
        people = selectors.handle_suggest(prefix=params["prefix"])
        return Response(AuthorSerializer(people, many=True).data)
