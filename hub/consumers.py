"""The one WebSocket consumer behind /ws/live/.

It authenticates (the session, through AuthMiddlewareStack), joins the groups the viewer
may follow and forwards events that services published after commit. It never writes and
never renders per recipient. The Live issue grows the topic list; today a signed-in tab
follows its owner's own group.
"""

from channels.generic.websocket import AsyncJsonWebsocketConsumer


def user_group(user_id: int) -> str:
    return f"accounts.user.{user_id}"


class LiveConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.groups_joined: list[str] = []
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            group = user_group(user.pk)
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.append(group)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        # Clients only listen for now; anything they send is ignored.
        return None

    async def live_event(self, event: dict) -> None:
        """A published event: an HTML fragment swapped in by id (hx-swap-oob)."""
        await self.send(text_data=event["html"])
