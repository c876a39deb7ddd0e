from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from moderation import events, receivers

        events.register_topics()
        # The content apps and the guide announce what moderation logs or shows in its
        # queue through domain hooks (hub.hooks); none of them imports moderation.
        receivers.connect()
