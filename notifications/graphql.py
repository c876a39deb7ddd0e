"""The GraphQL door of notifications: the viewer's own, never another's. Thin: reads from
selectors.py, writes from services.py. Composed into the schema by hub/graphql.py."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterable
from datetime import datetime
from typing import Annotated, Any

import strawberry
from channels.db import database_sync_to_async
from strawberry import relay
from strawberry.types import Info

from accounts.graphql import UserType
from hub.graphql_base import (
    INPUT,
    Connection,
    Page,
    Paginated,
    Payload,
    UserError,
    decode_id,
    live_events,
    nodes_by_ids,
    not_found,
    run_service,
    viewer,
)
from hub.keyset import cursor_decode, cursor_encode
from notifications import selectors, services
from notifications.models import Notification as NotificationModel


@strawberry.type(name="Notification", description="Something that happened for the viewer.")
class NotificationType(relay.Node):
    id: relay.NodeID[int]
    kind: str = strawberry.field(
        description="What happened: `answer_on_question`, `comment_on_post`, `mention`, ..."
    )
    target_key: str = strawberry.field(
        description="What it is about, e.g. `question:42` (repeats coalesce on it)."
    )
    target_title: str = strawberry.field(description="The title of what it is about.")
    url: str = strawberry.field(description="The path to open.")
    count: int = strawberry.field(description="How many events this row gathers.")
    is_read: bool = strawberry.field(description="Whether the viewer has read it.")
    created_at: datetime = strawberry.field(description="When it first happened.")
    updated_at: datetime = strawberry.field(description="When it last happened.")

    @classmethod
    def is_type_of(cls, obj: Any, info: Info) -> bool:
        return isinstance(obj, NotificationModel)

    @strawberry.field(description="The notification in words, e.g. `Grace answered your question`.")
    def message(self, root: strawberry.Parent[NotificationModel]) -> str:
        return root.message

    @strawberry.field(description="The latest person whose action it reports, or null.")
    def actor(self, root: strawberry.Parent[NotificationModel]) -> UserType | None:
        return root.actor

    @classmethod
    def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        return nodes_by_ids(
            node_ids,
            lambda ids: selectors.notifications_get_many(user=viewer(info), pks=ids),
            required,
        )


def _cursor(n: NotificationModel) -> str:
    return cursor_encode(n.updated_at, n.pk)


def _cursor_decode(cursor: str | None) -> tuple[datetime, int] | None:
    return cursor_decode(cursor) if cursor else None


NotificationConnection = Connection[NotificationType]


@strawberry.type
class Query:
    @strawberry.field(
        description="The viewer's notifications, latest first (empty for anonymous "
        "visitors): pass `first` (with `after`) or `last` (with `before`), at most 100.",
        extensions=[Paginated()],
    )
    def notifications(
        self,
        info: Info,
        page: Page,
        unread_only: Annotated[
            bool, strawberry.argument(description="Only the unread ones.")
        ] = False,
    ) -> NotificationConnection:
        user = viewer(info)
        cursor = _cursor_decode(page.cursor)
        if not user.is_authenticated:
            rows, more = [], False
        else:
            rows, more = selectors.notification_list(
                user=user,
                unread_only=unread_only,
                cursor=cursor,
                limit=page.limit,
                backward=page.backward,
            )
        return page.connection(
            NotificationConnection,
            rows,
            cursor_of=_cursor,
            more=more,
            has_cursor=cursor is not None,
            count=lambda: selectors.notification_count(user=user, unread_only=unread_only),
        )

    @strawberry.field(description="How many of the viewer's notifications are unread.")
    def unread_notification_count(self, info: Info) -> int:
        user = viewer(info)
        return selectors.unread_count(user=user) if user.is_authenticated else 0


# --- Mutations ----------------------------------------------------------------------------


@strawberry.input(description="Names one of the viewer's notifications.")
class NotificationIdInput:
    id: relay.GlobalID = strawberry.field(description="The notification.")


@strawberry.input(description="Mute a thread (no more notifications about it), or unmute it.")
class MuteInput:
    target_key: str = strawberry.field(description="What to mute, e.g. `question:42`.")
    muted: bool = strawberry.field(description="True to mute, false to unmute.")


@strawberry.type(description="What marking as read changed, or its errors.")
class ReadPayload(Payload):
    notification: NotificationType | None = strawberry.field(
        description="The notification, now read (null when all were marked or on error)."
    )
    unread_count: int = strawberry.field(description="The viewer's unread notifications now.")


@strawberry.type(description="Whether the thread is now muted, or the errors.")
class MutePayload(Payload):
    muted: bool | None = strawberry.field(description="True when muted (null on error).")


def _unread(user: Any) -> int:
    return selectors.unread_count(user=user) if user.is_authenticated else 0


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Mark one of your notifications read.")
    def mark_notification_read(
        self,
        info: Info,
        input: Annotated[NotificationIdInput, INPUT],
    ) -> ReadPayload:
        user = viewer(info)
        pk = decode_id(input.id, "Notification")
        notification = (
            selectors.notification_get(user=user, pk=pk) if pk and user.is_authenticated else None
        )
        if notification is None:
            return ReadPayload(
                notification=None, unread_count=_unread(user), errors=not_found("notification")
            )
        _, errors = run_service(
            lambda: services.notification_read(user=user, notification=notification)
        )
        return ReadPayload(notification=notification, unread_count=_unread(user), errors=errors)

    @strawberry.mutation(description="Mark all your notifications read.")
    def mark_all_notifications_read(self, info: Info) -> ReadPayload:
        user = viewer(info)
        if not user.is_authenticated:
            errors = [
                UserError(message="Log in to read notifications.", field=None, code="forbidden")
            ]
            return ReadPayload(notification=None, unread_count=0, errors=errors)
        _, errors = run_service(lambda: services.notifications_read_all(user=user))
        return ReadPayload(notification=None, unread_count=_unread(user), errors=errors)

    @strawberry.mutation(description="Mute a thread, or unmute it.")
    def mute(
        self,
        info: Info,
        input: Annotated[MuteInput, INPUT],
    ) -> MutePayload:
        user = viewer(info)
        if not user.is_authenticated:
            errors = [UserError(message="Log in to mute threads.", field=None, code="forbidden")]
            return MutePayload(muted=None, errors=errors)
        muted, errors = run_service(
            lambda: services.mute_set(user=user, target_key=input.target_key, muted=input.muted)
        )
        return MutePayload(muted=muted, errors=errors)


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Each new notification of the viewer's own (signed-in viewers only)."
    )
    async def notification_received(self, info: Info) -> AsyncGenerator[NotificationType, None]:
        async for notification_id in live_events(info, "user:me", {"notification.received"}):
            found = await database_sync_to_async(selectors.notifications_get_many)(
                user=viewer(info), pks=[notification_id]
            )
            if notification_id in found:
                yield found[notification_id]
