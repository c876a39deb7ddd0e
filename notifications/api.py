"""The notifications part of the REST API: yours only (/api/v1/notifications)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from hub.api.base import (
    PageQuery,
    SignedInApi,
    StrictInput,
    body_params,
    found,
    keyset_response,
    keyset_serializer,
    page_cursors,
    query_params,
    request_example,
)
from hub.keyset import cursor_decode, cursor_encode
from notifications import selectors, services
from notifications.models import EmailMode, Kind


class ActorSerializer(serializers.Serializer):
    handle = serializers.CharField()
    display_name = serializers.CharField()


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    message = serializers.CharField(help_text="What happened, in words.")
    actor = ActorSerializer(allow_null=True)
    count = serializers.IntegerField(help_text="How many events this one stands for.")
    target_title = serializers.CharField()
    html_url = serializers.SerializerMethodField()
    is_read = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_html_url(self, notification) -> str:
        return self.context["request"].build_absolute_uri(notification.url)


class NotificationListQuery(PageQuery):
    unread = serializers.BooleanField(required=False, default=False)


NotificationPageSerializer = keyset_serializer(
    "NotificationPage",
    NotificationSerializer,
    unread_count=serializers.IntegerField(help_text="All your unread notifications."),
)


class NotificationListApi(SignedInApi):
    @extend_schema(operation_id="notifications_list",
                   summary="Your notifications, newest activity first",
                   parameters=[NotificationListQuery], responses=NotificationPageSerializer,
                   tags=["notifications"])  # fmt: skip
    def get(self, request: Request) -> Response:
        params = query_params(NotificationListQuery, request)
        before = params.get("before")
        raw = before or params.get("after")
        cursor = cursor_decode(raw) if raw else None
        rows, more = selectors.notification_list(
            user=request.user,
            unread_only=params["unread"],
            cursor=cursor,
            backward=bool(before and cursor),
            limit=params["limit"],
        )
        next_cursor, previous_cursor = page_cursors(
            rows,
            further=cursor_encode(rows[-1 if not before else 0].updated_at,
                                  rows[-1 if not before else 0].pk) if more else None,
            backward=bool(before and cursor),
            had_cursor=cursor is not None,
            cursor_of=lambda n: cursor_encode(n.updated_at, n.pk),
        )  # fmt: skip
        data = NotificationSerializer(rows, many=True, context={"request": request}).data
        return keyset_response(
            request,
            data,
            next_cursor=next_cursor,
            previous_cursor=previous_cursor,
            extra={"unread_count": selectors.unread_count(user=request.user)},
        )


class ReadSerializer(serializers.Serializer):
    unread_count = serializers.IntegerField()


class NotificationReadApi(SignedInApi):
    @extend_schema(operation_id="notification_read", summary="Mark one notification read",
                   request=None, responses=ReadSerializer, tags=["notifications"])  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        # Another person's notification does not exist for you.
        notification = found(selectors.notification_get(user=request.user, pk=pk))
        services.notification_read(user=request.user, notification=notification)
        return Response({"unread_count": selectors.unread_count(user=request.user)})


class NotificationReadAllApi(SignedInApi):
    @extend_schema(operation_id="notifications_read_all", summary="Mark all read",
                   request=None, responses=ReadSerializer, tags=["notifications"])  # fmt: skip
    def post(self, request: Request) -> Response:
        services.notifications_read_all(user=request.user)
        return Response({"unread_count": 0})


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    email_mode = serializers.CharField()


@request_example(
    "Answers by daily email",
    {"kind": "answer_on_question", "email_mode": "daily"},
)
class PreferenceInput(StrictInput):
    kind = serializers.ChoiceField(choices=Kind.choices)
    email_mode = serializers.ChoiceField(choices=EmailMode.choices)


class PreferencesApi(SignedInApi):
    def _data(self, request: Request) -> list[dict]:
        rows = selectors.preferences_for(user=request.user)
        return [{"kind": kind, "label": label, "email_mode": mode} for kind, label, mode in rows]

    @extend_schema(operation_id="notification_preferences_get",
                   summary="How each kind of notification reaches you by email",
                   responses=PreferenceSerializer(many=True), tags=["notifications"])  # fmt: skip
    def get(self, request: Request) -> Response:
        return Response(self._data(request))

    @extend_schema(operation_id="notification_preference_set",
                   summary="Choose the email mode of one kind", request=PreferenceInput,
                   responses=PreferenceSerializer(many=True), tags=["notifications"])  # fmt: skip
    def put(self, request: Request) -> Response:
        data = body_params(PreferenceInput, request)
        services.preference_set(user=request.user, **data)
        return Response(self._data(request))
