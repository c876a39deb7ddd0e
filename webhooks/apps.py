from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from webhooks import receivers, tasks  # noqa: F401 - tasks registers the task

        # The content apps announce answers, feedback and reviews through domain hooks
        # (hub.hooks); none of them imports webhooks.
        receivers.connect()
