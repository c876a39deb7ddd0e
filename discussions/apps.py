from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    name = "discussions"
    verbose_name = "Discussions"

    def ready(self) -> None:
        from discussions.events import register_topics

        register_topics()
